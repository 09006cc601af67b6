import Foundation
import FlowCore

/// How a run takes rerun requests, set by whoever carries them out at the end of a pass
/// (``RunLauncher``): a run started without one refuses requests, since nothing would act on them.
public struct RerunPolicy: Sendable {
    /// Problems with param values a request gives (the planner's own checks: type, choices),
    /// empty when they fit.
    public var checkParams: @Sendable ([String: String]) -> [String]

    public init(checkParams: @escaping @Sendable ([String: String]) -> [String] = { _ in [] }) {
        self.checkParams = checkParams
    }
}

/// A step's way to the run's rerun requests (``StepContext/requestRerun(_:)``): checks a request
/// against the run's plan and commits it to the database before the step goes on.
struct RerunLedger: Sendable {
    var database: RunDatabase
    var runID: String
    var plan: RunPlan
    var policy: RerunPolicy?
    var clock: any EngineClock
    var secrets: RunSecrets

    /// Checks and records `request`; returns how it reads in the log (`train, batch-size 32 → 16`).
    func record(_ request: RerunRequest, stepID: String, attempt: Int) throws -> String {
        guard policy != nil else {
            throw StepError("this run cannot re-run steps on request: it was not started by `flow run`, `flow resume` or `flow retry`",
                            kind: .terminal)
        }
        try check(request)
        let reason = secrets.mask(request.reason)
        let record = RerunRecord(runId: runID, stepId: stepID, attempt: attempt, steps: RerunRecord.encode(request.steps),
                                 params: RerunRecord.encode(request.params), reason: reason, requestedAt: clock.now(),
                                 status: .pending)
        do {
            try database.recordRerun(record)
        } catch {
            throw StepError("cannot record the rerun request: \(error)", kind: .terminal)
        }
        let current = Dictionary(plan.params.map { ($0.name, $0.value.stringValue) }) { a, _ in a }
        return RerunRecord.describe(steps: request.steps, changes: request.params.sorted { $0.key < $1.key }.map {
            ParamChange(name: $0.key, from: current[$0.key], to: $0.value)
        }, reason: reason)
    }

    /// Unknown steps and params, secret params, values holding a secret or not fitting the
    /// param: terminal, naming what is wrong and what would fix it.
    func check(_ request: RerunRequest) throws {
        guard !request.steps.isEmpty else {
            throw StepError("a rerun request must name at least one step of the run", kind: .terminal)
        }
        var known: [String] = []
        for step in plan.steps where !known.contains(step.baseID) { known.append(step.baseID) }
        for name in request.steps where !plan.steps.contains(where: { $0.id == name || $0.baseID == name }) {
            var message = "a rerun request names `\(name)`, which is not a step of this run"
            if let close = Spelling.closest(to: name, among: known) { message += " (did you mean `\(close)`?)" }
            throw StepError(message + "; its steps are " + known.map { "`\($0)`" }.joined(separator: ", "), kind: .terminal)
        }
        let declared = plan.params.map(\.name)
        let secret = Set(plan.secretParams)
        for (name, value) in request.params.sorted(by: { $0.key < $1.key }) {
            guard declared.contains(name) else {
                var message = "a rerun request sets param `\(name)`, which the pipeline does not declare"
                if let close = Spelling.closest(to: name, among: declared) { message += " (did you mean `\(close)`?)" }
                throw StepError(message + (declared.isEmpty ? "; it declares no params" : "; its params are "
                                + declared.map { "`\($0)`" }.joined(separator: ", ")), kind: .terminal)
            }
            guard !secret.contains(name) else {
                throw StepError("a rerun request cannot set param `\(name)`: it is secret, and a request's params are stored with the run; "
                                + "give it with `--param` to `flow resume` instead", kind: .terminal)
            }
            guard secrets.mask(value) == value else {
                throw StepError("a rerun request cannot set param `\(name)` to a value holding a secret of the run (it would be stored)",
                                kind: .terminal)
            }
        }
        if let problems = policy?.checkParams(request.params), !problems.isEmpty {
            throw StepError("a rerun request's params do not fit: " + problems.map { secrets.mask($0) }.joined(separator: "; "),
                            kind: .terminal)
        }
    }

    func count(requestedBy step: String) throws -> Int {
        do {
            return try database.rerunCount(runID, requestedBy: step)
        } catch {
            throw StepError("cannot read the run's rerun requests: \(error)", kind: .terminal)
        }
    }
}

/// A param a rerun changes, for messages: `batch-size 32 → 16`.
public struct ParamChange: Sendable, Hashable, Codable {
    public var name: String
    /// The value before; nil when the param had none.
    public var from: String?
    public var to: String

    public var description: String { "\(name) \(from ?? "(none)") → \(to)" }
}
