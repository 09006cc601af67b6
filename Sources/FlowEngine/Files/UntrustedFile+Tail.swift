#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension UntrustedFile {
    /// The last `limit` bytes of `path` (all of it when smaller), with ``read(_:limit:links:)``'s
    /// guards: opened without blocking, checked to be a regular file on the open descriptor. For
    /// a file that may be large but whose end is what matters (a step's log).
    public static func readTail(_ path: String, limit: Int, links: Links) throws(Failure) -> [UInt8] {
        let (descriptor, info) = try openRegular(path, links: links)
        defer { close(descriptor) }
        let start = max(0, Int(info.st_size) - max(limit, 0))
        var bytes = [UInt8](repeating: 0, count: max(limit, 0))
        var count = 0
        // The file may grow while it is read (a log still written): read only up to `limit`.
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + count, $0.count - count, off_t(start + count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }
}
