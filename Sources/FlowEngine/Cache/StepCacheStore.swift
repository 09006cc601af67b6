import Foundation
import FlowCore

/// Where memoized steps' `paths:` are kept: `<state>/cache/<digest>/`, one folder per key,
/// holding a copy of each path as it was when the step succeeded (files with their mode and
/// modification time, folders, symbolic links as links). Saved after the step succeeded and
/// before its success is recorded; put back, over what the workspace holds, when a later run
/// reuses it.
///
/// A path is the workspace's own: one whose folders on the way are symbolic links is refused,
/// when saved and when put back, so neither can write outside the workspace. A FIFO, socket or
/// device among the paths is refused (it cannot be copied). Putting a path back skips what is
/// already the same (a file of the same size and modification time, a link to the same
/// target), so an unchanged workspace costs a `stat` per file, as a build tool's no-op.
public struct StepCacheStore: Sendable {
    /// `<state>/cache`.
    public let directory: String

    public init(stateDirectory: String) {
        directory = stateDirectory + "/cache"
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The folder of a key's saved paths.
    public func folder(for key: String) -> String {
        directory + "/" + (key.hasPrefix("sha256:") ? String(key.dropFirst(7)) : key)
    }

    /// Copies `paths` (relative to `workspace`) into the key's folder, replacing an earlier copy;
    /// returns their size in bytes. Throws (saving nothing) when a path is missing or cannot be copied.
    func save(key: String, paths: [String], workspace: String) throws -> Int64 {
        let target = folder(for: key)
        let staging = directory + "/.saving-\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try Self.makeFolders(directory)
        defer { Self.removeTree(staging) }
        var bytes: Int64 = 0
        guard mkdir(staging, 0o700) == 0 else { throw Problem(description: "cannot make \(staging): \(Self.lastError())") }
        for path in paths {
            let source = try Self.inside(workspace, path)
            var info = stat()
            guard lstat(source, &info) == 0 else {
                throw Problem(description: "`\(path)` does not exist after the step succeeded")
            }
            let destination = staging + "/" + CachePath.segments(path).joined(separator: "/")
            try Self.makeFolders((destination as NSString).deletingLastPathComponent)
            bytes += try Self.copy(source, to: destination, display: path)
        }
        // The new copy replaces the old one whole.
        let old = target + ".old-\(getpid())"
        if rename(target, old) == 0 { Self.removeTree(old) }
        guard rename(staging, target) == 0 else { throw Problem(description: "cannot store \(target): \(Self.lastError())") }
        return bytes
    }

    /// Puts a key's saved paths back into `workspace`. Returns false, changing nothing, when the
    /// saved copy is gone (the entry is stale: the step runs); throws when a path cannot be put back.
    func restore(key: String, paths: [String], workspace: String) throws -> Bool {
        let source = folder(for: key)
        var info = stat()
        guard lstat(source, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return false }
        let saved = paths.map { source + "/" + CachePath.segments($0).joined(separator: "/") }
        guard saved.allSatisfy({ lstat($0, &info) == 0 }) else { return false }
        for (path, copy) in zip(paths, saved) {
            let destination = try Self.inside(workspace, path, creating: true)
            if Self.same(copy, destination) { continue }
            Self.removeTree(destination)
            _ = try Self.copy(copy, to: destination, display: path)
        }
        return true
    }

    /// Removes a key's saved paths.
    public func remove(key: String) {
        Self.removeTree(folder(for: key))
    }

    /// Removes every saved path.
    public func removeAll() {
        Self.removeTree(directory)
    }

    // MARK: Files

    /// `workspace/path`, after checking that no folder on the way is a symbolic link or a file
    /// (`creating`: making the folders that are missing).
    static func inside(_ workspace: String, _ path: String, creating: Bool = false) throws -> String {
        var current = workspace
        let segments = CachePath.segments(path)
        for segment in segments.dropLast() {
            current += "/" + segment
            var info = stat()
            if lstat(current, &info) != 0 {
                guard creating, errno == ENOENT, mkdir(current, 0o755) == 0 else {
                    if !creating { continue }
                    throw Problem(description: "cannot make the folder of `\(path)`: \(lastError())")
                }
                continue
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                throw Problem(description: "`\(path)` goes through a symbolic link (\(current)); cache paths stay inside the workspace")
            }
            if info.st_mode & S_IFMT != S_IFDIR { throw Problem(description: "`\(path)`: \(current) is not a folder") }
        }
        return current + "/" + (segments.last.map(String.init) ?? "")
    }

    /// Copies a file, link or folder (recursively); returns the bytes of the files copied.
    static func copy(_ source: String, to destination: String, display: String) throws -> Int64 {
        var info = stat()
        guard lstat(source, &info) == 0 else { throw Problem(description: "cannot read `\(display)`: \(lastError())") }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            guard mkdir(destination, info.st_mode & 0o7777 | 0o700) == 0 else {
                throw Problem(description: "cannot make \(destination): \(lastError())")
            }
            var bytes: Int64 = 0
            guard let names = names(source) else { throw Problem(description: "cannot read `\(display)`: \(lastError())") }
            for name in names {
                bytes += try copy(source + "/" + name, to: destination + "/" + name, display: display + "/" + name)
            }
            // Its own mode once its files are in (flow's umask narrowed the one `mkdir` gave).
            chmod(destination, info.st_mode & 0o7777)
            setTimes(destination, info)
            return bytes
        case S_IFLNK:
            guard let target = CacheFiles.linkTarget(source), symlink(target, destination) == 0 else {
                throw Problem(description: "cannot copy the link `\(display)`: \(lastError())")
            }
            return 0
        case S_IFREG:
            try copyFile(source, to: destination, mode: info.st_mode & 0o7777, display: display)
            setTimes(destination, info)
            return Int64(info.st_size)
        default:
            throw Problem(description: "`\(display)` is not a file, folder or link (a FIFO, socket or device cannot be cached)")
        }
    }

