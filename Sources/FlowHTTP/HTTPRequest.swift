import Foundation

/// Header fields in the order they were added; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public private(set) var fields: [Field] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field($0.0, $0.1) }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) { fields.append(Field(name, value)) }

    /// Replaces every field called `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append(Field(name, value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

/// What a request sends.
public enum HTTPBody: Sendable, Equatable {
    case none
    /// Sent from memory (small bodies: API calls, webhooks).
    case bytes(Data)
    /// Streamed from the file at this path with a fixed buffer, whatever its size.
    case file(String)
}

/// Where a response's body goes.
public enum ResponseDestination: Sendable, Equatable {
    /// Kept in memory; a body longer than `limit` bytes fails the request (`bodyTooLarge`).
    case memory(limit: Int)
    /// Streamed to a file at this path with a fixed buffer. The bytes go to a temporary file
    /// beside it that replaces `path` only when the status is 2xx, so a failed or retried
    /// download never leaves half a file where the caller looks.
    case file(String)

    public static let defaultMemoryLimit = 8 << 20
}

/// AWS Signature Version 4, computed by libcurl (`CURLOPT_AWS_SIGV4`). Region and service
/// are always explicit: curl's guess from the host name is wrong for `api.ecr.…` and
/// virtual-hosted S3. A session token is not part of this: the AWS layer sends it as the
/// `x-amz-security-token` header, which is signed with the others.
public struct AWSSigning: Sendable, Equatable, CustomStringConvertible {
    public var region: String
    public var service: String
    public var accessKeyId: String
    public var secretAccessKey: String

    public init(region: String, service: String, accessKeyId: String, secretAccessKey: String) {
        self.region = region
        self.service = service
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }

    /// Never the secret (this value may end up in a log line or an error).
    public var description: String { "SigV4(\(region)/\(service), key \(accessKeyId))" }
}

/// One HTTP request, as every caller in flow describes it. The transport sends it; the
/// client (`HTTPClient`) decides about retries.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: HTTPBody
    public var destination: ResponseDestination
    /// Time allowed to connect (TCP and TLS handshake).
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange, redirects included; nil: no limit.
    public var timeout: Duration?
    /// Redirects followed before failing with `tooManyRedirects`; 0: none followed, the
    /// 3xx response is returned.
    public var maxRedirects: Int
    /// Turns TLS certificate and host-name verification off for this request only. The
    /// transport logs a warning each time.
    public var insecure: Bool
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caBundle: String?
    public var signing: AWSSigning?
    /// Whether sending it twice is harmless. nil: decided by the method (GET, HEAD, PUT,
    /// DELETE, OPTIONS are; POST and PATCH are not).
    public var idempotent: Bool?
    /// Refuses destinations (a URL, a redirect's target, a resolved address) before any
    /// connection to them; nil: everything is allowed.
    public var destinationGuard: DestinationGuard?

    public init(method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = .none,
                destination: ResponseDestination = .memory(limit: ResponseDestination.defaultMemoryLimit),
                connectTimeout: Duration = .seconds(10), timeout: Duration? = .seconds(300), maxRedirects: Int = 5,
                insecure: Bool = false, caBundle: String? = nil, signing: AWSSigning? = nil, idempotent: Bool? = nil,
                destinationGuard: DestinationGuard? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.destination = destination
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxRedirects = maxRedirects
        self.insecure = insecure
        self.caBundle = caBundle
        self.signing = signing
        self.idempotent = idempotent
        self.destinationGuard = destinationGuard
    }

    public var isIdempotent: Bool {
        idempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method.uppercased())
    }

    /// The URL as it may be shown: scheme, host and path, with any query (which can carry a
    /// presigned signature or a token) and user information left out.
    public var displayURL: String { HTTPRequest.display(url) }

    static func display(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else {
            return String(url.prefix { $0 != "?" && $0 != "#" })
        }
        let hadQuery = parts.percentEncodedQuery != nil
        parts.user = nil
        parts.password = nil
        parts.percentEncodedQuery = nil
        parts.fragment = nil
        return (parts.string ?? url) + (hadQuery ? "?…" : "")
    }
}
