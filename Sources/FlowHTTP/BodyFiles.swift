import Foundation
import Glibc

/// The request body as the transfer's callbacks see it.
enum BodySource {
    case none
    case memory(Data)
    case file(UploadFile, size: Int64)

    init(_ body: HTTPBody, request: HTTPRequest) throws {
        switch body {
        case .none: self = .none
        case .bytes(let data): self = .memory(data)
        case .file(let path):
            let file = try UploadFile(path: path, request: request)
            self = .file(file, size: file.size)
        }
    }

    /// Bytes copied into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard case .file(let file, _) = self else { return 0 }
        return try file.read(into: buffer)
    }

    func seek(to offset: Int64) -> Bool {
        guard case .file(let file, _) = self else { return offset == 0 }
        return file.seek(to: offset)
    }

    func close() {
        if case .file(let file, _) = self { file.close() }
    }
}

/// A file sent as a request body, read with the transfer's own buffer (libcurl's upload
/// buffer), so memory stays flat whatever the size.
final class UploadFile: @unchecked Sendable {
    let path: String
    let size: Int64
    private var fd: Int32

    init(path: String, request: HTTPRequest) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw HTTPError(kind: .localFile, method: request.method, url: request.url,
                            message: "cannot read the body file \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw HTTPError(kind: .localFile, method: request.method, url: request.url,
                            message: "the body file \(path) is not a regular file")
        }
        size = Int64(info.st_size)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FileError("reading \(path)", errno: errno)
        }
    }

    func seek(to offset: Int64) -> Bool { lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}

/// A response body on its way to a file: written to a temporary file in the same directory,
/// which replaces the destination only when the caller keeps it (a 2xx status).
final class Download: @unchecked Sendable {
    let destination: String
    let temporary: String
    private var fd: Int32

    static let headLimit = 64 << 10

    init(destination: String, request: HTTPRequest) throws {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: .min ... .max)).download").path
        fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw HTTPError(kind: .localFile, method: request.method, url: request.url,
                            message: "cannot create a file beside \(destination): \(String(cString: strerror(errno)))")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError("writing \(destination)", errno: errno)
            }
            done += count
        }
    }

    /// Moves the file into place; returns its path.
    func keep() throws -> String {
        closeFile()
        guard rename(temporary, destination) == 0 else {
            let error = FileError("moving the download to \(destination)", errno: errno)
            unlink(temporary)
            throw error
        }
        return destination
    }

    /// The first 64 KiB, for an error body's message.
    func head() -> Data {
        guard fd >= 0 else { return Data() }
        var data = Data(count: Download.headLimit)
        let count = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Download.headLimit, 0) }
        data.count = max(0, count)
        return data
    }

    /// Removes the temporary file (again: harmless).
    func discard() {
        guard fd >= 0 else { return }
        closeFile()
        unlink(temporary)
    }

    private func closeFile() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { discard() }
}

struct FileError: Error, CustomStringConvertible {
    let description: String
    init(_ action: String, errno code: Int32) { description = "\(action): \(String(cString: strerror(code)))" }
}
