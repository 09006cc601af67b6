import FlowCore

/// The `with:` of a `health-check` step; its fields are the step's schema. One check written
/// flat (`url`, `method`, …) or several under `checks:`, where the flat fields are defaults
/// each check may override; `within`, `interval` and `max-interval` are the step's.
public struct HealthCheckInput: StepInputSchema {
    public var url: String?
    public var checks: [HealthCheckSpec]?
    public var method: String?
    public var headers: [String: String]?
    public var body: String?
    public var expect: HealthExpect?
    public var latency: LatencyBounds?
    public var samples: Int?
    public var insecure: Bool?
    public var allowMetadata: Bool?
    public var timeout: DurationValue?
    public var within: DurationValue?
    public var interval: DurationValue
    public var maxInterval: DurationValue

    enum CodingKeys: String, CodingKey {
        case url, checks, method, headers, body, expect, latency, samples, insecure, allowMetadata = "allow-metadata",
             timeout, within, interval, maxInterval = "max-interval"
    }

    public static let help: [String: InputHelp] = [
        "url": InputHelp("the `http://` or `https://` URL to check (or give `checks`)"),
        "checks": InputHelp("several checks, each a mapping with `url` and any of the per-check inputs; all must pass in the same try"),
        "method": InputHelp("the request method (default `GET`)"),
        "headers": InputHelp("request headers, name → value; values of credential headers (`Authorization`, `Cookie`, `*-Token`, `*-Key`, …) are masked like secrets"),
        "body": InputHelp("the request body, sent as given"),
        "expect": InputHelp("what a healthy response is: `status` (default `200-299`), `body-contains`, `json` (path → value), `header` (name → value or `{ contains: … }`)"),
        "latency": InputHelp("upper bounds on the request time over `samples` requests: `{ p50: 100ms, p95: 500ms, max: 1s }`"),
        "samples": InputHelp("requests per check and try (default 1, or 5 when `latency` is given)"),
        "insecure": InputHelp("turn TLS certificate and host-name verification off for this check only (said in the log; default false)"),
        "allow-metadata": InputHelp("allow requests to cloud metadata addresses (169.254.169.254, fd00:ec2::254, 169.254.170.2, …), refused by default also after a redirect and by resolved address (default false)"),
        "timeout": InputHelp("the time one request may take, redirects included (default 10s)"),
        "within": InputHelp("keep trying until healthy or this much time has passed (default: one try)"),
        "interval": InputHelp("the first wait between tries; it doubles after each try up to `max-interval`", default: "5s"),
        "max-interval": InputHelp("the longest wait between tries", default: "1m"),
    ]
}

/// One entry of `checks:`.
public struct HealthCheckSpec: StepInputSchema {
    public var url: String
    public var name: String?
    public var method: String?
    public var headers: [String: String]?
    public var body: String?
    public var expect: HealthExpect?
    public var latency: LatencyBounds?
    public var samples: Int?
    public var insecure: Bool?
    public var allowMetadata: Bool?
    public var timeout: DurationValue?

    enum CodingKeys: String, CodingKey {
        case url, name, method, headers, body, expect, latency, samples, insecure, allowMetadata = "allow-metadata", timeout
    }

    public static let help: [String: InputHelp] = [
        "url": InputHelp("the `http://` or `https://` URL to check"),
        "name": InputHelp("what the log calls this check (default: its method and URL)"),
        "method": HealthCheckInput.help["method"]!,
        "headers": InputHelp("request headers, merged over the step's `headers` by name"),
        "body": HealthCheckInput.help["body"]!,
        "expect": HealthCheckInput.help["expect"]!,
        "latency": HealthCheckInput.help["latency"]!,
        "samples": HealthCheckInput.help["samples"]!,
        "insecure": HealthCheckInput.help["insecure"]!,
        "allow-metadata": HealthCheckInput.help["allow-metadata"]!,
        "timeout": HealthCheckInput.help["timeout"]!,
    ]
}

/// `expect:` of a check.
public struct HealthExpect: StepInputSchema, Hashable {
    public var status: StatusExpectation?
    public var bodyContains: String?
    public var json: [String: JSONValue]?
    public var header: [String: HeaderExpectation]?

    enum CodingKeys: String, CodingKey {
        case status, bodyContains = "body-contains", json, header
    }

    public static let help: [String: InputHelp] = [
        "status": InputHelp("a status (`200`), a list (`[200, 204]`) or a range (`200-299`, also inside the list); default `200-299`"),
        "body-contains": InputHelp("text the response body must contain"),
        "json": InputHelp("path → value the JSON body must hold, compared with its type: `status: ok`, `data.items[0].id: 7` (quote a path with brackets inside `{ }`)"),
        "header": InputHelp("response header → the value it must have, or `{ contains: text }`"),
    ]
}

/// `latency:` of a check: bounds on the request time, each optional.
public struct LatencyBounds: StepInputSchema, Hashable {
    public var p50: DurationValue?
    public var p95: DurationValue?
    public var max: DurationValue?

    public static let help: [String: InputHelp] = [
        "p50": InputHelp("the median request time must not be over this"),
        "p95": InputHelp("the 95th-percentile request time must not be over this"),
        "max": InputHelp("no request may take longer than this"),
    ]
}
