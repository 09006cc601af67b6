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
///
/// A matrix computed at run time is one step of the plan, a *gate*: when it is reached its
/// combinations are computed from what its needs gave, its instances are added as steps of
/// their own (`.expand`), and the gate ends when they all have, with their combined status.
/// Instances of a matrix with `max-parallel` run at most that many at once; with `fail-fast`,
/// one failing stops the others.
///
/// A sub-pipeline (`uses: ./pipelines/x.yml`) is a step whose own steps follow it in the plan,
/// those that need nothing there needing it. When it is reached and its `if` holds, it is
/// *entered*: its `with:` is evaluated into the sub-pipeline's params and its `env:` rendered
/// (`.enter`), which releases its steps; it ends when they all have (failed when one failed,
/// cancelled when one was), with its `outputs:` computed over them (`.finishGate`), and only
/// then are the steps that need it released. A sub-pipeline step that does not run takes its
/// steps with it (skipped, or cancelled).
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
        /// A runtime matrix was reached: record its instances (new steps, `pending`, or kept
        /// from before a resume) and the gate as `running`, in the commit that decides it.
        /// `reused`: the combinations recorded before a resume, whose instances' rows stand.
        case expand(gate: Int, instances: [Int], combinations: [MatrixCombination], reused: Bool)
        /// A sub-pipeline step was entered: record it `running`. `secrets`: values of its secret
        /// params and env, to be masked from now on.
        case enter(Int, secrets: [String])
        /// A gate's instances (a sub-pipeline's steps) have all ended: it ends with their combined
        /// status (and the sub-pipeline's outputs).
        case finishGate(Int, StepStatus, reason: String?, outputs: [String: String])
    }

    private(set) var steps: [PlannedStep]
    let maxParallel: Int
    /// What every expression of the run reads that no step changes (params, env, git, run id…).
    let values: [String: ExpressionValue]
    /// flow's own environment: what a sub-pipeline's `env:` goes over.
    let processEnvironment: [String: String]

    private(set) var status: [StepStatus]
    /// `steps.<id>` for expressions: outputs and status of every finished step, by scope (the
    /// sub-pipeline step's id; "" for the pipeline itself) and id there.
    private var stepsValue: [String: [String: ExpressionValue]] = [:]
    /// Entered sub-pipelines (by the id of their step): their `params`, `env` and `pipeline`.
    private var scopes: [String: Scope] = [:]
    /// Sub-pipeline steps by id, and the steps directly inside each.
    private var callIndex: [String: Int] = [:]
    private var members: [Int: [Int]] = [:]

    struct EntryProblem: Error {
        var message: String
    }

    struct Scope {
        var values: [String: ExpressionValue]
        var environment: [String: String]
        /// The names its `env:` sets (what the sub-pipeline declared, as opposed to inherited).
        var declared: [String]
    }
    private(set) var anyFailure = false
    private(set) var cancellation = Cancellation.none
    private(set) var storageFailed = false
    private(set) var running: Set<Int> = []
    /// Running steps that go on through a cancellation (their `if` holds while cancelling).
    private(set) var cleanup: Set<Int> = []
    /// Running steps already told to stop.
    private var stopping: Set<Int> = []
    /// Those stopped by their matrix's `fail-fast` (their end does not cancel the run).
    private var stoppedByFailFast: Set<Int> = []
    /// Sub-pipeline steps entered (their steps released).
    private var entered: Set<Int> = []
    private var ready: [Int] = []
    private var needs: [[Int]]
    private var dependents: [[Int]]
    /// Whether a step that failed (without continue-on-error) is upstream of each step.
    private var failedUpstream: [Bool]
    private var waitingOn: [Int]
    /// Gates: their instances, and how many have not ended.
    private(set) var instances: [Int: [Int]] = [:]
    private var unfinished: [Int: Int] = [:]
    private var gateOf: [Int: Int] = [:]
    /// Matrices (by base id): instances running, and those stopped by `fail-fast`.
    private var groupRunning: [String: Int] = [:]
    private var failedFast: [String: String] = [:]
    /// From before a resume: each gate's recorded combinations, reused when what it needs was
    /// kept, and the instances that succeeded then (by id, with their outputs).
    private let recordedExpansions: [String: [MatrixCombination]]
    private let recordedInstances: [String: [String: String]]
    /// Steps that had succeeded before this pass began (kept from before a resume).
    private let keptAtStart: Set<Int>
    /// What the current event decided, in order.
    private var out: [Action] = []

    /// `succeeded` holds the steps a resumed run keeps, with their stored outputs;
    /// `expansions` and `keptInstances` what runtime matrices recorded before.
    init(plan: RunPlan, values: [String: ExpressionValue], processEnvironment: [String: String] = [:],
         succeeded: [Int: [String: String]] = [:],
         expansions: [String: [MatrixCombination]] = [:], keptInstances: [String: [String: String]] = [:]) {
        steps = plan.steps
        self.processEnvironment = processEnvironment
        for (index, step) in plan.steps.enumerated() {
            if step.call != nil { callIndex[step.id] = index }
        }
        for (index, step) in plan.steps.enumerated() {
            if let scope = step.scope, let call = callIndex[scope] { members[call, default: []].append(index) }
        }
        let graph = plan.graph
        needs = graph.needs
        dependents = graph.dependents
        maxParallel = plan.maxParallel
        self.values = values
        recordedExpansions = expansions
        recordedInstances = keptInstances
        keptAtStart = Set(succeeded.keys)
        status = plan.steps.indices.map { succeeded[$0] != nil ? .succeeded : .pending }
        failedUpstream = Array(repeating: false, count: plan.steps.count)
        waitingOn = needs.map(\.count)
        for (index, outputs) in succeeded.sorted(by: { $0.key < $1.key }) {
            record(index, .succeeded, outputs: outputs)
            for d in dependents[index] { waitingOn[d] -= 1 }
        }
    }

    /// Whether nothing runs and nothing more can start: the run is over.
    var isIdle: Bool { running.isEmpty && (ready.isEmpty || storageFailed) }

    mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .begin:
            ready = steps.indices.filter { waitingOn[$0] == 0 && status[$0] == .pending }
        case .finished(let index, let final, let outputs):
            running.remove(index)
            cleanup.remove(index)
            stopping.remove(index)
            if let group = steps[index].matrixGroup { groupRunning[group.base, default: 1] -= 1 }
            record(index, final, outputs: outputs)
            if final == .failed && !steps[index].continueOnError { anyFailure = true }
            ended(index)
            // A step that ended cancelled was stopped by a cancellation or by its matrix's
            // `fail-fast`, or cancels the run itself.
            if final == .cancelled && cancellation == .none && !stoppedByFailFast.contains(index) { cancel(to: .requested) }
        case .couldNotStart(let index, let reason):
            running.remove(index)
            cleanup.remove(index)
            if let group = steps[index].matrixGroup { groupRunning[group.base, default: 1] -= 1 }
            status[index] = .pending
            settle(index, .failed, reason: reason)
        case .cancel:
            cancel(to: .requested)
        case .forceCancel:
            cancel(to: .forced)
        case .storageFailed:
            storageFailed = true
            cancel(to: .forced)
        }
        drain()
        defer { out = [] }
        return out
    }

    /// The evaluation context a step's `if`, inputs and env read now.
    func context(for index: Int) -> EvaluationContext {
        let entry = entryOf(index)
        let status = StatusContext(anyUpstreamFailed: upstreamFailed(index), cancelled: cancellation != .none,
                                   anyUpstreamSkipped: needs[index].contains { $0 != entry && (self.status[$0] == .skipped || self.status[$0] == .cancelled) })
        var context = evaluationContext(status, scope: steps[index].scope)
        if let matrix = steps[index].matrix {
            context.values["matrix"] = .object(Dictionary(matrix.values.map { ($0.name, ExpressionValue.string($0.value)) }) { a, _ in a })
        }
        return context
    }

    /// What the pipeline's `outputs:` read when the run has ended: every step's outputs and status.
    func endContext() -> EvaluationContext {
        evaluationContext(StatusContext(anyUpstreamFailed: anyFailure, cancelled: cancellation != .none), scope: nil)
    }

    /// The environment a step starts from: flow's own and the pipeline's `env:`, or inside a
    /// sub-pipeline flow's own and the sub-pipeline's.
    func environment(for index: Int) -> (values: [String: String], declared: [String])? {
        steps[index].scope.flatMap { scopes[$0] }.map { ($0.environment, $0.declared) }
    }

    /// The run's values (a sub-pipeline's own `params`, `env` and `pipeline` inside one) with
    /// `run.status` as it stands and every finished step's `steps.*` of that scope.
    private func evaluationContext(_ status: StatusContext, scope: String?) -> EvaluationContext {
        var values = self.values
        if case .object(var run) = values["run"] {
            run["status"] = .string(status.cancelled ? "cancelled" : anyFailure ? "failed" : "succeeded")
            values["run"] = .object(run)
        }
        if let scope, let own = scopes[scope] { values.merge(own.values) { _, own in own } }
        values["steps"] = .object(stepsValue[scope ?? ""] ?? [:])
        return EvaluationContext(values: values, status: status)
    }

    /// The sub-pipeline step a step inside one needs to have been entered (its entry), if any.
    private func entryOf(_ index: Int) -> Int? {
        steps[index].scope.flatMap { callIndex[$0] }
    }

    /// How the run ended, and the steps that never became ready (recorded `cancelled`), once idle.
    func conclusion() -> (status: RunStatus, neverReady: [(index: Int, reason: String)]) {
        let reason = cancellation != .none ? "run cancelled" : "never became ready"
        let left = storageFailed ? [] : steps.indices.filter { status[$0] == .pending }.map { (index: $0, reason: reason) }
        let final: RunStatus = storageFailed ? .failed : cancellation != .none ? .cancelled : anyFailure ? .failed : .succeeded
        return (final, left)
    }

    // MARK: Deciding

    /// Decides ready steps while there is room to start one: the first ready step, skipping
    /// instances whose matrix is at its `max-parallel`.
    private mutating func drain() {
        while !storageFailed, running.count < maxParallel, let position = ready.firstIndex(where: hasRoom) {
            decide(ready.remove(at: position))
        }
    }

    private func hasRoom(_ index: Int) -> Bool {
        guard steps[index].runtimeMatrix == nil, let group = steps[index].matrixGroup, let limit = group.maxParallel else { return true }
        return groupRunning[group.base, default: 0] < limit
    }

    private mutating func decide(_ index: Int) {
        let step = steps[index]
        failedUpstream[index] = upstreamFailed(index)
        guard cancellation < .forced else { return settle(index, .cancelled, reason: "run cancelled") }
        if let entry = entryOf(index), !entered.contains(entry) {
            // The sub-pipeline did not run: neither does anything in it.
            let final: StepStatus = status[entry] == .cancelled ? .cancelled : .skipped
            let what = status[entry] == .failed ? "could not be entered" : "was \(status[entry].rawValue)"
            return settle(index, final, reason: "`\(steps[entry].id)` \(what)")
        }
        let context = context(for: index)
        if let group = step.matrixGroup, step.runtimeMatrix == nil, let failed = failedFast[group.base] {
            return settle(index, .cancelled, reason: "fail-fast: `\(failed)` failed")
        }
        let shouldRun: Bool
        do {
            if step.runtimeMatrix != nil && step.condition?.callsStatusFunction != true {
                // A gate fans out by the default rule; each instance then evaluates the step's `if`
                // with its own `matrix` values.
                shouldRun = !context.status.anyUpstreamFailed && !context.status.cancelled && !context.status.anyUpstreamSkipped
            } else if step.runtimeMatrix != nil {
                shouldRun = true
            } else if let condition = step.condition {
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
        if let matrix = step.runtimeMatrix { return expand(index, matrix, context) }
        if let call = step.call { return enter(index, call, context) }
        status[index] = .running
        running.insert(index)
        if let group = step.matrixGroup { groupRunning[group.base, default: 0] += 1 }
        if cancellation != .none { cleanup.insert(index) }
        out.append(.start(index))
    }

    /// Fans a gate out into its instances: from its recorded combinations when what it needs was
    /// kept from before a resume, else computed now.
    private mutating func expand(_ gate: Int, _ matrix: RuntimeMatrix, _ context: EvaluationContext) {
        let step = steps[gate]
        let combinations: [MatrixCombination]
        let reuse = recordedExpansions[step.id] != nil && needs[gate].allSatisfy { keptAtStart.contains($0) }
        if reuse {
            combinations = recordedExpansions[step.id]!
        } else {
            do {
                combinations = try matrix.combinations(in: context, step: step.id)
            } catch {
                return settle(gate, .failed, reason: error.message)
            }
        }
        status[gate] = .running
        var created: [Int] = []
        for combination in combinations {
            var instance = step
            instance.id = combination.stepID(base: step.id)
            instance.matrix = combination
            instance.runtimeMatrix = nil
            let index = steps.count
            steps.append(instance)
            needs.append(needs[gate])
            dependents.append([])
            failedUpstream.append(failedUpstream[gate])
            waitingOn.append(0)
            gateOf[index] = gate
            created.append(index)
            if reuse, let outputs = recordedInstances[instance.id] {
                status.append(.succeeded)
                record(index, .succeeded, outputs: outputs)
            } else {
                status.append(.pending)
            }
        }
        instances[gate] = created
        unfinished[gate] = created.filter { status[$0] != .succeeded }.count
        out.append(.expand(gate: gate, instances: created, combinations: combinations, reused: reuse))
        ready.append(contentsOf: created.filter { status[$0] == .pending })
        if unfinished[gate] == 0 { finishGate(gate) }
    }

    /// A step has ended (however): its dependents are released, its gate told, its matrix's
    /// `fail-fast` applied.
    private mutating func ended(_ index: Int) {
        let step = steps[index]
        if entered.contains(index) {
            // Its own steps were released when it was entered.
            let own = Set(members[index] ?? [])
            release(index) { !own.contains($0) }
        } else {
            release(index)
        }
        if status[index] == .failed, !step.continueOnError, let group = step.matrixGroup, group.failFast,
           step.runtimeMatrix == nil, failedFast[group.base] == nil {
            failedFast[group.base] = step.id
            for sibling in running.sorted() where sibling != index && steps[sibling].matrixGroup?.base == group.base && !stopping.contains(sibling) {
                stopping.insert(sibling)
                stoppedByFailFast.insert(sibling)
                out.append(.stop(sibling))
            }
            let waiting = ready.filter { steps[$0].matrixGroup?.base == group.base && steps[$0].runtimeMatrix == nil }
            ready.removeAll { waiting.contains($0) }
            for sibling in waiting { settle(sibling, .cancelled, reason: "fail-fast: `\(step.id)` failed") }
        }
        if let gate = gateOf[index] {
            unfinished[gate, default: 1] -= 1
            if unfinished[gate] == 0 { finishGate(gate) }
        } else if let call = entryOf(index), entered.contains(call), status[call] == .running {
            unfinished[call, default: 1] -= 1
            if unfinished[call] == 0 { finishCall(call) }
        }
    }

    /// Enters a sub-pipeline: its params from the step's `with:` (then their defaults), its
    /// `env:` over flow's own environment, both computed now, in the step's own context; then
    /// its steps are released.
    private mutating func enter(_ call: Int, _ planned: PlannedCall, _ context: EvaluationContext) {
        let step = steps[call]
        var params: [String: ExpressionValue] = [:]
        var secretValues: [String] = []
        var environment = processEnvironment
        do {
            for def in planned.params {
                let name = def.name.value
                var value: ExpressionValue?
                if let given = step.inputs.first(where: { $0.name == name })?.value {
                    let evaluated = try given.evaluate(in: context)
                    switch def.value(fromArgument: evaluated.stringValue) {
                    case .success(let fitting): value = fitting
                    case .failure(let problem):
                        throw EntryProblem(message: "param `\(name)` of \(planned.file): "
                                              + (planned.secretParams.contains(name) ? RunPlanner.maskedProblem(def) : problem.message))
                    }
                } else if let node = def.defaultValue, case .success(let fallback) = def.value(from: node) {
                    value = fallback
                }
                guard let value else { throw EntryProblem(message: "param `\(name)` of \(planned.file) has no value: give it under `with:`") }
                params[name] = value
                if planned.secretParams.contains(name) { secretValues.append(value.stringValue) }
            }
            var values: [String: ExpressionValue] = [
                "params": .object(params),
                "pipeline": .object(["name": .string(planned.pipelineName), "file": .string(planned.file)]),
                "env": .object(environment.mapValues { .string($0) }),
            ]
            for (name, template) in planned.env {
                var scoped = context
                scoped.values.merge(values) { _, own in own }
                let rendered = try template.render(in: scoped)
                environment[name] = rendered
                values["env"] = .object(environment.mapValues { .string($0) })
                if planned.secrets.contains(name) { secretValues.append(rendered) }
            }
            scopes[step.id] = Scope(values: values, environment: environment, declared: planned.env.map(\.name))
        } catch {
            let message = (error as? EntryProblem)?.message ?? (error as? ExpressionError)?.message ?? "\(error)"
            return settle(call, .failed, reason: "the sub-pipeline could not be entered: \(message)")
        }
        status[call] = .running
        entered.insert(call)
        out.append(.enter(call, secrets: secretValues))
        let inside = members[call] ?? []
        unfinished[call] = inside.filter { status[$0] != .succeeded }.count
        let own = Set(inside)
        release(call) { own.contains($0) }
        if unfinished[call] == 0 { finishCall(call) }
    }

    /// A sub-pipeline's steps have all ended: it ends with their combined status, with the
    /// sub-pipeline's `outputs:` computed over its steps (one that cannot be computed fails it).
    /// (All of them skipped is a success, as a reusable workflow whose jobs were all skipped.)
    private mutating func finishCall(_ call: Int) {
        var (final, reason) = combinedStatus(of: members[call] ?? [], part: "step", a: "a")
        var outputs: [String: String] = [:]
        let context = evaluationContext(StatusContext(anyUpstreamFailed: final == .failed, cancelled: cancellation != .none), scope: steps[call].id)
        for (name, template) in steps[call].call?.outputs ?? [] {
            do {
                outputs[name] = try template.render(in: context)
            } catch {
                if final == .succeeded {
                    final = .failed
                    reason = "output `\(name)` could not be computed: \((error as? ExpressionError)?.message ?? "\(error)")"
                    anyFailure = true
                }
            }
        }
        record(call, final, outputs: outputs)
        out.append(.finishGate(call, final, reason: reason, outputs: outputs))
        ended(call)
    }

    /// What a gate's parts ended as, combined: failed when one failed (without
    /// continue-on-error), else cancelled when one was, else (a matrix) skipped when all were,
    /// else succeeded; with the reason, naming the parts (`2 of 3 instances failed`).
    private func combinedStatus(of parts: [Int], part: String, a: String, skippedWhenAllAre: Bool = false) -> (StepStatus, String?) {
        let ends = parts.map { (status[$0], steps[$0].continueOnError) }
        let failed = ends.filter { $0.0 == .failed && !$0.1 }.count
        if failed > 0 { return (.failed, "\(failed) of \(ends.count) \(part)\(ends.count == 1 ? "" : "s") failed") }
        if ends.contains(where: { $0.0 == .cancelled }) { return (.cancelled, "\(a) \(part) was cancelled") }
        if skippedWhenAllAre && !ends.isEmpty && ends.allSatisfy({ $0.0 == .skipped }) { return (.skipped, "every \(part) was skipped") }
        return (.succeeded, nil)
    }

    /// A gate ends with its instances' combined status (``combinedStatus(of:part:a:skippedWhenAllAre:)``).
    private mutating func finishGate(_ gate: Int) {
        let (final, reason) = combinedStatus(of: instances[gate] ?? [], part: "instance", a: "an", skippedWhenAllAre: true)
        record(gate, final, outputs: [:])
        out.append(.finishGate(gate, final, reason: reason, outputs: [:]))
        ended(gate)
    }

    /// Raises the cancellation level and stops what the new level stops.
    private mutating func cancel(to level: Cancellation) {
        guard cancellation < level else { return }
        cancellation = level
        for index in running.sorted() where !stopping.contains(index) {
            if level == .requested && keepsRunningThroughCancel(index) {
                cleanup.insert(index)
                continue
            }
            stopping.insert(index)
            out.append(.stop(index))
        }
    }

    /// Whether a running step's `if` calls a status function and holds while cancelling (as
    /// GitHub Actions re-evaluates a running step's condition when its run is cancelled).
    private func keepsRunningThroughCancel(_ index: Int) -> Bool {
        guard let condition = steps[index].condition, condition.callsStatusFunction else { return false }
        return (try? condition.evaluateCondition(in: context(for: index))) == true
    }

    /// Whether a step this one needs failed, or had a failure upstream; a sub-pipeline's
    /// steps do not look through the step that runs it (as a GitHub reusable workflow's jobs).
    private func upstreamFailed(_ index: Int) -> Bool {
        let entry = entryOf(index)
        return needs[index].contains { $0 != entry && (failedUpstream[$0] || (status[$0] == .failed && !steps[$0].continueOnError)) }
    }

    private func skipReason(_ index: Int, _ status: StatusContext) -> String {
        let step = steps[index]
        if step.condition?.callsStatusFunction != true {
            if status.anyUpstreamFailed { return "an upstream step failed" }
            if status.anyUpstreamSkipped, let first = needs[index].first(where: { $0 != entryOf(index) && (self.status[$0] == .skipped || self.status[$0] == .cancelled) }) {
                return "`\(steps[first].id)` was \(self.status[first].rawValue)"
            }
        }
        return "condition is false: \(step.condition?.source.trimmingCharacters(in: .whitespaces) ?? "success()")"
    }

    /// A step ends without running.
    private mutating func settle(_ index: Int, _ final: StepStatus, reason: String) {
        record(index, final, outputs: [:])
        if final == .failed && !steps[index].continueOnError { anyFailure = true }
        out.append(.settle(index, final, reason: reason))
        ended(index)
    }

    private mutating func record(_ index: Int, _ final: StepStatus, outputs: [String: String]) {
        status[index] = final
        stepsValue[steps[index].scope ?? "", default: [:]][steps[index].localID] = .object([
            "outputs": .object(outputs.mapValues { .string($0) }),
            "status": .string(final.rawValue),
        ])
    }

    /// Tells the steps that need `index` (those `including` says) that it has ended (been
    /// entered); those waiting on nothing more become ready.
    private mutating func release(_ index: Int, including: (Int) -> Bool = { _ in true }) {
        for d in dependents[index] where including(d) {
            waitingOn[d] -= 1
            if waitingOn[d] == 0 && status[d] == .pending { ready.append(d) }
        }
    }
}
