import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// The transport's own promises, against the loopback server: many transfers at once on its
/// one thread, HEAD, the memory limit, the final response's headers, and local files that
/// cannot be used failing before anything is sent.
@Suite struct CurlTransportTests {
    let transport = CurlTransport(environment: [:])

    @Test func manyTransfersRunAtOnceEachWithItsOwnBody() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = uniqueKey()
        let sizes = (0..<12).map { (1 << 20) + $0 * 4099 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, size) in sizes.enumerated() {
                group.addTask { [transport] in
                    let path = directory.file("part-\(i)").path
                    let response = try await transport.perform(HTTPRequest(url: server.url("/bytes/\(size)?key=\(key)-\(i)"),
                                                                           destination: .file(path)))
                    #expect(response.bodyFile == path)
                    #expect(try await Digest.of(file: path) == server.sent("\(key)-\(i)"))
                    #expect(try await server.sent("\(key)-\(i)").bytes == Int64(size))
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func headReturnsTheHeadersWithoutABody() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(method: "HEAD", url: server.url("/echo")))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(Int(response.headers["Content-Length"] ?? "") ?? 0 > 0)
    }

    @Test func aBodyOverTheMemoryLimitFailsAndSaysToUseAFile() async throws {
        let server = try await HTTPTestServer.shared()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/bytes/\(2 << 20)"), destination: .memory(limit: 1 << 20)))
        }
        #expect(error?.kind == .bodyTooLarge)
        #expect(error?.message.contains("1048576-byte limit") == true, "\(String(describing: error))")
        let exact = try await transport.perform(HTTPRequest(url: server.url("/bytes/\(1 << 20)"), destination: .memory(limit: 1 << 20)))
        #expect(exact.body.count == 1 << 20)
    }

    @Test func theHeadersAreTheFinalResponsesAfterRedirects() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(url: server.url("/redirect/2")))
        #expect(response.redirects == 2)
        #expect(response.headers["Location"] == nil)
        #expect(response.headers.values("Content-Type") == ["application/json"])
    }

    @Test func aDownloadIntoAMissingDirectoryFailsBeforeAnythingIsSent() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/status/200?key=\(key)"),
                                                    destination: .file("/nonexistent-flow-dir/artifact")))
        }
        #expect(error?.kind == .localFile)
        #expect(error?.message.contains("/nonexistent-flow-dir/artifact") == true, "\(String(describing: error))")
        #expect(try await server.count(key) == 0)
    }

    @Test func anUploadOfAMissingFileFailsBeforeAnythingIsSent() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/status/200?key=\(key)"),
                                                    body: .file("/nonexistent-flow-dir/body.bin")))
        }
        #expect(error?.kind == .localFile)
        #expect(error?.message == "cannot read the body file /nonexistent-flow-dir/body.bin: No such file or directory")
        #expect(try await server.count(key) == 0)
    }
}
