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

    /// fsyncs and closes; a second call does nothing.
    mutating func close() throws {
        guard fd >= 0 else { return }
        let descriptor = fd
        fd = -1
        var syncError: Int32 = 0
        while fsync(descriptor) != 0 {
            if errno != EINTR { syncError = errno; break }
        }
        let closed = systemClose(descriptor)
        let closeError = closed == 0 ? 0 : errno
        if syncError != 0 { throw StepLogError.system(call: "fsync", path: path, errno: syncError) }
        if closeError != 0 && closeError != EINTR { throw StepLogError.system(call: "close", path: path, errno: closeError) }
    }

    /// Closes without fsync (after a failure, or when the owner is dropped unclosed).
    mutating func abandon() {
        guard fd >= 0 else { return }
        _ = systemClose(fd)
        fd = -1
    }

    /// `mkdir -p` of the parent of `path`; the directories it creates get mode 0700
    /// (chmod after mkdir, so the umask cannot widen or narrow them). Existing ones are left as they are.
    static func makeParentDirectories(of path: String) throws {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard components.count > 1 else { return }
        components.removeLast()
        var current = path.hasPrefix("/") ? "" : "."
        for component in components {
            current += "/" + component
            if mkdir(current, mode_t(0o700)) == 0 {
                guard chmod(current, mode_t(0o700)) == 0 else {
                    throw StepLogError.system(call: "chmod", path: current, errno: errno)
                }
            } else if errno != EEXIST {
                throw StepLogError.system(call: "mkdir", path: current, errno: errno)
            }
        }
    }

    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
