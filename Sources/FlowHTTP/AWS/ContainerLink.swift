import Foundation
import Logging

/// The chain's third link: the ECS / CodeBuild container endpoint.
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on `http://169.254.170.2`;
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` a whole URL, allowed (as in the SDKs) when it is
/// https, or http to a loopback address, 169.254.170.2 or 169.254.170.23 (EKS Pod Identity).
/// `Authorization` comes from the file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` names, else
/// from `AWS_CONTAINER_AUTHORIZATION_TOKEN`. The answer is
/// `{AccessKeyId, SecretAccessKey, Token, Expiration}`.
///
/// Messages name the endpoint by scheme and host only: the path of a relative URI is what
/// gives access to the task's credentials.
struct ContainerLink {
    static let name = "container"
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost", "::1"]

    var environment: [String: String]
    var http: HTTPClient
    var host: String

    func resolve() async throws(AWSCredentialError) -> LinkOutcome {
        let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        let url: String
        let variable: String
        if let relative {
            url = "http://\(host)" + (relative.hasPrefix("/") ? relative : "/" + relative)
            variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
        } else if let full {
            try Self.checkFullURI(full)
            url = full
            variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        } else {
            return .absent(AWSCredentialFinding(
                link: Self.name, detail: "not in a container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)"))
        }
        let endpoint = "\(Self.origin(url)) (\(variable))"
        func fail(_ message: String) -> AWSCredentialError {
            AWSCredentialError(kind: .container, message: "container credentials endpoint \(endpoint): \(message)")
        }

        var request = HTTPRequest(method: "GET", url: url, connectTimeout: .seconds(2), timeout: .seconds(5), maxRedirects: 0)
        request.headers.set("Accept", "application/json")
        if let token = try authorizationToken() { request.headers.set("Authorization", token) }

        var quiet = Logger(label: "flow.aws.container")
        quiet.logLevel = .warning
        let client = HTTPClient(transport: http.transport, clock: http.clock,
                                retry: HTTPRetryPolicy(attempts: 3, baseDelay: .milliseconds(250), maxDelay: .seconds(1)),
                                logger: quiet)
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch let error as HTTPError {
            throw fail("\(error.kind.rawValue): \(error.message)")
        } catch {
            throw fail("\(error)")
        }
        guard response.isSuccess else {
            let reason = "\(response.status) \(HTTPStatusText.reason(response.status))"
            throw fail(response.bodyMessage.map { "\(reason): \($0)" } ?? reason)
        }
        do {
            return .found(try CredentialDocument.parse(response.body, tokenKey: "Token", source: .container))
        } catch {
            throw fail("unusable answer: \(error.message)")
        }
    }

    /// The token for `Authorization`: the file's content (trimmed) wins over the variable.
    func authorizationToken() throws(AWSCredentialError) -> String? {
        var token: String?
        if let path = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AWSCredentialError(kind: .container,
                                         message: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names \(path), which cannot be read")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        }
        guard let token, !token.isEmpty else { return nil }
        guard !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw AWSCredentialError(kind: .container, message: "the container authorization token contains a line break")
        }
        return token
    }

    /// https anywhere; http only to the container agent's addresses or this host.
    static func checkFullURI(_ uri: String) throws(AWSCredentialError) {
        guard let parts = URLComponents(string: uri), let scheme = parts.scheme?.lowercased(), let host = parts.host,
              !host.isEmpty else {
            throw AWSCredentialError(kind: .container, message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL")
        }
        if scheme == "https" { return }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        guard scheme == "http", allowedHTTPHosts.contains(bare) || isLoopbackIPv4(bare) else {
            throw AWSCredentialError(
                kind: .container,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, 169.254.170.2 or 169.254.170.23; it is \(scheme)://\(host)")
        }
    }

    static func isLoopbackIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    /// `scheme://host[:port]`.
    static func origin(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return "(unparsable URL)" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (parts.port.map { ":\($0)" } ?? "")
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
