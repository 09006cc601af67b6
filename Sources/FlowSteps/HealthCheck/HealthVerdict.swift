import Foundation
import FlowHTTP

/// Whether one response is healthy for a check: its status, body text, JSON values and
/// headers against `expect`. Every reason names what was expected and what came.
extension HealthCheck {
    /// Why `response` is unhealthy, in the order status, body, JSON, headers; empty when healthy.
    func problems(with response: HTTPResponse) -> [String] {
        var problems: [String] = []
        if !statuses.contains(where: { $0.contains(response.status) }) {
            problems.append("status \(response.status) is not \(statusText)")
        }
        if let text = bodyContains, !response.text.contains(text) {
            problems.append("the body does not contain \(quoted(text)) (it starts \(quoted(excerpt(response.text))))")
        }
        if !json.isEmpty {
            if let document = JSONValue.parse(response.body) {
                for (path, want) in json {
                    switch path.value(in: document) {
                    case .failure(let why):
                        problems.append("json `\(path)`: \(why)")
                    case .success(let got) where got != want:
                        problems.append("json `\(path)`: got \(got) (\(got.kind)), want \(want) (\(want.kind))")
                    case .success:
                        break
                    }
                }
            } else {
                problems.append("the body is not JSON (it starts \(quoted(excerpt(response.text)))), so `expect.json` cannot be read")
            }
        }
        for (name, expectation) in header {
            let values = response.headers.values(name)
            guard !values.isEmpty else {
                problems.append("no `\(name)` header in the response")
                continue
            }
            if let equals = expectation.equals, !values.contains(equals) {
                problems.append("header `\(name)` is \(quoted(values[0])), want \(quoted(equals))")
            }
            if let contains = expectation.contains, !values.contains(where: { $0.contains(contains) }) {
                problems.append("header `\(name)` is \(quoted(values[0])), which does not contain \(quoted(contains))")
            }
        }
        return problems
    }

    /// Why the request times break `latency`, or nil.
    func latencyProblem(_ summary: LatencySummary) -> String? {
        guard let latency else { return nil }
        var problems: [String] = []
        let bounds: [(String, Int64?, Double)] = [
            ("p50", latency.p50?.milliseconds, summary.p50), ("p95", latency.p95?.milliseconds, summary.p95),
            ("max", latency.max?.milliseconds, summary.max),
        ]
        for (name, bound, value) in bounds {
            if let bound, value > Double(bound) {
                problems.append("latency \(name) \(LatencySummary.text(value)) is over the \(bound) ms bound")
            }
        }
        guard !problems.isEmpty else { return nil }
        return problems.joined(separator: ", ") + " (\(summary.count) request\(summary.count == 1 ? "" : "s"))"
    }

    private func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func excerpt(_ text: String) -> String {
        let flat = text.prefix(80)
        return flat.count < text.count ? flat + "…" : String(flat)
    }
}
