import Foundation

/// Why a request failed, said so a person can act on it: which request (method and a URL
/// without its query), which stage (DNS, connect, TLS, timeout, …) and libcurl's own words,
/// or the HTTP status with the message from the body. Never a header value or a credential.
public struct HTTPError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The request cannot be sent as given (bad URL, unsupported scheme, unreadable option).
        case invalidRequest = "invalid request"
        /// The host name did not resolve (or not in time).
        case dns = "DNS"
        /// No connection was made (refused, or not within `connectTimeout`): nothing was sent.
        case connect = "connect"
        case tls = "TLS"
        /// The exchange took longer than `timeout` after the request went out.
        case timeout = "timeout"
        case tooManyRedirects = "too many redirects"
        /// The request's `DestinationGuard` refused a URL or an address: nothing was sent there.
        case refused = "refused"
        /// The connection broke or the server sent nothing or half a response.
        case connectionLost = "connection lost"
        case bodyTooLarge = "body too large"
        /// The local file to send or to write could not be used.
        case localFile = "local file"
        /// The server answered with a status the caller does not accept.
        case status = "HTTP status"
        case other = "transfer"
    }

    public var kind: Kind
    public var method: String
    /// Scheme, host and path only (`HTTPRequest.displayURL`).
    public var url: String
    public var message: String
    /// The status, for `.status`.
    public var status: Int?
    /// libcurl's result code, when the error came from libcurl.
    public var curlCode: Int?

    public init(kind: Kind, method: String, url: String, message: String, status: Int? = nil, curlCode: Int? = nil) {
        self.kind = kind
        self.method = method
        self.url = HTTPRequest.display(url)
        self.message = message
        self.status = status
        self.curlCode = curlCode
    }

    static func status(_ response: HTTPResponse) -> HTTPError {
        let reason = HTTPStatusText.reason(response.status)
        let message = response.bodyMessage.map { "\(response.status) \(reason): \($0)" } ?? "\(response.status) \(reason)"
        return HTTPError(kind: .status, method: response.method, url: response.url, message: message, status: response.status)
    }

    public var description: String {
        kind == .status ? "\(method) \(url): \(message)" : "\(method) \(url): \(kind.rawValue): \(message)"
    }
}

enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: status >= 500 ? "server error" : status >= 400 ? "client error" : status >= 300 ? "redirect" : "status"
        }
    }
}
