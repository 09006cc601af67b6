import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// One check as it runs: the step's flat inputs and a `checks:` entry merged, defaults applied,
/// every value read (statuses, JSON paths) so a mistake is a terminal error before any request.
struct HealthCheck: Sendable {
    var name: String
    var url: String
    var method: String
    var headers: [(name: String, value: String)]
    var body: String?
    var statuses: [ClosedRange<Int>]
    var statusText: String
    var bodyContains: String?
    var json: [(path: JSONPath, value: JSONValue)]
    var header: [(name: String, expectation: HeaderExpectation)]
    var latency: LatencyBounds?
    var samples: Int
    var insecure: Bool
    var allowMetadata: Bool
    var timeout: Duration

    static let defaultTimeout = DurationValue.seconds(10)

    /// The checks `input` describes, or the terminal error that names the input at fault.
    static func checks(from input: HealthCheckInput) throws -> [HealthCheck] {
        if input.url != nil, input.checks != nil {
            throw StepError("give either `url` (one check) or `checks` (several), not both", kind: .terminal)
        }
        if let url = input.url {
            return [try resolve(HealthCheckSpec(url: url), defaults: input, index: nil)]
        }
        guard let specs = input.checks, !specs.isEmpty else {
            throw StepError("a health check needs `url`, or `checks` with at least one entry", kind: .terminal)
        }
        return try specs.enumerated().map { try resolve($1, defaults: input, index: $0) }
    }

    static func resolve(_ spec: HealthCheckSpec, defaults: HealthCheckInput, index: Int?) throws -> HealthCheck {
        let prefix = index.map { "checks[\($0)]." } ?? ""
        func problem(_ text: String) -> StepError { StepError(text, kind: .terminal) }

        let url = spec.url.trimmingCharacters(in: .whitespaces)
        let scheme = url.range(of: "://").map { url[..<$0.lowerBound].lowercased() }
        guard scheme == "http" || scheme == "https", url.count > (scheme?.count ?? 0) + 3 else {
            throw problem("input `\(prefix)url`: `\(HTTPDisplay.url(url))` is not an http:// or https:// URL")
        }
        let method = (spec.method ?? defaults.method ?? "GET").uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) else {
            throw problem("input `\(prefix)method`: `\(method)` is not an HTTP method; write `GET`, `HEAD`, `POST`, …")
        }

        var headers: [(name: String, value: String)] = []
        for (name, value) in (defaults.headers ?? [:]).sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        for (name, value) in (spec.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            headers.append((name, value))
        }
        for header in headers where header.name.isEmpty || header.name.contains(where: { $0.isWhitespace || $0 == ":" })
            || header.value.contains(where: \.isNewline) {
            throw problem("input `\(prefix)headers`: `\(header.name)` is not a header name, or its value has a line break")
        }

        let expect = spec.expect ?? defaults.expect
        let status = expect?.status ?? .success
        let statuses: [ClosedRange<Int>]
        switch status.ranges() {
        case .success(let ranges): statuses = ranges
        case .failure(let why): throw problem(prefix.isEmpty ? why.description : why.description.replacingOccurrences(of: "input `", with: "input `\(prefix)"))
        }
        var json: [(JSONPath, JSONValue)] = []
        for (path, value) in (expect?.json ?? [:]).sorted(by: { $0.key < $1.key }) {
            do { json.append((try JSONPath(path), value)) } catch {
                throw problem("input `\(prefix)expect.json`: \(error)")
            }
        }
        let header = (expect?.header ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, expectation: $0.value) }
        for (name, expectation) in header where expectation.equals == nil && expectation.contains == nil {
            throw problem("input `\(prefix)expect.header.\(name)`: give the value, or `{ contains: text }`")
        }

        let latency = spec.latency ?? defaults.latency
        let samples = spec.samples ?? defaults.samples ?? (latency == nil ? 1 : 5)
        guard (1...100).contains(samples) else {
            throw problem("input `\(prefix)samples`: \(samples) is out of range; give 1 to 100 requests per try")
        }
        let timeout = spec.timeout ?? defaults.timeout ?? defaultTimeout
        guard timeout.milliseconds > 0 else { throw problem("input `\(prefix)timeout` must be more than 0s") }

        return HealthCheck(name: spec.name ?? "\(method) \(HTTPDisplay.url(url))", url: url, method: method, headers: headers,
                           body: spec.body ?? defaults.body, statuses: statuses, statusText: status.description,
                           bodyContains: expect?.bodyContains, json: json, header: header, latency: latency, samples: samples,
                           insecure: spec.insecure ?? defaults.insecure ?? false,
                           allowMetadata: spec.allowMetadata ?? defaults.allowMetadata ?? false,
                           timeout: .milliseconds(timeout.milliseconds))
    }

    /// Header names whose values are credentials: masked as the run's secrets from the start.
    static func isCredential(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie"].contains(lower) { return true }
        return ["token", "secret", "key", "auth", "password", "session", "signature", "credential"].contains { lower.contains($0) }
    }
}

/// How flow shows a URL in a log line or message: without its query or user information.
enum HTTPDisplay {
    static func url(_ text: String) -> String { HTTPRequest(url: text).displayURL }
}
