#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a report (JUnit XML, JSON, SARIF) so that it is either all there or an error: a
/// regular file (or a new one) is written to a temporary file beside it, synced and renamed
/// over it, so a reader never sees half a report; anything else the user named (`/dev/stdout`,
/// a FIFO, `/dev/full`) is written in place. Every failed call is an error naming the path,
/// never silently dropped.
public enum ReportFile {
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var reason: String
        public var description: String { "cannot write the report \(path): \(reason)" }
    }

    public static func write(_ text: String, to path: String) throws(Failure) {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Writes `bytes`; a new file gets `mode` (artifacts under the state folder are 0600).
    public static func write(bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(Failure) {
        var info = stat()
        let exists = stat(path, &info) == 0
        if exists && info.st_mode & S_IFMT != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else { throw failure(path) }
            defer { close(fd) }
            try writeAll(bytes, to: fd, path: path)
            return
        }
        let temporary = path + ".flow-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path) }
        var problem: Failure?
        do throws(Failure) {
            try writeAll(bytes, to: fd, path: path)
            if fsync(fd) != 0 { problem = failure(path) }
        } catch {
            problem = error
        }
        if close(fd) != 0 && problem == nil { problem = failure(path) }
        if let problem {
            unlink(temporary)
            throw problem
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(path)
            unlink(temporary)
            throw error
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            offset += n
        }
    }

    private static func failure(_ path: String) -> Failure {
        Failure(path: path, reason: String(cString: strerror(errno)))
    }
}
