import Foundation
import FlowCore

/// The files a memoized step's key names, each with a digest of what it is: a regular file by
/// its content (and whether it is executable), a symbolic link by its target (never followed),
/// anything else (a FIFO, a socket, a device) by its kind alone, never opened. Folders stand for
/// every file in them. The state directory is never part of a key (it changes with every run).
struct CacheFiles {
    struct Entry: Hashable {
        /// Relative to the workspace when under it, else absolute.
        var path: String
        var digest: String
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The folder relative patterns start from.
    let workspace: String
    /// Never entered (``RunOptions/stateDirectory``).
    let skipping: String

    /// Both absolute paths, compared as written once `.` and `..` are taken out (`--state-dir ./runs`).
    init(workspace: String, skipping: String) {
        self.workspace = Self.normalized(workspace)
        self.skipping = Self.normalized(skipping.hasPrefix("/") ? skipping : workspace + "/" + skipping)
    }

    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The files `pattern` (``CachePath``, relative to the workspace) matches, sorted by path.
    func matching(_ pattern: String) throws -> [Entry] {
        let segments = CachePath.segments(pattern)
        let prefix = CachePath.literalPrefix(segments)
        let base = ([workspace] + prefix.map(String.init)).joined(separator: "/")
        var found: [Entry] = []
        if prefix.count == segments.count {
            try tree(base, into: &found)
        } else {
            try walk(base, relative: prefix, pattern: segments, into: &found)
        }
        return found.sorted { $0.path < $1.path }
    }

    /// A file or folder (relative to `directory` unless absolute) and everything in it, sorted.
    func tree(named path: String, from directory: String) throws -> [Entry] {
        var found: [Entry] = []
        try tree(path.hasPrefix("/") ? path : directory + "/" + path, into: &found)
        return found.sorted { $0.path < $1.path }
    }

    private func walk(_ directory: String, relative: [Substring], pattern: [Substring], into found: inout [Entry]) throws {
        guard directory != skipping, let names = try entries(of: directory) else { return }
        for name in names {
            let path = directory + "/" + name
            let segments = relative + [Substring(name)]
            if CachePath.matches(pattern, segments) {
                try tree(path, into: &found)
            } else if isDirectory(path) {
                try walk(path, relative: segments, pattern: pattern, into: &found)
            }
        }
    }

    /// Adds `path` (every file under it, for a folder); nothing when it does not exist.
    private func tree(_ path: String, into found: inout [Entry]) throws {
        guard path != skipping else { return }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw Problem(description: "cannot read \(display(path)): \(String(cString: strerror(errno)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            for name in try entries(of: path) ?? [] { try tree(path + "/" + name, into: &found) }
        case S_IFREG:
            let executable = info.st_mode & 0o111 != 0
            found.append(Entry(path: display(path), digest: (executable ? "x:" : "f:") + (try Self.contentDigest(path))))
        case S_IFLNK:
            found.append(Entry(path: display(path), digest: "l:" + (Self.linkTarget(path) ?? "")))
        default:
            found.append(Entry(path: display(path), digest: "special"))
        }
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// A folder's names, sorted; nil when it is not one (or is gone).
    private func entries(of directory: String) throws -> [String]? {
        guard let names = StepCacheStore.names(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Problem(description: "cannot read the folder \(display(directory)): \(String(cString: strerror(errno)))")
        }
        return names
    }

    private func display(_ path: String) -> String {
        path.hasPrefix(workspace + "/") ? String(path.dropFirst(workspace.count + 1)) : path
    }

    /// The SHA-256 of a regular file's bytes, read as any untrusted file is: without following
    /// a link or blocking (``UntrustedFile``), streamed whatever its size.
    static func contentDigest(_ path: String) throws -> String {
        let fd: Int32
        do {
            (fd, _) = try UntrustedFile.openRegular(path, links: .refuse)
        } catch {
            throw Problem(description: error.description)
        }
        defer { close(fd) }
        var hash = SHA256()
        if let failed = UntrustedFile.readChunks(fd, { hash.update($0); return true }) {
            throw Problem(description: "cannot read \(path): \(String(cString: strerror(failed)))")
        }
        return hash.finalizeHex()
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
