import Foundation
import FlowEngine

/// What `analyze` reads from the disk, bounded: files (regular, at most 4 MiB, never a FIFO or a
/// device), and the build context's listing (at most 100,000 entries, `.git` skipped, symbolic
/// links listed but not followed).
public struct AnalysisFiles: Sendable {
    /// Relative paths are read from here (the step's working directory, or flow's).
    public var root: String

    public static let maximumFileSize = 4 << 20
    public static let maximumContextEntries = 100_000

    public init(root: String) { self.root = root }

    /// The absolute path of `path` (as the user wrote it).
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return root.hasSuffix("/") ? root + path : root + "/" + path
    }

    /// A file's text, or why it cannot be read.
    public func read(_ path: String) -> Result<String, ReadProblem> {
        do {
            let bytes = try UntrustedFile.read(absolute(path), limit: Self.maximumFileSize, links: .follow)
            return .success(String(decoding: bytes, as: UTF8.self))
        } catch {
            return .failure(ReadProblem(path: path, reason: Self.reason(error)))
        }
    }

    /// Why a file cannot be read, in words.
    public struct ReadProblem: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    static func reason(_ failure: UntrustedFile.Failure) -> String {
        switch failure {
        case .tooLarge(_, let size, let limit): "it is \(size >> 20) MiB; analyze reads files up to \(limit >> 20) MiB"
        case .notRegular(_, let kind): "it is \(kind), not a regular file"
        case .unreadable(_, let reason): reason
        }
    }

    /// Whether `path` names a directory.
    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(absolute(path), &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether `path` exists (without following a final symbolic link).
    public func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(absolute(path), &info) == 0
    }

    /// The context folder's entries, relative to it, and its `.dockerignore`; nil when it is not
    /// a folder or holds more than ``maximumContextEntries`` (then COPY sources are not checked).
    public func context(_ directory: String) -> BuildContextFiles? {
        guard isDirectory(directory) else { return nil }
        let base = absolute(directory)
        var paths: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? base : base + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                if relative.isEmpty && name == ".git" { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                paths.append(path)
                guard paths.count <= Self.maximumContextEntries else { return nil }
                var info = stat()
                if lstat(base + "/" + path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
        let ignore: String? = try? read(directory + "/.dockerignore").get()
        return BuildContextFiles(paths: paths.sorted(), dockerignore: ignore)
    }
}
