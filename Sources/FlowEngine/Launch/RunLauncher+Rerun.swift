import Foundation
import FlowCore

/// A rerun about to be carried out: the run's pending requests merged, planned, and numbered.
public struct RerunPass: Sendable, Hashable {
    /// Which rerun of the run this is (1 for the first; the run's pass is this plus one).
    public var number: Int
    public var requestIDs: [Int64]
    /// The steps that asked, each once, in the order they asked.
    public var requestedBy: [String]
    /// The steps named by the requests.
    public var steps: [String]
    /// Every step instance forced to run again: the named ones and everything downstream.
    public var rerunning: [String]
    /// The params the requests change (a later request wins over an earlier one).
    public var changes: [ParamChange]
    /// The requests' reasons, each once, joined with `; `.
    public var reason: String
    /// The run's stored params (JSON, secret ones left out) once the changes apply.
    var storedParams: String

    /// `rerun requested by remediate: train, batch-size 32 → 16 (out of memory)`.
    public var summary: String {
        "rerun requested by \(requestedBy.joined(separator: ", ")): " + RerunRecord.describe(steps: steps, changes: changes, reason: reason)
    }
}

/// Carrying out rerun requests (``RerunRequest``): when a pass of a run ends (every step
/// finished) with requests pending, the same process takes the run over again as
/// `flow retry RUN --step X…` would — the named steps and everything downstream, and every
/// step that did not succeed — with the run's params changed as asked. Lives here, below the
/// command line, so every way of running a pipeline (the commands, the schedule daemon) does
/// it the same way, and engine tests drive it with their own step types.
extension RunLauncher {
    /// What the run's pending requests lead to.
    public enum RerunDecision: Sendable {
        /// Nothing is pending.
        case none
        /// The requests were settled as refused (the pass bound, a plan they no longer fit): why.
        case refused(String)
        /// The plan to run next and the pass it carries out.
        case rerun(PipelineSource.Loaded, RerunPass)
    }

