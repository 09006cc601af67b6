import FlowCore

/// What a run decides, and nothing else: which step starts, which ends without running, which
/// is stopped, and how the run ends. A pure state machine (state + event → actions): it starts
/// no process, writes no row and emits no event; ``RunCoordinator`` commits what it decides
/// and then acts on it. Tested without processes or a database (`RunSchedulerTests`).
///
/// Cancellation has two levels, as in GitHub Actions and Argo's exit handlers:
/// - **requested** (the first Ctrl-C, SIGTERM, `flow cancel`): the running steps are stopped,
///   except those whose `if` calls `always()` or `cancelled()` and still holds; steps that
///   become ready afterwards run when their `if` holds while cancelling (cleanup steps), and
///   run to their end, their own timeout applying; every other step is recorded `cancelled`.
/// - **forced** (a second signal, `flow cancel --force`, or state that could not be recorded):
///   everything still running is stopped and nothing more starts.
struct RunScheduler {
    enum Cancellation: Int, Comparable, Sendable {
        case none, requested, forced
        static func < (a: Cancellation, b: Cancellation) -> Bool { a.rawValue < b.rawValue }
    }

    enum Event: Sendable {
        /// The run begins (or a resumed one begins again): decide what is ready.
        case begin
        /// A started step's attempts ended.
        case finished(Int, StepStatus, outputs: [String: String])
        /// A step decided to start could not be prepared (its `env:` or inputs failed to render).
        case couldNotStart(Int, reason: String)
        case cancel
        case forceCancel
        /// A decision could not be committed: nothing may act on it, so the run stops.
        case storageFailed
    }

    enum Action: Hashable, Sendable {
        /// Start the step: its `running` is committed first, then its process starts.
        case start(Int)
        /// The step ends without running: skipped, cancelled, or failed before it started.
        case settle(Int, StepStatus, reason: String)
        /// Stop the running step (cancel its attempts).
        case stop(Int)
    }

    let steps: [PlannedStep]
    let graph: StepGraph
    let maxParallel: Int
    /// What every expression of the run reads that no step changes (params, env, git, run id…).
    let values: [String: ExpressionValue]

    private(set) var status: [StepStatus]
    /// `steps.<id>` for expressions: outputs and status of every finished step.
    private(set) var stepsValue: [String: ExpressionValue] = [:]
    private(set) var anyFailure = false
    private(set) var cancellation = Cancellation.none
    private(set) var storageFailed = false
    private(set) var running: Set<Int> = []
    /// Running steps that go on through a cancellation (their `if` holds while cancelling).
    private(set) var cleanup: Set<Int> = []
    /// Running steps already told to stop.
    private var stopping: Set<Int> = []
    private var ready: [Int] = []
    /// Whether a step that failed (without continue-on-error) is upstream of each step.
    private var failedUpstream: [Bool]
    private var waitingOn: [Int]

    /// `succeeded` holds the steps a resumed run keeps, with their stored outputs.
    init(plan: RunPlan, values: [String: ExpressionValue], succeeded: [Int: [String: String]] = [:]) {
        steps = plan.steps
        graph = plan.graph
        maxParallel = plan.maxParallel
        self.values = values
        status = plan.steps.indices.map { succeeded[$0] != nil ? .succeeded : .pending }
        failedUpstream = Array(repeating: false, count: plan.steps.count)
        waitingOn = graph.needs.map(\.count)
        for (index, outputs) in succeeded.sorted(by: { $0.key < $1.key }) {
            record(index, .succeeded, outputs: outputs)
            for d in graph.dependents[index] { waitingOn[d] -= 1 }
        }
    }

    /// Whether nothing runs and nothing more can start: the run is over.
    var isIdle: Bool { running.isEmpty && (ready.isEmpty || storageFailed) }

