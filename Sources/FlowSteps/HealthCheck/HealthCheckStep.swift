import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// `health-check`: HTTP(S) checks of a deployed service (status, body text, JSON values,
/// headers, latency over samples), tried again with backoff until healthy or `within` has
/// passed; cloud metadata addresses refused unless allowed (see `docs/health-check.md`).
public struct HealthCheckStep: BuiltinStepType {
    public typealias Input = HealthCheckInput

    public static let name = "health-check"
    public static let summary = "Checks HTTP(S) endpoints (status, body, JSON, headers, latency) until healthy or a deadline; refuses cloud metadata addresses"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("status", "the status of the first check's last response"),
        StepOutput("latency-p50", "the median request time of the last try, in milliseconds (every check's requests)"),
        StepOutput("latency-p95", "the 95th-percentile request time of the last try, in milliseconds"),
        StepOutput("attempts", "the number of tries"),
    ])
    public static let example = """
        health:
          uses: health-check
          needs: [deploy]
          with:
            url: ${{ steps.deploy.outputs.Endpoint }}/health
            headers: { Authorization: "Bearer ${{ env.HEALTH_TOKEN }}" }
            expect: { status: 200, json: { status: ok } }
            latency: { p95: 500ms }
            within: 5m
        """

    public init() {}

    public func run(_ input: HealthCheckInput, context: StepContext) async throws -> StepOutcome {
        let checks = try HealthCheck.checks(from: input)
        for check in checks {
            for header in check.headers where HealthCheck.isCredential(header.name) {
                context.addSecret(header.value)
                // The credential alone (`Bearer <token>` → `<token>`), as a server may echo it.
                if let space = header.value.firstIndex(of: " ") {
                    let credential = header.value[header.value.index(after: space)...].trimmingCharacters(in: .whitespaces)
                    if credential.count >= 8 { context.addSecret(credential) }
                }
            }
        }
        if input.within == nil, input.interval != .seconds(5) || input.maxInterval != .seconds(60) {
            context.log.note("`interval` and `max-interval` apply only with `within`: one try")
        }
        for check in checks {
            if check.insecure {
                context.log.note("TLS verification is off for \(check.name) (`insecure: true`): its certificate and host name are not checked")
            }
            if check.allowMetadata {
                context.log.note("cloud metadata addresses are allowed for \(check.name) (`allow-metadata: true`)")
            }
        }
        let transport = try context.network().http.transport
        let probes = checks.map { HealthProbe(check: $0, transport: transport) }

        let clock = context.clock
        let deadline = input.within.map { clock.now().addingTimeInterval($0.seconds) }
        let cap = max(input.maxInterval.milliseconds, input.interval.milliseconds)
        var wait = input.interval.milliseconds
        var attempt = 0
        var results: [HealthProbe.Result] = []
        while true {
            attempt += 1
            results = []
            for probe in probes {
                let result = try await probe.run()
                context.log.note(line(attempt, probe.check, result, several: probes.count > 1))
                if let refusal = result.refusal {
                    throw StepError(context.mask("\(probe.check.name): refused: \(refusal)"), kind: .terminal)
                }
                results.append(result)
            }
            if results.allSatisfy(\.healthy) {
                context.log.note("healthy after \(attempt) \(attempt == 1 ? "try" : "tries")")
                return StepOutcome(outputs: outputs(results, attempts: attempt))
            }
            guard let deadline else { break }
            let left = deadline.timeIntervalSince(clock.now())
            guard left > 0 else { break }
            let pause = min(Double(wait) / 1000, left)
            context.log.note("unhealthy; next try in \(DurationValue(milliseconds: Int64((pause * 1000).rounded()))) (\(DurationValue(milliseconds: Int64((left * 1000).rounded()))) left of `within`)")
            try await clock.sleep(for: .milliseconds(Int64((pause * 1000).rounded())))
            wait = min(wait * 2, cap)
        }
        let reasons = zip(probes, results).filter { !$1.healthy }.map { "\($0.check.name): \($1.problems.joined(separator: "; "))" }
        let when = input.within.map { "not healthy within \($0) (\(attempt) \(attempt == 1 ? "try" : "tries"))" } ?? "unhealthy"
        throw StepError(context.mask("\(when): " + reasons.joined(separator: " · ")), kind: .retryable)
    }

    /// `try 2 · GET http://…/health: 503 in 3.1 ms — unhealthy: status 503 is not 200-299`.
    func line(_ attempt: Int, _ check: HealthCheck, _ result: HealthProbe.Result, several: Bool) -> String {
        var text = "try \(attempt) · \(check.name): "
        if result.statuses.count > 1, let summary = result.latency {
            let counts = Dictionary(grouping: result.statuses, by: { $0 }).sorted { $0.key < $1.key }
                .map { "\($0.key) ×\($0.value.count)" }.joined(separator: ", ")
            text += "\(summary.count) requests, \(counts), p50 \(LatencySummary.text(summary.p50)), p95 \(LatencySummary.text(summary.p95)), max \(LatencySummary.text(summary.max))"
        } else if let status = result.status {
            text += "\(status)"
            if let last = result.latencies.last { text += " in \(LatencySummary.text(last))" }
        } else {
            text += "no response"
        }
        if result.redirects > 0 { text += " after \(result.redirects) redirect\(result.redirects == 1 ? "" : "s")" }
        if let refusal = result.refusal { return text + " — refused: \(refusal)" }
        return text + (result.healthy ? " — healthy" : " — unhealthy: " + result.problems.joined(separator: "; "))
    }

    func outputs(_ results: [HealthProbe.Result], attempts: Int) -> [String: String] {
        let summary = LatencySummary(results.flatMap(\.latencies))
        return [
            "status": results.first?.status.map(String.init) ?? "",
            "latency-p50": summary.map { String(Int($0.p50.rounded())) } ?? "",
            "latency-p95": summary.map { String(Int($0.p95.rounded())) } ?? "",
            "attempts": String(attempts),
        ]
    }
}
