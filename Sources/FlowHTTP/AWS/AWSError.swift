import Foundation

/// An error answer from an AWS API, from any of the three protocols' envelopes: code,
/// message and request id, and whether trying again may help.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var service: String
    public var operation: String
    public var status: Int
    /// The error code without namespace (`RepositoryNotFoundException`, `ValidationError`,
    /// `PreconditionFailed`).
    public var code: String
    public var message: String
    public var requestID: String?

    public init(service: String, operation: String, status: Int, code: String, message: String, requestID: String? = nil) {
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Throttling, server-side failures and timeouts: the same request may succeed later.
    public var isRetryable: Bool {
        AWSError.retryableCodes.contains(code) || status >= 500 || status == 429
    }

    static let retryableCodes: Set<String> = [
        // Throttling, as the AWS SDKs' standard retry mode lists it.
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
        // Transient.
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        // S3: another conditional write to the key was in progress; the same request may pass.
        "ConditionalRequestConflict",
    ]

    public var description: String {
        let request = requestID.map { " (request id \($0))" } ?? ""
        return "\(service) \(operation): \(code): \(message) [HTTP \(status)]\(request)"
    }

    /// Reads the error out of a non-2xx response of any protocol. JSON 1.1:
    /// `{"__type": "ns#Code:url", "message"|"Message": …}` or the `X-Amzn-ErrorType` header;
    /// Query: `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`;
    /// REST-XML (S3): `<Error><Code/><Message/><RequestId/></Error>`. A body that is none of
    /// these (a proxy's HTML page, an empty 503) still gives an error, named after the status.
    public static func from(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        let headerID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
        var code: String?
        var message: String?
        var requestID = headerID
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            code = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String)
            message = (object["message"] as? String) ?? (object["Message"] as? String) ?? (object["errorMessage"] as? String)
        } else if let tree = XMLTree.parse(response.body) {
            let error = tree.find("Error")
            code = error?.child("Code")?.text
            message = error?.child("Message")?.text
            requestID = tree.find("RequestId")?.text ?? requestID
        }
        code = code ?? response.headers["X-Amzn-ErrorType"]
        let cleaned = code.map(cleanCode) ?? fallbackCode(response.status)
        return AWSError(service: service, operation: operation, status: response.status, code: cleaned,
                        message: message ?? HTTPStatusText.reason(response.status), requestID: requestID)
    }

    /// `aws.protocoltests#FooError:http://internal/` → `FooError`.
    static func cleanCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }

    static func fallbackCode(_ status: Int) -> String {
        switch status {
        case 304: "NotModified"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        case 429: "TooManyRequests"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
