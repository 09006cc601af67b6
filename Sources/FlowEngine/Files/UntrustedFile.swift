#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a file that a user or a step may have made hostile: a FIFO or a device (whose `open`
/// or `read` could block forever, or never end), a symlink planted where a step's file should
/// be, or a file far larger than flow will ever hold. Every file flow reads from a user's tree
/// (pipelines, `steps/<name>/step.yml`) or from what a step leaves (`$FLOW_OUTPUT`) goes
/// through here, so none of them can hang or exhaust flow.
///
/// The file is opened with `O_NONBLOCK` (opening a FIFO then returns at once instead of
/// waiting for a writer), checked with `fstat` on the open descriptor (so a swap between check
/// and read changes nothing) to be a regular file, and read up to `limit + 1` bytes.
public enum UntrustedFile {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// `open` or `read` failed; `reason` is strerror's text.
        case unreadable(String, reason: String)
        /// Not a regular file: `kind` is `a directory`, `a FIFO`, `a symbolic link`, ….
        case notRegular(String, kind: String)
        /// Larger than the limit; `size` is what fstat said, or `limit + 1` when it grew while read.
        case tooLarge(String, size: Int, limit: Int)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
            case .notRegular(let path, let kind): return "cannot read \(path): it is \(kind), not a regular file"
            case .tooLarge(let path, let size, let limit): return "\(path) is \(size) bytes, over the limit of \(limit)"
            }
        }
    }

    /// Whether a symbolic link as the last component of the path is followed. A user's own
    /// files may be links (as git and make follow them); a file a step leaves may not, since a
    /// step could point flow at a file of someone else's.
    public enum Links: Sendable { case follow, refuse }

    /// `path` opened for reading without blocking (a FIFO cannot hang it) and checked, on the
    /// open descriptor, to be a regular file: the descriptor (the caller closes it) and its stat.
    static func openRegular(_ path: String, links: Links) throws(Failure) -> (Int32, stat) {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (links == .refuse ? O_NOFOLLOW : 0)
        var descriptor: Int32
        repeat { descriptor = open(path, flags) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            if errno == ELOOP && links == .refuse { throw .notRegular(path, kind: "a symbolic link") }
            throw .unreadable(path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .unreadable(path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .notRegular(path, kind: kind(info.st_mode))
        }
        return (descriptor, info)
    }

    /// The bytes of `path`, at most `limit` of them, or a `Failure`.
    public static func read(_ path: String, limit: Int, links: Links) throws(Failure) -> [UInt8] {
        let (descriptor, info) = try openRegular(path, links: links)
        defer { close(descriptor) }
        guard Int(info.st_size) <= limit else { throw .tooLarge(path, size: Int(info.st_size), limit: limit) }
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { throw .tooLarge(path, size: count, limit: limit) }
                bytes.append(contentsOf: repeatElement(0, count: min(64 << 10, limit + 1 - count)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            count += n
        }
        guard count <= limit else { throw .tooLarge(path, size: count, limit: limit) }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Reads `descriptor` to its end in pieces of `chunkSize` bytes, handing each to `consume`
    /// (which returns false to stop early): nil, or the `errno` of the read that failed. The one
    /// streaming read loop (hashing and copying cache files, `/proc` files).
    static func readChunks(_ descriptor: Int32, chunkSize: Int = 64 << 10,
                           _ consume: (ArraySlice<UInt8>) throws -> Bool) rethrows -> Int32? {
        // Uninitialised: zeroing 64 KiB for every (usually small) file was a tenth of hashing one.
        var buffer = [UInt8](unsafeUninitializedCapacity: chunkSize) { _, count in count = chunkSize }
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if count == 0 { return nil }
            if try !consume(buffer[0..<count]) { return nil }
        }
    }

    /// Whether `path` exists (without following a last-component link when `links` is `.refuse`).
    public static func exists(_ path: String, links: Links) -> Bool {
        var info = stat()
        return (links == .refuse ? lstat(path, &info) : stat(path, &info)) == 0
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }
}
