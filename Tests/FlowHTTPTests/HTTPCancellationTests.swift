import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// Cancelling the calling task ends a real transfer at once, whatever the server is doing.
@Suite struct HTTPCancellationTests {
    let transport = CurlTransport(environment: [:])

    @Test func cancellingTheTaskEndsAStalledDownloadAndLeavesNoFile() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = uniqueKey()
        let request = HTTPRequest(url: server.url("/stall?bytes=1000&key=\(key)"), destination: .file(directory.file("artifact").path),
                                  timeout: .seconds(120))
        let transfer = Task { [transport] in try await transport.perform(request) }
        try await server.waitFor(key)

        transfer.cancel()
        let result = await transfer.result
        // A CancellationError, not the 120 s timeout's HTTPError, so the cancel ended it.
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
