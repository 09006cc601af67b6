import Foundation
import Logging

/// The chain's last link: EC2 instance metadata, IMDSv2 only. `PUT /latest/api/token`
/// (`X-aws-ec2-metadata-token-ttl-seconds: 21600`), then with `X-aws-ec2-metadata-token`
/// `GET /latest/meta-data/iam/security-credentials/` for the role name and
/// `GET …/<role>` for `{Code, AccessKeyId, SecretAccessKey, Token, Expiration}`.
///
/// The endpoint is `http://169.254.169.254` (`http://[fd00:ec2::254]` with
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`), or `AWS_EC2_METADATA_SERVICE_ENDPOINT`.
/// `AWS_EC2_METADATA_DISABLED=true` skips it. As in the SDKs, a 1 s connect timeout and one
/// attempt (`AWS_METADATA_SERVICE_TIMEOUT`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS`) make a
/// machine that is not on EC2 fail fast. Every failure here is a finding, not an error.
struct InstanceMetadataLink {
    static let name = "instance metadata"

    var environment: [String: String]
    var http: HTTPClient

    func resolve() async -> LinkOutcome {
        func absent(_ detail: String) -> LinkOutcome { .absent(AWSCredentialFinding(link: Self.name, detail: detail)) }
        if environment["AWS_EC2_METADATA_DISABLED"]?.trimmingCharacters(in: .whitespaces).lowercased() == "true" {
            return absent("disabled by AWS_EC2_METADATA_DISABLED")
        }
        let endpoint = self.endpoint
        let shown = ContainerLink.origin(endpoint)
        let timeout = Double(environment["AWS_METADATA_SERVICE_TIMEOUT"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 1
        let attempts = Int(environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 1
        var quiet = Logger(label: "flow.aws.imds")
        quiet.logLevel = .warning
        let client = HTTPClient(transport: http.transport, clock: http.clock,
                                retry: HTTPRetryPolicy(attempts: attempts, baseDelay: .milliseconds(100), maxDelay: .seconds(1)),
                                logger: quiet)
        func request(_ method: String, _ path: String, token: String?) -> HTTPRequest {
            var request = HTTPRequest(method: method, url: endpoint + path,
                                      connectTimeout: .milliseconds(Int(timeout * 1000)),
                                      timeout: .milliseconds(Int(timeout * 2000) + 1000), maxRedirects: 0)
            if let token {
                request.headers.set("X-aws-ec2-metadata-token", token)
            } else {
                request.headers.set("X-aws-ec2-metadata-token-ttl-seconds", "21600")
            }
            return request
        }
        func send(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPError> {
            do {
                return .success(try await client.send(request))
            } catch let error as HTTPError {
                return .failure(error)
            } catch {
                return .failure(HTTPError(kind: .other, method: request.method, url: request.url, message: "\(error)"))
            }
        }
        func status(_ response: HTTPResponse) -> String { "\(response.status) \(HTTPStatusText.reason(response.status))" }

        let token: String
        switch await send(request("PUT", "/latest/api/token", token: nil)) {
        case .failure(let error):
            return absent("no answer from \(shown) (\(error.kind.rawValue): \(error.message))")
        case .success(let response):
            guard response.isSuccess else { return absent("\(shown) refused an IMDSv2 token: \(status(response))") }
            token = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { return absent("\(shown) gave an empty IMDSv2 token") }
        }

        let base = "/latest/meta-data/iam/security-credentials/"
        let role: String
        switch await send(request("GET", base, token: token)) {
        case .failure(let error):
            return absent("\(shown): \(error.kind.rawValue): \(error.message)")
        case .success(let response):
            if response.status == 404 { return absent("no IAM role attached to this instance") }
            guard response.isSuccess else { return absent("\(shown) answered the role request with \(status(response))") }
            guard let first = response.text.split(whereSeparator: \.isNewline).first?.trimmingCharacters(in: .whitespaces),
                  !first.isEmpty else { return absent("no IAM role attached to this instance") }
            role = first
        }
        guard let escaped = role.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) else {
            return absent("the role name is not usable in a URL")
        }

        switch await send(request("GET", base + escaped, token: token)) {
        case .failure(let error):
            return absent("\(shown): \(error.kind.rawValue): \(error.message)")
        case .success(let response):
            guard response.isSuccess else { return absent("credentials of role \(role): \(status(response))") }
            if let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
               let code = object["Code"] as? String, code != "Success" {
                return absent("credentials of role \(role): Code \(code.prefix(60))")
            }
            do {
                return .found(try CredentialDocument.parse(response.body, tokenKey: "Token", source: .instanceMetadata))
            } catch {
                return absent("credentials of role \(role): unusable answer: \(error.message)")
            }
        }
    }

    var endpoint: String {
        if let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]?.trimmingCharacters(in: .whitespaces),
           !configured.isEmpty {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" { return "http://[fd00:ec2::254]" }
        return "http://169.254.169.254"
    }
}