    /// The policy a run of `pipeline` takes requests under: params checked as the planner checks `--param`.
    func rerunPolicy(_ pipeline: Pipeline) -> RerunPolicy {
        RerunPolicy { params in
            RunPlanner.checkParams(pipeline, params.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) }, profile: nil)
                .filter { $0.severity == .error }.map(\.message)
        }
    }

    /// Decides the run's pending requests against `loaded` (the plan of its last pass, whose
    /// secret params are given again from memory, never stored): plans the next pass with the
    /// changed params, `alsoRerunning` (`flow retry --step`) forced too; or refuses them, saying why.
    public func pendingRerun(_ record: RunRecord, _ loaded: PipelineSource.Loaded, text: String, database: RunDatabase,
                             alsoRerunning: [String] = []) throws -> RerunDecision {
        let pending = try database.pendingReruns(of: record.id)
        guard !pending.isEmpty else { return .none }
        let done = try database.rerunPasses(of: record.id)
        var requestedBy: [String] = []
        var steps: [String] = []
        var reasons: [String] = []
        var params: [String: String] = [:]
        for request in pending {
            if !requestedBy.contains(request.stepId) { requestedBy.append(request.stepId) }
            for step in request.stepList where !steps.contains(step) { steps.append(step) }
            if !request.reason.isEmpty && !reasons.contains(request.reason) { reasons.append(request.reason) }
            params.merge(request.paramValues) { _, later in later }
        }
        let current = Dictionary(loaded.plan.params.map { ($0.name, $0.value.stringValue) }) { a, _ in a }
        let changes = params.sorted { $0.key < $1.key }.filter { current[$0.key] != $0.value }
            .map { ParamChange(name: $0.key, from: current[$0.key], to: $0.value) }
        let described = "requested by \(requestedBy.joined(separator: ", ")): "
            + RerunRecord.describe(steps: steps, changes: changes, reason: reasons.joined(separator: "; "))
        func refuse(_ why: String) throws -> RerunDecision {
            try database.settleReruns(record.id, ids: pending.compactMap(\.id), as: .refused, note: why, at: clock.now())
            return .refused(why)
        }
        guard done + 1 < RerunRequest.maxPasses else {
            return try refuse("not rerunning run \(record.id) (\(described)): it has been rerun \(done) time\(done == 1 ? "" : "s") on request, "
                              + "the most a run may be (\(RerunRequest.maxPasses) passes in all)")
        }
        // Planned as `flow retry` plans: the run's stored params with the changes, its secret
        // params from the last pass's plan, its `--only` selection.
        let secret = Set(loaded.plan.secretParams)
        var changed = record
        var stored = try Self.storedParams(record.params)
        stored.removeAll { params[$0.name] != nil }
        stored += params.sorted { $0.key < $1.key }.map { RunPlanner.ParamArgument(name: $0.key, value: $0.value) }
        changed.params = ExpressionValue.object(Dictionary(stored.map { ($0.name, ExpressionValue.string($0.value)) }) { a, _ in a })
            .toJSON(pretty: false)
        let takeover = Takeover(secretParams: loaded.plan.params.filter { secret.contains($0.name) }
                                    .map { RunPlanner.ParamArgument(name: $0.name, value: $0.value.stringValue) }, verb: "rerun")
        let next: PipelineSource.Loaded
        do {
            next = try plan(changed, text: text, takeover, again: "flow retry \(record.id)")
        } catch {
            let problems = (error as? DiagnosticList)?.diagnostics.map(\.message).joined(separator: "; ") ?? "\(error)"
            return try refuse("not rerunning run \(record.id) (\(described)): the pipeline no longer plans with the changed params: \(problems)")
        }
        let (forced, problems) = next.plan.withDownstream(of: steps + alsoRerunning.filter { !steps.contains($0) }, option: "rerun")
        guard let forced else {
            return try refuse("not rerunning run \(record.id) (\(described)): " + problems.map(\.message).joined(separator: "; "))
        }
        let kept = next.plan.params.filter { !secret.contains($0.name) }
        let pass = RerunPass(number: done + 1, requestIDs: pending.compactMap(\.id), requestedBy: requestedBy, steps: steps,
                             rerunning: forced, changes: changes, reason: reasons.joined(separator: "; "),
                             storedParams: ExpressionValue.object(Dictionary(kept.map { ($0.name, $0.value) }) { a, _ in a })
                                .toJSON(pretty: false))
        return .rerun(next, pass)
    }

    /// Runs `coordinator` (the run's first pass in this process), then, while a pass ends with
    /// requests pending and the run was not cancelled, the reruns they ask for, each as a new
    /// pass under the same id. Returns how the last pass ended; a rerun that is refused fails
    /// the run (it did not do what its steps asked). Cancelling the calling task cancels the
    /// pass that is running and drops pending requests.
    public func executeWithReruns(_ coordinator: RunCoordinator, _ loaded: PipelineSource.Loaded, text: String, database: RunDatabase,
                                  gitBranch: String? = nil, onEvent: @escaping RunEventHandler) async -> RunStatus {
        var coordinator = coordinator
        var loaded = loaded
        while true {
            let status = await coordinator.execute()
            let runID = coordinator.runID
            if status == .cancelled || Task.isCancelled {
                if let pending = try? database.pendingReruns(of: runID), !pending.isEmpty {
                    let note = "run cancelled: its \(pending.count) rerun request\(pending.count == 1 ? "" : "s") dropped"
                    try? database.settleReruns(runID, ids: pending.compactMap(\.id), as: .dropped, note: note, at: clock.now())
                    onEvent(.rerunRefused(runID: runID, message: note))
                }
                return status
            }
            let decision: RerunDecision
            do {
                guard let record = try database.run(runID) else { return status }
                decision = try pendingRerun(record, loaded, text: text, database: database)
                switch decision {
                case .none:
                    return status
                case .refused(let why):
                    onEvent(.rerunRefused(runID: runID, message: why))
                    if status == .succeeded { try database.finishRun(runID, from: .succeeded, to: .failed, at: clock.now()) }
                    return .failed
                case .rerun(let next, let pass):
                    (coordinator, _) = try await takeOver(record, next, text: text, database: database, rerunning: pass.rerunning,
                                                          carryingOut: pass, gitBranch: gitBranch, trigger: .retry, onEvent: onEvent)
                    loaded = next
                    onEvent(.runRerun(runID: runID, pass))
                }
            } catch {
                onEvent(.rerunRefused(runID: runID, message: "cannot rerun run \(runID): \(error)"))
                return .failed
            }
        }
    }
}
