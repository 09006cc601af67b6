import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// What a failed request says, from the real transport: the stage that failed (DNS, connect,
/// timeout) or the HTTP status with the message from the body.
@Suite struct HTTPErrorMessageTests {
    let transport = CurlTransport(environment: [:])

    @Test func anUnknownHostIsADNSError() async throws {
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://flow-no-such-host.invalid/artifact?token=s3cr3t"))
        }
        #expect(error?.kind == .dns)
        #expect(error?.description.hasPrefix("GET http://flow-no-such-host.invalid/artifact?…: DNS: ") == true,
                "\(String(describing: error))")
        #expect(error?.message.contains("flow-no-such-host.invalid") == true)
        #expect(error?.description.contains("s3cr3t") == false)
    }

    @Test func aPortNobodyListensOnIsAConnectError() async throws {
        let refusing = try LoopbackServer.ClosedPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.kind == .connect)
        #expect(error?.description.hasPrefix("GET http://127.0.0.1:\(port)/: connect: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains("port \(port)") == true)
    }

    @Test func aConnectionNeverAnsweredHitsTheConnectTimeout() async throws {
        let unanswered = try UnansweredPort()
        defer { unanswered.close() }
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://127.0.0.1:\(unanswered.port)/", connectTimeout: .milliseconds(300),
                                                    timeout: .seconds(60)))
        }
        // The stage is the connection, so the 300 ms connect timeout ended it: the 60 s total
        // timeout would have been classed `.timeout`. No wall-clock bound: under a loaded test run
        // the cooperative pool can resume this task many seconds after libcurl gave up.
        #expect(error?.kind == .connect)
        // libcurl words it "Failed to connect … Timeout was reached", "Connection timeout after
        // … ms" or "Connection timed out after … milliseconds", by which of its timers noticed.
        let words = error?.message.lowercased() ?? ""
        #expect(words.contains("timeout") || words.contains("timed out"), "\(String(describing: error))")
    }

    @Test func aClientErrorCarriesTheJSONBodysMessage() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(url: server.url("/status/400?message=bucket%20name%20must%20be%20lower%20case")))
        #expect(response.status == 400)
        let error = #expect(throws: HTTPError.self) { try response.requireSuccess() }
        #expect(error?.kind == .status)
        #expect(error?.status == 400)
        #expect(error?.description == "GET \(server.url)/status/400?…: 400 Bad Request: bucket name must be lower case")
    }

    @Test func aTextBodysFirstLineIsTheMessageEvenForADownloadToAFile() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("report.txt").path
        let response = try await transport.perform(HTTPRequest(url: server.url("/status/404?format=text&message=no%20such%20report"),
                                                               destination: .file(path)))
        let error = #expect(throws: HTTPError.self) { try response.requireSuccess() }
        #expect(error?.message == "404 Not Found: no such report")
        #expect(response.bodyFile == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func aStalledBodyHitsTheTotalTimeout() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/stall?bytes=1000"), destination: .file(directory.file("big").path),
                                                    timeout: .seconds(1)))
        }
        // The server then sends nothing for a minute, so only the 1 s total timeout ends this request early.
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("timed out after") == true, "\(String(describing: error))")
        #expect(error?.description.contains(": timeout: ") == true)
        // Half a download is never left where the caller looks, nor beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
