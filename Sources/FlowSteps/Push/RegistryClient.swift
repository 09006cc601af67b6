import Foundation
import FlowEngine
import FlowHTTP

/// Reads manifests from an OCI registry over FlowHTTP, as the distribution spec's clients do:
/// HTTPS (verified, or against `caBundle`, or unverified when `insecure`; with `insecure` a
/// registry that speaks plain HTTP is read over HTTP), and the registry's auth challenge
/// answered: `Basic` with the login, or `Bearer` with a token fetched from the realm it names.
public actor RegistryClient {
    let http: HTTPClient
    let endpoint: String
    let credentials: RegistryCredentials?
    let insecure: Bool
    let caBundle: String?
    /// Decided by the first request: `https`, or `http` for an insecure registry without TLS.
    private var scheme: String?
    /// The `Authorization` value that worked, reused for later requests.
    private var authorization: String?

    public init(http: HTTPClient, endpoint: String, credentials: RegistryCredentials?, insecure: Bool, caBundle: String?) {
        self.http = http
        self.endpoint = endpoint
        self.credentials = credentials
        self.insecure = insecure
        self.caBundle = caBundle
    }

    /// `GET /v2/<repository>/manifests/<reference>` with the OCI and Docker `Accept` types.
    public func manifest(_ repository: String, reference: String) async throws -> HTTPResponse {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let scope = "repository:\(repository):pull"
        var response = try await get(path, authorization: authorization)
        if response.status == 401 {
            authorization = try await answer(challenge: response.headers["WWW-Authenticate"], scope: scope)
            response = try await get(path, authorization: authorization)
        }
        switch response.status {
        case 200: return response
        case 401, 403:
            throw StepError("the registry \(endpoint) refused to read \(repository):\(reference) with the login given (HTTP \(response.status)): check `username` and `password`",
                            kind: .terminal)
        case 404:
            throw StepError("the registry \(endpoint) has no manifest for \(repository):\(reference) after the push (\(Self.errorText(response)))",
                            kind: .terminal)
        default:
            throw StepError("reading \(repository):\(reference) from \(endpoint): HTTP \(response.status) \(Self.errorText(response))",
                            kind: response.status >= 500 || response.status == 429 ? .retryable : .terminal)
        }
    }

    /// The scheme, decided once: HTTPS, falling back to HTTP only for an insecure registry that
    /// does not speak TLS.
    private func get(_ path: String, authorization: String?) async throws -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Accept", ManifestVerification.acceptedTypes.joined(separator: ", "))
        if let authorization { headers.set("Authorization", authorization) }
        if let scheme {
            return try await send(HTTPRequest(url: "\(scheme)://\(endpoint)\(path)", headers: headers, maxRedirects: 3,
                                              insecure: insecure, caBundle: caBundle))
        }
        let secure = HTTPRequest(url: "https://\(endpoint)\(path)", headers: headers, maxRedirects: 3, insecure: insecure, caBundle: caBundle)
        guard insecure else {
            let response = try await send(secure)
            scheme = "https"
            return response
        }
        do {
            let response = try await http.send(secure)
            scheme = "https"
            return response
        } catch let error as HTTPError where [.tls, .other, .connectionLost].contains(error.kind) {
            let response = try await send(HTTPRequest(url: "http://\(endpoint)\(path)", headers: headers, maxRedirects: 3))
            scheme = "http"
            return response
        }
    }

    private func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch let error as HTTPError where !insecure && error.kind == .tls {
            throw StepError("the registry \(endpoint)'s certificate is not trusted (\(error.message)): give `ca-cert` (its CA file), or `insecure: true` for a registry you trust without TLS verification",
                            kind: .terminal)
        } catch let error as HTTPError {
            throw StepError("cannot read from the registry \(endpoint): \(error.kind.rawValue): \(error.message)", kind: .retryable)
        }
    }

    /// The `Authorization` value for a `WWW-Authenticate` challenge.
    private func answer(challenge: String?, scope: String) async throws -> String {
        guard let challenge = challenge.flatMap(AuthChallenge.init) else {
            throw StepError("the registry \(endpoint) asks for a login but names no scheme it accepts", kind: .terminal)
        }
        guard let credentials else {
            throw StepError("the registry \(endpoint) asks for a login: give the step `username` and `password`", kind: .terminal)
        }
        switch challenge.scheme {
        case "basic":
            return "Basic " + credentials.basic
        case "bearer":
            guard let realm = challenge.parameters["realm"] else {
                throw StepError("the registry \(endpoint)'s Bearer challenge names no realm", kind: .terminal)
            }
            var items = [URLQueryItem]()
            if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
            items.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? scope))
            guard var components = URLComponents(string: realm) else {
                throw StepError("the registry's token realm \(realm) is not a URL", kind: .terminal)
            }
            let existing = components.queryItems ?? []
            components.queryItems = existing + items
            guard let url = components.string else { throw StepError("the registry's token realm \(realm) is not a URL", kind: .terminal) }
            var headers = HTTPHeaders()
            headers.set("Authorization", "Basic " + credentials.basic)
            let response = try await send(HTTPRequest(url: url, headers: headers, maxRedirects: 3, insecure: insecure, caBundle: caBundle))
            guard response.status == 200 else {
                throw StepError("the registry's token service refused the login (HTTP \(response.status)): check `username` and `password`",
                                kind: .terminal)
            }
            let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            guard let token = (object?["token"] as? String) ?? (object?["access_token"] as? String) else {
                throw StepError("the registry's token service answered without a token", kind: .terminal)
            }
            return "Bearer " + token
        default:
            throw StepError("the registry \(endpoint) asks for `\(challenge.scheme)` authentication, which flow does not speak", kind: .terminal)
        }
    }

    static func errorText(_ response: HTTPResponse) -> String {
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
           let first = (object["errors"] as? [[String: Any]])?.first {
            return "\(first["code"] as? String ?? "UNKNOWN"): \(first["message"] as? String ?? "")"
        }
        return response.bodyMessage ?? ""
    }
}

/// A `WWW-Authenticate` value: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
public struct AuthChallenge: Sendable, Hashable {
    /// Lowercased: `basic`, `bearer`.
    public var scheme: String
    /// Keys lowercased, values unquoted.
    public var parameters: [String: String]

    public init?(_ header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        scheme = trimmed[..<space].lowercased()
        parameters = [:]
        var rest = Substring(trimmed[space...])
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { value.append(c) }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
    }
}
