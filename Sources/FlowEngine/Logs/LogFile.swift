#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// A private, append-only file opened with `open(2)`: created mode 0600 whatever the umask,
/// its missing parent directories mode 0700. Not thread-safe; its owner serialises access.
struct LogFile {
    let path: String
    private var fd: Int32

    /// Creates (or truncates) `path` and any missing parent directories.
    init(path: String) throws {
        self.path = path
        try Self.makeParentDirectories(of: path)
        let descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode_t(0o600))
        guard descriptor >= 0 else { throw StepLogError.system(call: "open", path: path, errno: errno) }
        // open(2)'s mode is filtered by the umask and ignored for an existing file.
        guard fchmod(descriptor, mode_t(0o600)) == 0 else {
            let code = errno
            _ = systemClose(descriptor)
            throw StepLogError.system(call: "fchmod", path: path, errno: code)
        }
        fd = descriptor
    }

    var isOpen: Bool { fd >= 0 }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fd, next, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw StepLogError.system(call: "write", path: path, errno: errno)
            }
            next += n
            left -= n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { (buffer) throws in try write(buffer) }
    }

    /// Closes; a second call does nothing. No fsync: the database is the durable record of a
    /// run (it is synced on every commit); a log is diagnostics, safe in the page cache against
    /// a crash of flow, lost only with the machine's power. make and ninja do the same, and an
    /// fsync per attempt was a large share of the engine's cost on short steps (bench/engine.py).
    mutating func close() throws {
        guard fd >= 0 else { return }
        let descriptor = fd
        fd = -1
        if systemClose(descriptor) != 0 && errno != EINTR {
            throw StepLogError.system(call: "close", path: path, errno: errno)
        }
    }

    /// Closes, ignoring errors (after a failure, or when the owner is dropped unclosed).
    mutating func abandon() {
        guard fd >= 0 else { return }
        _ = systemClose(fd)
        fd = -1
    }

    /// `mkdir -p` of the parent of `path`; the directories it creates get mode 0700
    /// (chmod after mkdir, so the umask cannot widen or narrow them). Existing ones are left as
    /// they are. Starts at the deepest directory and walks up only while a parent is missing,
    /// so the usual case (the step folder's parent exists) is one or two `mkdir` calls.
    static func makeParentDirectories(of path: String) throws {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else { return }
        try makeDirectory(String(path[..<slash]))
    }

    private static func makeDirectory(_ directory: String) throws {
        if try create(directory) { return }
        try makeParentDirectories(of: directory)
        guard try create(directory) else { throw StepLogError.system(call: "mkdir", path: directory, errno: ENOENT) }
    }

    /// One `mkdir` (+ `chmod` when it created it): true when the directory exists now, false
    /// when its parent is missing. Another process making it first counts as existing.
    private static func create(_ directory: String) throws -> Bool {
        if mkdir(directory, mode_t(0o700)) == 0 {
            guard chmod(directory, mode_t(0o700)) == 0 else {
                throw StepLogError.system(call: "chmod", path: directory, errno: errno)
            }
            return true
        }
        switch errno {
        case EEXIST: return true
        case ENOENT: return false
        default: throw StepLogError.system(call: "mkdir", path: directory, errno: errno)
        }
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
