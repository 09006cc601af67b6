import Foundation

/// A response of any status: deciding what a status means is the caller's (or the retry
/// policy's) business. `requireSuccess()` turns a non-2xx one into an `HTTPError`.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The final response's headers (those of redirects and `100 Continue` are dropped).
    public var headers: HTTPHeaders
    /// The body when it went to memory. When it went to a file, the first 64 KiB of a
    /// non-2xx body (kept for its error message; the file is not written) and empty otherwise.
    public var body: Data
    /// The file the body was written to, when the destination was a file and the status 2xx.
    public var bodyFile: String?
    /// Body bytes received (after any redirects).
    public var bytesReceived: Int64
    /// The request's method and URL, for messages.
    public var method: String
    public var url: String
    /// Redirects followed on the way.
    public var redirects: Int
    /// The time the exchange took, as libcurl measured it (`CURLINFO_TOTAL_TIME_T`): name
    /// resolution, connection, TLS, request and the whole response, over every hop.
    public var totalTime: Duration?
    /// The numeric address the last hop was connected to (`CURLINFO_PRIMARY_IP`).
    public var remoteAddress: String?
    /// Where a 3xx response points (absolute), when the redirect was not followed.
    public var redirectURL: String?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data(), bodyFile: String? = nil,
                bytesReceived: Int64? = nil, method: String = "GET", url: String = "", redirects: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.bytesReceived = bytesReceived ?? Int64(body.count)
        self.method = method
        self.url = url
        self.redirects = redirects
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Self when the status is 2xx; otherwise an `HTTPError` of kind `.status` carrying the
    /// message found in the body.
    @discardableResult
    public func requireSuccess() throws -> HTTPResponse {
        guard isSuccess else { throw HTTPError.status(self) }
        return self
    }

    /// The human part of an error body: a JSON `message`/`Message`/`error`/`errorMessage`,
    /// an XML `<Message>`, or the first line of text; at most 300 characters.
    public var bodyMessage: String? {
        ResponseMessage.extract(from: body)
    }
}

enum ResponseMessage {
    static let limit = 300

    static func extract(from body: Data) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            for key in ["message", "Message", "errorMessage", "error_description", "error"] {
                if let text = object[key] as? String, !text.isEmpty { return clip(text) }
                if let nested = object[key] as? [String: Any], let text = nested["message"] as? String { return clip(text) }
            }
        }
        let text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        if let message = xmlElement("Message", in: text) { return clip(message) }
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : clip(trimmed)
    }

    /// The text of the first `<name>…</name>`, entities decoded; enough for AWS and most
    /// servers' XML error bodies.
    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return decodeEntities(String(text[open.upperBound..<close.lowerBound]))
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func clip(_ text: String) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