    private static func copyFile(_ source: String, to destination: String, mode: mode_t, display: String) throws {
        let input: Int32
        do {
            (input, _) = try UntrustedFile.openRegular(source, links: .refuse)
        } catch {
            throw Problem(description: "cannot copy `\(display)`: \(error.description)")
        }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard output >= 0 else { throw Problem(description: "cannot write \(destination): \(lastError())") }
        defer { close(output) }
        let failed = try UntrustedFile.readChunks(input) { piece in
            var written = 0
            while written < piece.count {
                let n = piece.withUnsafeBytes { write(output, $0.baseAddress! + written, piece.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Problem(description: "cannot write \(destination): \(lastError())")
                }
                written += n
            }
            return true
        }
        if let failed { throw Problem(description: "cannot read `\(display)`: \(String(cString: strerror(failed)))") }
        fchmod(output, mode)
    }

    private static func setTimes(_ path: String, _ info: stat) {
        var times = [info.st_atim, info.st_mtim]
        utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// Whether `a` (a saved copy) and `b` are the same as far as a quick check sees: a file of
    /// the same size, mode and modification time; a link to the same target; a folder of the
    /// same names, each the same.
    static func same(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard lstat(a, &x) == 0, lstat(b, &y) == 0, x.st_mode == y.st_mode else { return false }
        switch x.st_mode & S_IFMT {
        case S_IFREG:
            return x.st_size == y.st_size && x.st_mtim.tv_sec == y.st_mtim.tv_sec && x.st_mtim.tv_nsec == y.st_mtim.tv_nsec
        case S_IFLNK:
            return CacheFiles.linkTarget(a) == CacheFiles.linkTarget(b)
        case S_IFDIR:
            guard let left = names(a), let right = names(b), left == right else { return false }
            return left.allSatisfy { same(a + "/" + $0, b + "/" + $0) }
        default:
            return false
        }
    }

    /// A folder's names, sorted; nil (with `errno` set) when it cannot be read.
    static func names(_ directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a file, link or folder tree (links are removed, never followed).
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            // A saved folder keeps its mode; one without write permission could not be emptied.
            chmod(path, 0o700)
            for name in names(path) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    static func makeFolders(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + segment
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw Problem(description: "cannot make \(current): \(lastError())") }
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
