import FlowHTTP
import Foundation
import Testing

/// Proxies from the standard environment variables, through the real transport, with the test
/// server as the proxy: plain requests arrive with an absolute URI in the request line, HTTPS
/// goes through a CONNECT tunnel, and `no_proxy` hosts are reached directly.
@Suite struct HTTPProxyTests {
    @Test(arguments: ["http_proxy", "HTTP_PROXY", "all_proxy"])
    func aPlainRequestGoesThroughTheProxyFromTheEnvironment(variable: String) async throws {
        let proxy = try await HTTPTestServer.shared()
        let transport = CurlTransport(environment: [variable: proxy.url])
        // A host nobody can resolve: only the proxy can answer.
        let echo = try Echo(try await transport.perform(HTTPRequest(url: "http://flow-proxied.invalid/echo")))
        #expect(echo.target == "http://flow-proxied.invalid/echo")
        #expect(echo.header("Host") == "flow-proxied.invalid")
    }

    @Test func noProxyHostsAreReachedDirectly() async throws {
        let server = try await HTTPTestServer.shared()
        let proxied = CurlTransport(environment: ["http_proxy": server.url])
        #expect(try Echo(try await proxied.perform(HTTPRequest(url: server.url("/echo")))).target == server.url("/echo"))
        let direct = CurlTransport(environment: ["http_proxy": server.url, "no_proxy": "localhost,127.0.0.1"])
        #expect(try Echo(try await direct.perform(HTTPRequest(url: server.url("/echo")))).target == "/echo")
    }

    @Test func upperCaseHTTPProxyIsIgnoredInACGIEnvironment() async throws {
        let proxy = try await HTTPTestServer.shared()
        let transport = CurlTransport(environment: ["HTTP_PROXY": proxy.url, "REQUEST_METHOD": "GET"])
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://flow-proxied.invalid/echo"))
        }
        #expect(error?.kind == .dns)
    }

    @Test func httpsGoesThroughAConnectTunnel() async throws {
        let proxy = try await HTTPTestServer.shared()
        let server = try await HTTPTestServer.start(tls: .good)
        defer { server.stop() }
        let transport = CurlTransport(environment: ["https_proxy": proxy.url, "http_proxy": "http://127.0.0.1:1"])
        let echo = try Echo(try await transport.perform(HTTPRequest(url: server.url("/echo"), caBundle: server.caBundle)))
        #expect(echo.target == "/echo")
        #expect(try await proxy.count("CONNECT 127.0.0.1:\(server.port)") == 1)
    }

    @Test func aProxyThatDoesNotResolveIsADNSErrorWithoutItsPassword() async throws {
        let transport = CurlTransport(environment: ["http_proxy": "http://flow:pr0xy-s3cret@flow-proxy.invalid:3128"])
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: "http://example.com/"))
        }
        #expect(error?.kind == .dns)
        #expect(error?.message.contains("proxy") == true, "\(String(describing: error))")
        #expect(error?.description.contains("pr0xy-s3cret") == false)
    }
}
