import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// Redirects through the real transport: followed up to `maxRedirects`, an error past it, the
/// 3xx itself with 0, and a 303 turning any method into a GET without its body.
@Suite struct HTTPRedirectTests {
    let transport = CurlTransport(environment: [:])

    @Test func aChainIsFollowedWithinTheLimit() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(url: server.url("/redirect/3"), maxRedirects: 3))
        #expect(response.status == 200)
        #expect(response.redirects == 3)
        #expect(response.url == server.url("/redirect/0"))
        #expect(response.text.contains(#""redirected": "done""#))
    }

    @Test func oneRedirectPastTheLimitIsTooManyRedirects() async throws {
        let server = try await HTTPTestServer.shared()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/redirect/4"), maxRedirects: 3))
        }
        #expect(error?.kind == .tooManyRedirects)
        #expect(error?.url == server.url("/redirect/4"))
    }

    @Test func aLoopIsTooManyRedirects() async throws {
        let server = try await HTTPTestServer.shared()
        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(url: server.url("/loop")))
        }
        #expect(error?.kind == .tooManyRedirects)
        #expect(error?.description.contains("too many redirects") == true, "\(String(describing: error))")
    }

    @Test func withNoRedirectsAllowedThe3xxIsTheResponse() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(url: server.url("/redirect/2"), maxRedirects: 0))
        #expect(response.status == 302)
        #expect(response.redirects == 0)
        #expect(response.headers["Location"] == "/redirect/1")
        #expect(throws: HTTPError.self) { try response.requireSuccess() }
    }

    @Test(arguments: ["POST", "PUT", "PATCH"], [true, false])
    func aSeeOtherBecomesAGetWithoutTheBody(method: String, fromFile: Bool) async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let body: HTTPBody = fromFile ? .file(try directory.write("body.json", #"{"name": "flow"}"#).path)
                                      : .bytes(Data(#"{"name": "flow"}"#.utf8))
        let response = try await transport.perform(HTTPRequest(method: method, url: server.url("/see-other"), body: body))
        let echo = try Echo(response)
        #expect(response.redirects == 1)
        #expect(echo.method == "GET")
        #expect(echo.target == "/echo")
        #expect(echo.bodyBytes == 0)
    }

    @Test func a307KeepsTheMethodAndTheBody() async throws {
        let server = try await HTTPTestServer.shared()
        let response = try await transport.perform(HTTPRequest(method: "POST", url: server.url("/redirect/1?code=307"),
                                                               body: .bytes(Data("twelve bytes".utf8))))
        #expect(response.redirects == 1)
        #expect(response.text.contains(#""method": "POST""#))
        #expect(response.text.contains(#""body_bytes": 12"#))
    }
}

extension HTTPRedirectTests {
    /// PUT with a body in memory is one libcurl would not turn into a GET on a 303, so the
    /// transport follows its redirects itself; these hold it to the same rules.
    @Test func aCustomMethodIsRepeatedWithItsBodyOn307WithinTheLimit() async throws {
        let server = try await HTTPTestServer.shared()
        let body = HTTPBody.bytes(Data("twelve bytes".utf8))
        let response = try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/redirect/2?code=307"), body: body,
                                                               maxRedirects: 2))
        #expect(response.status == 200)
        #expect(response.redirects == 2)
        #expect(response.url == server.url("/redirect/0?code=307"))
        #expect(response.text.contains(#""method": "PUT""#))
        #expect(response.text.contains(#""body_bytes": 12"#))

        let error = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/redirect/3?code=307"), body: body, maxRedirects: 2))
        }
        #expect(error?.kind == .tooManyRedirects)
        let loop = await #expect(throws: HTTPError.self) {
            try await transport.perform(HTTPRequest(method: "DELETE", url: server.url("/loop")))
        }
        #expect(loop?.kind == .tooManyRedirects)
        let unfollowed = try await transport.perform(HTTPRequest(method: "PUT", url: server.url("/see-other"), body: body, maxRedirects: 0))
        #expect(unfollowed.status == 303)
    }

    /// libcurl rewinds the file through the seek callback when it follows (PUT); the transport
    /// opens it again when it follows (POST from a file). Either way the whole body arrives.
    @Test(arguments: ["PUT", "POST"])
    func aFileBodyIsSentAgainInFullAfterA307(method: String) async throws {
        let server = try await HTTPTestServer.shared()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try HTTPStreamingTests.writeNumberedFile(directory.file("body.bin").path, size: 3 << 20)
        let response = try await transport.perform(HTTPRequest(method: method, url: server.url("/redirect-to?code=307&url=/upload"),
                                                               body: .file(path)))
        #expect(response.redirects == 1)
        #expect(try await JSONDecoder().decode(Digest.self, from: response.body) == Digest.of(file: path))
        #expect(response.text.contains(#""method": "\#(method)""#))
    }

    @Test(arguments: ["GET", "PUT"])
    func credentialsDoNotFollowARedirectToAnotherOrigin(method: String) async throws {
        let server = try await HTTPTestServer.shared()
        let headers: HTTPHeaders = ["Authorization": "Bearer t0ken", "X-Trace": "kept"]
        let body: HTTPBody = method == "GET" ? .none : .bytes(Data("{}".utf8))
        func echo(via url: String) async throws -> Echo {
            let escaped = url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url
            return try Echo(try await transport.perform(HTTPRequest(method: method, url: server.url("/redirect-to?code=307&url=\(escaped)"),
                                                                    headers: headers, body: body)))
        }
        let sameOrigin = try await echo(via: server.url("/echo"))
        #expect(sameOrigin.header("Authorization") == "Bearer t0ken")
        // The same server by another name is another origin.
        let otherOrigin = try await echo(via: "http://localhost:\(server.port)/echo")
        #expect(otherOrigin.method == method)
        #expect(otherOrigin.header("Authorization") == nil)
        #expect(otherOrigin.header("X-Trace") == "kept")
    }
}

/// The server's `/echo` answer.
struct Echo: Decodable {
    var method: String
    var target: String
    var headers: [[String]]
    var bodyBytes: Int
    var body: String

    enum CodingKeys: String, CodingKey {
        case method, target, headers, body
        case bodyBytes = "body_bytes"
    }

    init(_ response: HTTPResponse) throws {
        guard response.status == 200 else { throw HarnessError("echo answered \(response.status): \(response.text)") }
        self = try JSONDecoder().decode(Echo.self, from: response.body)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.first?.caseInsensitiveCompare(name) == .orderedSame }?.last
    }
}