    mutating func handle(_ event: Event) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .begin:
            ready = steps.indices.filter { waitingOn[$0] == 0 && status[$0] == .pending }
        case .finished(let index, let final, let outputs):
            running.remove(index)
            cleanup.remove(index)
            stopping.remove(index)
            record(index, final, outputs: outputs)
            if final == .failed && !steps[index].continueOnError { anyFailure = true }
            release(index)
            // A step that ended cancelled was stopped by a cancellation, or cancels the run itself.
            if final == .cancelled && cancellation == .none { actions += cancel(to: .requested) }
        case .couldNotStart(let index, let reason):
            running.remove(index)
            cleanup.remove(index)
            status[index] = .pending
            actions.append(settle(index, .failed, reason: reason))
        case .cancel:
            actions += cancel(to: .requested)
        case .forceCancel:
            actions += cancel(to: .forced)
        case .storageFailed:
            storageFailed = true
            actions += cancel(to: .forced)
        }
        return actions + drain()
    }

    /// The evaluation context a step's `if`, inputs and env read now.
    func context(for index: Int) -> EvaluationContext {
        let needs = graph.needs[index]
        let status = StatusContext(anyUpstreamFailed: upstreamFailed(index), cancelled: cancellation != .none,
                                   anyUpstreamSkipped: needs.contains { self.status[$0] == .skipped || self.status[$0] == .cancelled })
        var values = self.values
        if case .object(var run) = values["run"] {
            run["status"] = .string(status.cancelled ? "cancelled" : anyFailure ? "failed" : "succeeded")
            values["run"] = .object(run)
        }
        values["steps"] = .object(stepsValue)
        if let matrix = steps[index].matrix {
            values["matrix"] = .object(Dictionary(matrix.values.map { ($0.name, ExpressionValue.string($0.value)) }) { a, _ in a })
        }
        return EvaluationContext(values: values, status: status)
    }

    /// How the run ended, and the steps that never became ready (recorded `cancelled`), once idle.
    func conclusion() -> (status: RunStatus, neverReady: [(index: Int, reason: String)]) {
        let reason = cancellation != .none ? "run cancelled" : "never became ready"
        let left = storageFailed ? [] : steps.indices.filter { status[$0] == .pending }.map { (index: $0, reason: reason) }
        let final: RunStatus = storageFailed ? .failed : cancellation != .none ? .cancelled : anyFailure ? .failed : .succeeded
        return (final, left)
    }

    // MARK: Deciding

    /// Decides ready steps while there is room to start one.
    private mutating func drain() -> [Action] {
        var actions: [Action] = []
        while !storageFailed, running.count < maxParallel, !ready.isEmpty {
            actions.append(decide(ready.removeFirst()))
        }
        return actions
    }

    private mutating func decide(_ index: Int) -> Action {
        let step = steps[index]
        failedUpstream[index] = upstreamFailed(index)
        let context = context(for: index)
        guard cancellation < .forced else { return settle(index, .cancelled, reason: "run cancelled") }
        let shouldRun: Bool
        do {
            if let condition = step.condition {
                shouldRun = try condition.evaluateCondition(in: context)
            } else {
                shouldRun = !context.status.anyUpstreamFailed && !context.status.cancelled && !context.status.anyUpstreamSkipped
            }
        } catch {
            return settle(index, .failed, reason: "`if` could not be evaluated: \(error.message)")
        }
        guard shouldRun else {
            if cancellation != .none && step.condition?.callsStatusFunction != true {
                return settle(index, .cancelled, reason: "run cancelled")
            }
            return settle(index, .skipped, reason: skipReason(index, context.status))
        }
        status[index] = .running
        running.insert(index)
        if cancellation != .none { cleanup.insert(index) }
        return .start(index)
    }

    /// Raises the cancellation level and stops what the new level stops.
    private mutating func cancel(to level: Cancellation) -> [Action] {
        guard cancellation < level else { return [] }
        cancellation = level
        var actions: [Action] = []
        for index in running.sorted() where !stopping.contains(index) {
            if level == .requested && keepsRunningThroughCancel(index) {
                cleanup.insert(index)
                continue
            }
            stopping.insert(index)
            actions.append(.stop(index))
        }
        return actions
    }

    /// Whether a running step's `if` calls a status function and holds while cancelling (as
    /// GitHub Actions re-evaluates a running step's condition when its run is cancelled).
    private func keepsRunningThroughCancel(_ index: Int) -> Bool {
        guard let condition = steps[index].condition, condition.callsStatusFunction else { return false }
        return (try? condition.evaluateCondition(in: context(for: index))) == true
    }

    private func upstreamFailed(_ index: Int) -> Bool {
        graph.needs[index].contains { failedUpstream[$0] || (status[$0] == .failed && !steps[$0].continueOnError) }
    }

    private func skipReason(_ index: Int, _ status: StatusContext) -> String {
        let step = steps[index]
        if step.condition?.callsStatusFunction != true {
            if status.anyUpstreamFailed { return "an upstream step failed" }
            if status.anyUpstreamSkipped, let first = graph.needs[index].first(where: { self.status[$0] == .skipped || self.status[$0] == .cancelled }) {
                return "`\(steps[first].id)` was \(self.status[first].rawValue)"
            }
        }
        return "condition is false: \(step.condition?.source.trimmingCharacters(in: .whitespaces) ?? "success()")"
    }

    /// A step ends without running; its dependents are released.
    private mutating func settle(_ index: Int, _ final: StepStatus, reason: String) -> Action {
        record(index, final, outputs: [:])
        if final == .failed && !steps[index].continueOnError { anyFailure = true }
        release(index)
        return .settle(index, final, reason: reason)
    }

    private mutating func record(_ index: Int, _ final: StepStatus, outputs: [String: String]) {
        status[index] = final
        stepsValue[steps[index].id] = .object([
            "outputs": .object(outputs.mapValues { .string($0) }),
            "status": .string(final.rawValue),
        ])
    }

    private mutating func release(_ index: Int) {
        for d in graph.dependents[index] {
            waitingOn[d] -= 1
            if waitingOn[d] == 0 { ready.append(d) }
        }
    }
}
