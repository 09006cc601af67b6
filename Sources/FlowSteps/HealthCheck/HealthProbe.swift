import Foundation
import FlowHTTP

/// One try of one check: `samples` requests in a row (stopping at the first unhealthy one), each
/// response judged, then the request times against `latency`.
struct HealthProbe: Sendable {
    let check: HealthCheck
    let transport: any HTTPTransport

    /// What a try found.
    struct Result: Sendable {
        /// The last response's status; nil when no response came.
        var status: Int?
        var statuses: [Int] = []
        /// Request times in milliseconds (libcurl's total time, redirects included).
        var latencies: [Double] = []
        var redirects = 0
        var remoteAddress: String?
        /// Why the check is unhealthy; empty when healthy.
        var problems: [String] = []
        /// Set when a destination was refused (a metadata address): the step stops at once.
        var refusal: String?

        var healthy: Bool { problems.isEmpty && refusal == nil }
        var latency: LatencySummary? { LatencySummary(latencies) }
    }

    /// The largest response body a check reads, in bytes.
    static let limit = 4 << 20

    func run() async throws -> Result {
        var result = Result()
        for _ in 0..<check.samples {
            try Task.checkCancellation()
            do {
                let response = try await transport.perform(request())
                result.status = response.status
                result.statuses.append(response.status)
                if let time = response.totalTime {
                    let (seconds, attoseconds) = time.components
                    result.latencies.append(Double(seconds) * 1000 + Double(attoseconds) / 1e15)
                }
                result.redirects = response.redirects
                result.remoteAddress = response.remoteAddress ?? result.remoteAddress
                result.problems = check.problems(with: response)
            } catch let error as HTTPError where error.kind == .refused {
                result.refusal = error.message
                return result
            } catch let error as HTTPError {
                result.problems = [error.kind == .status ? error.message : "\(error.kind.rawValue): \(error.message)"]
            }
            if !result.problems.isEmpty { return result }
        }
        if let summary = result.latency, let problem = check.latencyProblem(summary) {
            result.problems = [problem]
        }
        return result
    }

    func request() -> HTTPRequest {
        var headers = HTTPHeaders()
        for header in check.headers { headers.add(header.name, header.value) }
        let body: HTTPBody = check.body.map { .bytes(Data($0.utf8)) } ?? .none
        let connect: Duration = check.timeout < .seconds(10) ? check.timeout : .seconds(10)
        return HTTPRequest(method: check.method, url: check.url, headers: headers, body: body,
                           destination: .memory(limit: Self.limit), connectTimeout: connect, timeout: check.timeout,
                           maxRedirects: 10, insecure: check.insecure,
                           destinationGuard: check.allowMetadata ? nil : CloudMetadata.destinationGuard)
    }
}
