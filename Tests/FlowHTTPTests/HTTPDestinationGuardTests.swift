import FlowHTTP
import FlowTestSupport
import Foundation
import Synchronization
import Testing

/// A request's `DestinationGuard` through the real transport: a refused URL, a refused redirect
/// target and a refused resolved address get `.refused` and nothing reaches the server; an
/// allowed request is followed hop by hop. Also the timing and address libcurl reports.
@Suite struct HTTPDestinationGuardTests {
    let transport = CurlTransport(environment: [:])

    static func refusing(url: @escaping @Sendable (String) -> Bool = { _ in false },
                         address: @escaping @Sendable (String) -> Bool = { _ in false }) -> DestinationGuard {
        DestinationGuard(url: { url($0) ? "not this URL" : nil }, address: { address($0) ? "not \($0)" : nil })
    }

    @Test func aRefusedURLIsNeverRequested() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/status/200?key=\(key)"),
                                                    destinationGuard: Self.refusing(url: { _ in true })))
        }
        #expect(error?.kind == .refused)
        #expect(error?.message == "not this URL")
        #expect(try await server.count(key) == 0)
    }

    @Test func aRedirectToARefusedURLStopsBeforeTheHop() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let target = server.url("/status/200?key=\(key)")
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/redirect-to?url=\(encoded)&code=307"),
                                                    destinationGuard: Self.refusing(url: { $0.contains("/status/") })))
        }
        #expect(error?.kind == .refused)
        #expect(error?.message == "redirect 1 (307) to \(server.url("/status/200"))?…: not this URL")
        #expect(try await server.count(key) == 0)
    }

    @Test(arguments: ["localhost", "2130706433", "[::ffff:127.0.0.1]"])
    func aHostResolvingToARefusedAddressIsNeverConnected(host: String) async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        // The URL check passes every one of them; the address is known only once resolved.
        let guarded = Self.refusing(address: { $0 == "127.0.0.1" || $0 == "::1" || $0 == "::ffff:127.0.0.1" })
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://\(host):\(server.port)/status/200?key=\(key)", destinationGuard: guarded))
        }
        #expect(error?.kind == .refused, "\(String(describing: error))")
        #expect(error?.message.contains("resolved to ") == true, "\(String(describing: error))")
        #expect(try await server.count(key) == 0)
    }

    @Test func throughAProxyTheTargetsAddressesAreCheckedBeforeTheRequest() async throws {
        let server = try await HTTPTestServer.shared()
        let key = uniqueKey()
        let proxied = CurlTransport(environment: ["http_proxy": server.url])
        let guarded = Self.refusing(address: { $0 == "127.0.0.1" || $0 == "::1" })
        // The proxy (the test server) would answer the route itself; the guard stops the request first.
        let error = await #expect(throws: HTTPError.self) {
            try await proxied.perform(HTTPRequest(url: "http://localhost:1/status/200?key=\(key)", destinationGuard: guarded))
        }
        #expect(error?.kind == .refused, "\(String(describing: error))")
        #expect(error?.message.contains("resolves to ") == true)
        #expect(try await server.count(key) == 0)
        // A host only the proxy can resolve passes (the URL check still applies; the socket check
        // sees the proxy's own address).
        let unknown = try await proxied.perform(HTTPRequest(url: "http://flow-proxied.invalid/status/200?key=\(key)",
                                                            destinationGuard: Self.refusing(address: { $0 == "10.9.8.7" })))
        #expect(unknown.status == 200)
        #expect(try await server.count(key) == 1)
    }

    @Test func anAllowedRequestIsFollowedHopByHopWithItsTimeAndAddress() async throws {
        let server = try await HTTPTestServer.shared()
        let seen = Mutex<[String]>([])
        let guarded = DestinationGuard(url: { url in seen.withLock { $0.append(url) }; return nil }, address: { _ in nil })
        let response = try await transport.perform(HTTPRequest(url: server.url("/redirect/2"), maxRedirects: 3, destinationGuard: guarded))
        #expect(response.status == 200)
        #expect(response.redirects == 2)
        #expect(seen.withLock { $0 } == [server.url("/redirect/2"), server.url("/redirect/1"), server.url("/redirect/0")])
        #expect(response.remoteAddress == "127.0.0.1")
        #expect((response.totalTime ?? .zero) > .zero)
    }

    @Test func anUnfollowedRedirectSaysWhereItPoints() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(url: server.url("/redirect/1"), maxRedirects: 0))
        #expect(response.status == 302)
        #expect(response.redirectURL == server.url("/redirect/0"))
    }
}
