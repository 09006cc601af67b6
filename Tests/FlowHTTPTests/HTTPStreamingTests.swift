import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// 200 MiB bodies up from a file and down to a file through the real transport, with the
/// process's resident memory watched while they stream: it must stay flat (the bodies go
/// through libcurl's fixed buffers, never through memory), and both sides' SHA-256 must agree.
/// Serialized, in this order, so one test's memory is not counted in another's.
@Suite(.serialized) struct HTTPStreamingTests {
    static let size = 200 << 20
    /// Allowed growth of resident memory while 200 MiB stream: a few buffers, not the body.
    static let flat = 16 << 20
    let transport = CurlTransport(environment: [:])

    @Test func a200MiBFileUploadsWithFlatMemory() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.writeNumberedFile(directory.file("upload.bin").path, size: Self.size)
        let expected = try await Digest.of(file: path)
        _ = try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/upload"), body: .bytes(Data(count: 1 << 20))))

        let memory = ResidentMemory()
        let response = try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/upload"), body: .file(path)))
        let report = memory.stop()

        #expect(response.status == 200)
        #expect(try JSONDecoder().decode(Digest.self, from: response.body) == expected)
        #expect(report.growth <= Self.flat, "\(report)")
    }

    @Test func a200MiBDownloadGoesToAFileWithFlatMemory() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("download.bin").path
        _ = try await transport.perform(HTTPRequest(url: server.url("/bytes/\(1 << 20)"), destination: .file(directory.file("warm-up").path)))

        let key = uniqueKey()
        let memory = ResidentMemory()
        let response = try await transport.perform(HTTPRequest(url: server.url("/bytes/\(Self.size)?key=\(key)"), destination: .file(path)))
        let report = memory.stop()

        #expect(response.status == 200)
        #expect(response.bodyFile == path)
        #expect(response.body.isEmpty)
        #expect(response.bytesReceived == Int64(Self.size))
        let sent = try await server.sent(key)
        #expect(sent.bytes == Int64(Self.size))
        #expect(try await Digest.of(file: path) == sent)
        #expect(report.growth <= Self.flat, "\(report)")
    }

    /// The control: the same watch sees a body kept in memory, so the bounds above measure
    /// something.
    @Test func theWatchSeesABodyKeptInMemory() async throws {
        let server = try await HTTPTestServer.shared()
        let size = 64 << 20
        let memory = ResidentMemory()
        let response = try await transport.perform(HTTPRequest(url: server.url("/bytes/\(size)"), destination: .memory(limit: size)))
        let report = memory.stop()
        #expect(response.body.count == size)
        // Not all of it: pages other tests freed may be reused. Far more than `flat` is enough.
        #expect(report.growth >= size / 2, "\(report)")
    }

    /// `size` bytes of pseudo-random 1 MiB blocks, each starting with its number (so a block
    /// sent twice or out of order changes the hash), written a block at a time.
    static func writeNumberedFile(_ path: String, size: Int) throws -> String {
        var generator = SeededGenerator(seed: 20_261_204)
        var block = [UInt8](repeating: 0, count: 1 << 20)
        for i in block.indices { block[i] = UInt8.random(in: .min ... .max, using: &generator) }
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw HarnessError("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var written = 0
        var number: UInt64 = 0
        while written < size {
            withUnsafeBytes(of: number.bigEndian) { block.replaceSubrange(0..<8, with: $0) }
            let count = min(block.count, size - written)
            try handle.write(contentsOf: block[..<count])
            written += count
            number += 1
        }
        return path
    }
}
