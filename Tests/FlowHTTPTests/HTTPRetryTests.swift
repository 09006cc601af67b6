import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// `HTTPClient`'s retries over the real transport against a server that counts requests, so
/// each test asserts the exact number of attempts; waits go to a manual clock that records them.
@Suite struct HTTPRetryTests {
    let clock = ManualClock(autoAdvance: true)

    /// Up to 4 attempts; no jitter, so the waits are 50 ms, 100 ms, 200 ms.
    var client: HTTPClient {
        HTTPClient(transport: CurlTransport(environment: [:]), clock: clock,
                   retry: HTTPRetryPolicy(attempts: 4, baseDelay: .milliseconds(100), jitter: { 0 }))
    }

    @Test func a503IsRetriedUntilTheServerAnswers() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let response = try await client.send(HTTPRequest(url: server.url("/status/503?key=\(key)&first=2")))
        #expect(response.status == 200)
        #expect(try await server.count(key) == 3)
        #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
    }

    @Test func a429WaitsAsLongAsRetryAfterSays() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let response = try await client.send(HTTPRequest(url: server.url("/status/429?key=\(key)&first=1&retry_after=7")))
        #expect(response.status == 200)
        #expect(try await server.count(key) == 2)
        #expect(clock.sleeps == [.seconds(7)])
    }

    @Test func aRetryAfterDateIsReadAgainstTheClock() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: clock.now().addingTimeInterval(30))
        let escaped = date.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await client.send(HTTPRequest(url: server.url("/status/503?key=\(key)&first=1&retry_after=\(escaped)")))
        #expect(response.status == 200)
        #expect(try await server.count(key) == 2)
        #expect(clock.sleeps == [.seconds(30)])
    }

    @Test func a400IsNeverRetried() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let response = try await client.send(HTTPRequest(url: server.url("/status/400?key=\(key)&message=bad%20input")))
        #expect(response.status == 400)
        #expect(try await server.count(key) == 1)
        #expect(clock.sleeps.isEmpty)
        #expect(throws: HTTPError.self) { try response.requireSuccess() }
    }

    @Test func anUnavailableServerIsTriedAsOftenAsThePolicySaysThenReported() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let response = try await client.send(HTTPRequest(url: server.url("/status/503?key=\(key)&message=down%20for%20maintenance")))
        #expect(response.status == 503)
        #expect(try await server.count(key) == 4)
        #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
        let error = #expect(throws: HTTPError.self) { try response.requireSuccess() }
        #expect(error?.message == "503 Service Unavailable: down for maintenance")
    }

    @Test(arguments: [(500, 1), (503, 2), (429, 2)])
    func aPostIsRetriedOnlyWhenTheServerSaysItDidNothing(status: Int, attempts: Int) async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let response = try await client.send(HTTPRequest(method: "POST", url: server.url("/status/\(status)?key=\(key)&first=1"),
                                                         body: .bytes(Data(#"{"build": 42}"#.utf8))))
        #expect(try await server.count(key) == attempts)
        #expect(response.status == (attempts == 1 ? status : 200))
    }

    @Test func aRetriedDownloadToAFileKeepsOnlyTheFinalBody() async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = uniqueKey()
        let path = directory.file("artifact.bin").path
        let response = try await client.send(HTTPRequest(url: server.url("/bytes/3000000?key=\(key)&first=2"), destination: .file(path)))
        #expect(response.status == 200)
        #expect(response.bodyFile == path)
        #expect(try await server.count(key) == 3)
        #expect(try await Digest.of(file: path) == server.sent(key))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["artifact.bin"])
    }

    @Test func aRefusedConnectionIsRetriedEvenForAPost() async throws {
        let refusing = try LoopbackServer.ClosedPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/hooks", body: .bytes(Data("{}".utf8))))
        }
        #expect(error?.kind == .connect)
        #expect(clock.sleeps.count == 3)
    }

    /// Nothing was sent when the connection was never made, so even a POST is sent again.
    @Test func aConnectTimeoutIsRetriedEvenForAPost() async throws {
        let unanswered = try UnansweredPort()
        defer { unanswered.close() }
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(unanswered.port)/hooks", body: .bytes(Data("{}".utf8)),
                                              connectTimeout: .milliseconds(200)))
        }
        #expect(error?.kind == .connect)
        #expect(clock.sleeps.count == 3)
    }
}
