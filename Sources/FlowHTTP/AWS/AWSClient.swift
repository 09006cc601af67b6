import Foundation

/// Signed calls to AWS over `HTTPClient`, in the three protocols flow's services speak:
/// JSON 1.1 (`POST /` with `X-Amz-Target`: ECR, CodeBuild, Logs, EventBridge), Query (`POST /`
/// with a form body: STS, CloudFormation, IAM) and REST-XML (S3). Every call:
/// - takes credentials from the provider (the chain caches temporary ones) and has libcurl
///   sign it for the endpoint's region and the service's signing name, with the session
///   token in `x-amz-security-token`;
/// - follows no redirect (a signature is only good for the host it was made for);
/// - is retried by the client's policy when AWS says the error is retryable (throttling, 5xx,
///   `RequestTimeout`), whatever the method, as the AWS SDKs do; never otherwise;
/// - returns a 2xx response or throws `AWSError` with the envelope's code, message and
///   request id.
public struct AWSClient: Sendable {
    public let http: HTTPClient
    public let credentials: any AWSCredentialProvider
    public let region: String
    public let environment: [String: String]

    public init(http: HTTPClient, credentials: any AWSCredentialProvider, region: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.http = http
        self.credentials = credentials
        self.region = region
        self.environment = environment
    }

    public func endpoint(_ service: AWSService) -> AWSEndpoint {
        AWSEndpoint.resolve(service, region: region, environment: environment)
    }

    /// One signed request. `path` is already percent-encoded (see `AWSClient.encodePath`).
    public func send(_ service: AWSService, operation: String, method: String, url: String,
                     headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = .none,
                     destination: ResponseDestination = .memory(limit: ResponseDestination.defaultMemoryLimit),
                     signingRegion: String? = nil) async throws -> HTTPResponse {
        let keys = try await credentials.credentials()
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body, destination: destination,
                                  maxRedirects: 0, idempotent: true)
        request.signing = AWSSigning(region: signingRegion ?? endpoint(service).signingRegion, service: service.signingName,
                                     accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey)
        if let token = keys.sessionToken { request.headers.set("x-amz-security-token", token) }
        if service == .s3 {
            // libcurl signs S3 bodies it cannot hash (streamed ones) only with this header set;
            // unsigned payloads are what the SDKs send over TLS too.
            request.headers.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        }
        let serviceName = service.signingName
        let response = try await http.send(request) { _, response in
            guard !response.isSuccess else { return .terminal }
            return AWSError.from(response, service: serviceName, operation: operation).isRetryable ? .retryable : .terminal
        }
        guard response.isSuccess else { throw AWSError.from(response, service: serviceName, operation: operation) }
        return response
    }

    // MARK: JSON 1.1

    /// `POST /` with `X-Amz-Target: <targetPrefix>.<operation>` and a JSON body; decodes the
    /// JSON answer (dates as epoch seconds, as these services send them).
    public func json<Input: Encodable, Output: Decodable>(_ service: AWSService, targetPrefix: String, operation: String,
                                                           input: Input, as output: Output.Type = Output.self) async throws -> Output {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let body = try encoder.encode(input)
        let headers: HTTPHeaders = ["Content-Type": "application/x-amz-json-1.1",
                                    "X-Amz-Target": "\(targetPrefix).\(operation)"]
        let response = try await send(service, operation: operation, method: "POST", url: endpoint(service).url + "/",
                                      headers: headers, body: .bytes(body))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(Output.self, from: response.body.isEmpty ? Data("{}".utf8) : response.body)
        } catch {
            throw AWSError(service: service.signingName, operation: operation, status: response.status,
                           code: "UnreadableResponse", message: "the answer is not the JSON flow expects: \(error)")
        }
    }

    // MARK: Query

    /// `POST /` with `Action=<action>&Version=<version>&…` form-encoded; returns the XML answer.
    /// List parameters use the Query convention (`Parameters.member.1.ParameterKey=…`).
    public func query(_ service: AWSService, action: String, version: String,
                      parameters: [(String, String)] = []) async throws -> XMLTree {
        let pairs = [("Action", action), ("Version", version)] + parameters
        let form = pairs.map { "\(AWSClient.encode($0.0))=\(AWSClient.encode($0.1))" }.joined(separator: "&")
        let headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
        let response = try await send(service, operation: action, method: "POST", url: endpoint(service).url + "/",
                                      headers: headers, body: .bytes(Data(form.utf8)))
        guard let tree = XMLTree.parse(response.body) else {
            throw AWSError(service: service.signingName, operation: action, status: response.status,
                           code: "UnreadableResponse", message: "the answer is not XML")
        }
        return tree
    }

    // MARK: Encoding

    /// RFC 3986 percent-encoding as SigV4 canonicalises it: only `A–Z a–z 0–9 - _ . ~` stay.
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Each segment of a path encoded, the slashes kept (`/my key/a+b` → `/my%20key/a%2Bb`).
    public static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
}
