/// The one seam between flow's HTTP callers and the network: send a request, get its
/// response (any status) or an `HTTPError`. `CurlTransport` is the real one; the retry logic
/// in `HTTPClient` is tested through a closure transport, without sockets.
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A transport made of a closure (tests of the retry policy and callers of the AWS layer).
public struct ClosureTransport: HTTPTransport {
    let body: @Sendable (HTTPRequest) async throws -> HTTPResponse
    public init(_ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.body = body }
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse { try await body(request) }
}
