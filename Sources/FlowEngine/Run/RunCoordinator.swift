import Foundation
import FlowCore

/// Executes a `RunPlan`: starts each step when all it needs has finished and its `if` holds,
/// at most `maxParallel` at once, and commits every state change to the database before acting
/// on it. Event-driven: a step's completion is what starts the next; nothing polls.
public actor RunCoordinator {
    let plan: RunPlan
    let graph: StepGraph
    let database: RunDatabase
    let registry: StepRegistry
    let runner: any ProcessRunner
    let clock: any EngineClock
    let options: RunOptions
    let onEvent: RunEventHandler
    /// Every secret value of the run, growing as steps start (see ``RunSecrets``).
    let secrets: RunSecrets
    public nonisolated let runID: String

    var status: [StepStatus]
    /// Attempts already on record for each step (a resumed run numbers new attempts after them).
    var priorAttempts: [Int]
    /// Whether a step that failed (without continue-on-error) is upstream of each step.
    var failedUpstream: [Bool]
    var waitingOn: [Int]
    var ready: [Int] = []
    /// `steps.<id>` for expressions: outputs and status of every finished step.
    var stepsValue: [String: ExpressionValue] = [:]
    var anyFailure = false
    var cancelling = false
    /// Transitions decided but not yet committed, and the events to emit once they are.
    var pending = Decisions()
    /// Set when a commit failed; the run stops.
    var storageError: String?
    let baseEnvironment: [String: String]
    let startedAt: Date

    /// Creates the run: a new id, its rows in the database (all steps `pending`), before anything runs.
    public init(plan: RunPlan, database: RunDatabase, registry: StepRegistry, runner: any ProcessRunner,
                clock: any EngineClock, options: RunOptions, onEvent: @escaping RunEventHandler = { _ in }) throws {
        let startedAt = clock.now()
        let secrets = RunSecrets(Self.knownSecrets(plan, options, registry: registry))
        let runID = try Self.createRun(plan, database: database, options: options, secrets: secrets, at: startedAt)
        self.init(plan: plan, database: database, registry: registry, runner: runner, clock: clock, options: options,
                  onEvent: onEvent, runID: runID, startedAt: startedAt, secrets: secrets, steps: [:], priorAttempts: [:])
    }

    /// Takes up an existing run that did not succeed: steps that succeeded keep their status
    /// and stored outputs (dependents read them byte for byte); every other step runs again with
    /// a fresh retry budget, its attempts numbered after those already on record. The run's
    /// current status is the compare-and-set's expected value; the caller has checked that no
    /// live process owns it.
    /// `rerunning` (`flow retry`) names steps that run again even though they succeeded.
    public init(resuming run: RunRecord, plan: RunPlan, database: RunDatabase, registry: StepRegistry, runner: any ProcessRunner,
                clock: any EngineClock, options: RunOptions, reloadedSource: Bool = false, rerunning: [String] = [],
                carryingOut rerun: RerunPass? = nil, onEvent: @escaping RunEventHandler = { _ in }) throws {
        let startedAt = clock.now()
        let secrets = RunSecrets(Self.knownSecrets(plan, options, registry: registry))
        try database.resume(run.id, from: run.status, steps: plan.steps.map(\.id),
                            source: reloadedSource ? secrets.mask(options.source) : nil,
                            sourceDigest: reloadedSource ? Digest.fnv1a64(options.source) : nil,
                            rerunning: rerunning, carryingOut: rerun, trigger: options.launch ?? .resume, ownerPid: getpid(), ownerHost: Host.name(), at: startedAt)
        let records = Dictionary(uniqueKeysWithValues: try database.steps(of: run.id).map { ($0.stepId, $0) })
        var prior: [String: Int] = [:]
        for attempt in try database.attempts(of: run.id) { prior[attempt.stepId, default: 0] += 1 }
        self.init(plan: plan, database: database, registry: registry, runner: runner, clock: clock, options: options,
                  onEvent: onEvent, runID: run.id, startedAt: startedAt, secrets: secrets, steps: records, priorAttempts: prior)
    }

    /// The state both start from: `steps` holds the recorded rows (a resumed run's succeeded
    /// steps count as finished, their outputs readable), `priorAttempts` the attempts on record.
    private init(plan: RunPlan, database: RunDatabase, registry: StepRegistry, runner: any ProcessRunner, clock: any EngineClock,
                 options: RunOptions, onEvent: @escaping RunEventHandler, runID: String, startedAt: Date, secrets: RunSecrets,
                 steps records: [String: StepRecord], priorAttempts prior: [String: Int]) {
        self.plan = plan
        self.graph = plan.graph
        self.database = database
        self.registry = registry
        self.runner = runner
        self.clock = clock
        self.options = options
        self.onEvent = onEvent
        self.runID = runID
        self.startedAt = startedAt
        self.secrets = secrets
        status = plan.steps.map { records[$0.id]?.status == .succeeded ? .succeeded : .pending }
        priorAttempts = plan.steps.map { prior[$0.id] ?? 0 }
        failedUpstream = Array(repeating: false, count: plan.steps.count)
        waitingOn = graph.needs.map(\.count)
        let environment = Self.pipelineEnvironment(plan, options, runID: runID)
        baseEnvironment = environment
        // The pipeline's `env:` values of secret names, rendered now, before anything runs.
        secrets.learn(plan.secrets.compactMap { environment[$0] })
        for (index, step) in plan.steps.enumerated() where status[index] == .succeeded {
            let outputs = records[step.id]?.outputValues ?? [:]
            stepsValue[step.id] = .object(["outputs": .object(outputs.mapValues { .string($0) }), "status": .string("succeeded")])
            for d in graph.dependents[index] { waitingOn[d] -= 1 }
        }
    }

    /// The secret values known before the run starts: flow's environment values of secret
    /// names, the secret values written in the file, and the values of secret params. (The
    /// pipeline's `env:` values are rendered once the run has an id; steps' as they start.)
    /// Also the values of inputs a step type declares `secret` that are known now: literal
    /// ones written in the file and declared defaults (computed ones are learnt as each step
    /// starts, in `makeWork`).
    static func knownSecrets(_ plan: RunPlan, _ options: RunOptions, registry: StepRegistry) -> [String] {
        let secretParams = Set(plan.secretParams)
        var known = plan.secrets.compactMap { options.environment[$0] } + plan.fileSecrets
            + plan.params.filter { secretParams.contains($0.name) }.map(\.value.stringValue)
        for step in plan.steps {
            for input in secretInputs(of: step, registry) {
                if let value = step.inputs.first(where: { $0.name == input.name })?.value {
                    known += literalText(value)
                } else if let value = input.defaultValue {
                    known.append(value)
                }
            }
        }
        return known
    }

    /// The inputs of `step`'s type declared `secret: true`.
    static func secretInputs(of step: PlannedStep, _ registry: StepRegistry) -> [StepInput] {
        registry.catalog[step.uses]?.inputs.filter(\.secret) ?? []
    }

    /// The scalars of a plan value that hold no expression (what is known before the run).
    static func literalText(_ value: PlanValue) -> [String] {
        switch value {
        case .null: return []
        case .bool(let b): return [b ? "true" : "false"]
        case .number(let n): return [ExpressionValue.number(n).stringValue]
        case .string(let template):
            // Only a string with no expression is known now (its literal pieces alone are not the value).
            guard template.isLiteral, let text = try? template.render(in: EvaluationContext(values: [:])) else { return [] }
            return [text]
        case .list(let items): return items.flatMap(literalText)
        case .mapping(let pairs): return pairs.flatMap { literalText($0.value) }
        }
    }

    /// Records a new run and its steps; returns its id (a fresh one if the first collides).
    /// Secret params are stored by name only (in `secretNames`, as `params.NAME`), never with
    /// their values; the pipeline's text is stored masked, its digest taken before masking.
    static func createRun(_ plan: RunPlan, database: RunDatabase, options: RunOptions, secrets: RunSecrets,
                          at startedAt: Date) throws -> String {
        let secretParams = Set(plan.secretParams)
        let stored = plan.params.filter { !secretParams.contains($0.name) }
        let paramsJSON = ExpressionValue.object(Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0.value) })).toJSON(pretty: false)
        var record = RunRecord(
            id: "", pipeline: plan.pipelineName, file: plan.file, source: secrets.mask(options.source),
            sourceDigest: Digest.fnv1a64(options.source), params: paramsJSON, profile: plan.profile,
            trigger: options.trigger, gitSha: options.gitSHA,
            secretNames: jsonArray(plan.secrets + plan.secretParams.map { "params." + $0 }),
            status: .running, createdAt: startedAt, ownerPid: getpid(), ownerHost: Host.name(),
            heartbeatAt: startedAt, resumeCount: 0, selection: plan.selection.map { jsonArray($0.names) },
            images: plan.imageOverrides.isEmpty ? nil : Self.jsonPairs(plan.imageOverrides))
        var attempt = 1
        while true {
            record.id = RunID.make(at: startedAt)
            do {
                try database.createRun(record, steps: plan.steps.map(\.id))
                return record.id
            } catch {
                // Only an id collision is worth another try.
                guard attempt < 5, (try? database.run(record.id)) != nil else { throw error }
                attempt += 1
            }
        }
    }

    /// Pipeline-wide env, rendered once: the process environment, then `env:` in order.
    static func pipelineEnvironment(_ plan: RunPlan, _ options: RunOptions, runID: String) -> [String: String] {
        var env = options.environment
        for (name, template) in plan.env {
            let context = EvaluationContext(values: staticValues(plan, options, runID: runID, env: env))
            env[name] = (try? template.render(in: context)) ?? ""
        }
        return env
    }

    /// Runs the plan to the end (or until the calling task is cancelled) and returns how it ended.
    ///
    /// Each turn of the loop takes every step that has finished since the last turn, decides
    /// what that makes ready (start, skip, cancel), commits all of it in one transaction, and
    /// only then emits the events and starts the processes: a group commit. A step ending and
    /// the next one starting cost one fsync, not two, and steps that end while a commit is
    /// being synced share the next one.
    public func execute() async -> RunStatus {
        onEvent(.runStarted(runID: runID, pipeline: plan.pipelineName, steps: plan.steps.map(\.id)))
        let heartbeat = startHeartbeat()
        defer { heartbeat?.cancel() }
        ready = (0..<plan.steps.count).filter { waitingOn[$0] == 0 && status[$0] == .pending }
        let finished = CompletionQueue()
        await withDiscardingTaskGroup { group in
            var running = 0
            func launch() {
                var starting: [StepWork] = []
                while storageError == nil, running + starting.count < plan.maxParallel, !ready.isEmpty {
                    if let work = prepare(ready.removeFirst()) { starting.append(work) }
                }
                guard commit() else {
                    group.cancelAll()
                    return
                }
                for work in starting {
                    running += 1
                    group.addTask { finished.add(await Self.attempts(work)) }
                }
            }
            launch()
            while running > 0 {
                for completion in await finished.takeAll() {
                    running -= 1
                    finish(completion)
                }
                if Task.isCancelled { cancelling = true }
                launch()
            }
        }
        // Every attempt swept its own; this reaps what died since and kills anything late.
        await AdoptedOrphans.sweep(everyThread: true)
        return await conclude()
    }

    // MARK: Deciding and launching

    /// Decides a ready step: skip it (its dependents released) or return the work to run. Either
    /// way the transition goes into ``pending``, committed by the caller before anything acts on it.
    func prepare(_ index: Int) -> StepWork? {
        let step = plan.steps[index]
        let needs = graph.needs[index]
        failedUpstream[index] = needs.contains { failedUpstream[$0] || (status[$0] == .failed && !plan.steps[$0].continueOnError) }
        if Task.isCancelled { cancelling = true }
        let statusContext = StatusContext(anyUpstreamFailed: failedUpstream[index], cancelled: cancelling,
                                          anyUpstreamSkipped: needs.contains { status[$0] == .skipped || status[$0] == .cancelled })
        let context = evaluationContext(for: step, status: statusContext)
        let shouldRun: Bool
        do {
            if let condition = step.condition {
                shouldRun = try condition.evaluateCondition(in: context)
            } else {
                shouldRun = !statusContext.anyUpstreamFailed && !statusContext.cancelled && !statusContext.anyUpstreamSkipped
            }
        } catch {
            settle(index, .failed, reason: secrets.mask("`if` could not be evaluated: \(error.message)"))
            return nil
        }
        guard shouldRun else {
            if cancelling && step.condition?.callsStatusFunction != true {
                settle(index, .cancelled, reason: "run cancelled")
            } else {
                settle(index, .skipped, reason: secrets.mask(skipReason(index, statusContext)))
            }
            return nil
        }
        do {
            let work = try makeWork(index, context: context)
            let now = clock.now()
            let attempt = priorAttempts[index] + 1
            pending.transitions.append(.init(stepId: step.id, from: .pending, to: .running, at: now, attempts: attempt))
            pending.attempts.append(AttemptRecord(runId: runID, stepId: step.id, number: attempt, status: .running,
                                                  startedAt: now, logPath: Self.logPath(work.stepDirectory, attempt: attempt)))
            status[index] = .running
            return work
        } catch {
            let message = (error as? ExpressionError).map { "expression failed: \($0.message)" } ?? "\(error)"
            settle(index, .failed, reason: secrets.mask(message))
            return nil
        }
    }

    func skipReason(_ index: Int, _ status: StatusContext) -> String {
        let step = plan.steps[index]
        if step.condition?.callsStatusFunction != true {
            if status.anyUpstreamFailed { return "an upstream step failed" }
            if status.anyUpstreamSkipped, let first = graph.needs[index].first(where: { self.status[$0] == .skipped || self.status[$0] == .cancelled }) {
                return "`\(plan.steps[first].id)` was \(self.status[first].rawValue)"
            }
        }
        return "condition is false: \(step.condition?.source.trimmingCharacters(in: .whitespaces) ?? "success()")"
    }

    /// Decides the end of a step that never ran (skipped, cancelled, or failed before starting)
    /// and releases its dependents; recorded with the next commit.
    func settle(_ index: Int, _ final: StepStatus, reason: String) {
        let step = plan.steps[index]
        pending.transitions.append(.init(stepId: step.id, from: .pending, to: final, at: clock.now(), reason: reason))
        pending.events.append(.stepFinished(StepSummary(stepID: step.id, status: final, attempts: 0, exitCode: nil,
                                                        reason: reason, seconds: 0, logPath: nil)))
        record(index, final, outputs: [:])
        if final == .failed && !step.continueOnError { anyFailure = true }
        release(index)
    }

    func record(_ index: Int, _ final: StepStatus, outputs: [String: String]) {
        status[index] = final
        stepsValue[plan.steps[index].id] = .object([
            "outputs": .object(outputs.mapValues { .string($0) }),
            "status": .string(final.rawValue),
        ])
    }

    func release(_ index: Int) {
        for d in graph.dependents[index] {
            waitingOn[d] -= 1
            if waitingOn[d] == 0 { ready.append(d) }
        }
    }

    /// Commits what was decided since the last commit in one transaction, then emits its
    /// events. Returns false (after reporting it) when the state could not be recorded: the
    /// run then stops, since nothing may act on a decision the database does not hold.
    func commit() -> Bool {
        guard storageError == nil else { return false }
        let batch = pending
        pending = Decisions()
        guard !batch.transitions.isEmpty || !batch.attempts.isEmpty else {
            batch.events.forEach(onEvent)
            return true
        }
        do {
            try database.apply(runId: runID, batch.transitions, attempts: batch.attempts)
        } catch {
            let message = "state could not be recorded, stopping the run: \(error)"
            storageError = message
            cancelling = true
            onEvent(.runError(message: message))
            return false
        }
        batch.events.forEach(onEvent)
        return true
    }

    // MARK: Finishing

    /// Decides a finished step's end (status, outputs, last attempt, committed together with
    /// the next launches) and releases its dependents.
    func finish(_ completion: Completion) {
        let index = completion.index
        let step = plan.steps[index]
        let now = clock.now()
        var attempt = completion.lastAttempt
        if attempt?.finishedAt == nil { attempt?.finishedAt = now }
        pending.transitions.append(.init(
            stepId: step.id, from: .running, to: completion.status, at: now, attempts: completion.attempts,
            outputs: completion.outputs, exitCode: completion.exitCode, error: completion.error))
        if let attempt { pending.attempts.append(attempt) }
        pending.events.append(.stepFinished(StepSummary(stepID: step.id, status: completion.status, attempts: completion.attempts,
                                                        exitCode: completion.exitCode, reason: completion.error,
                                                        seconds: completion.seconds, logPath: completion.lastAttempt?.logPath)))
        record(index, completion.status, outputs: completion.outputs)
        if completion.status == .failed && !step.continueOnError { anyFailure = true }
        if completion.status == .cancelled { cancelling = true }
        release(index)
    }

    /// Marks whatever never started as cancelled (when cancelled) and records the run's end.
    func conclude() async -> RunStatus {
        if Task.isCancelled { cancelling = true }
        if storageError == nil {
            for index in plan.steps.indices where status[index] == .pending {
                let reason = cancelling ? "run cancelled" : "never became ready"
                pending.transitions.append(.init(stepId: plan.steps[index].id, from: .pending, to: .cancelled, at: clock.now(), reason: reason))
                status[index] = .cancelled
            }
            _ = commit()
        }
        let final: RunStatus = storageError != nil ? .failed : cancelling ? .cancelled : anyFailure ? .failed : .succeeded
        let now = clock.now()
        _ = try? database.finishRun(runID, to: final, at: now)
        onEvent(.runFinished(runID: runID, status: final, seconds: now.timeIntervalSince(startedAt)))
        return final
    }

    func startHeartbeat() -> Task<Void, Never>? {
        guard let interval = options.heartbeatInterval else { return nil }
        let (clock, database, runID) = (self.clock, self.database, self.runID)
        return Task {
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { return }
                try? database.heartbeat(runID, at: clock.now())
            }
        }
    }

    static func jsonArray(_ items: [String]) -> String {
        ExpressionValue.array(items.map { .string($0) }).toJSON(pretty: false)
    }

    static func jsonPairs(_ pairs: [(name: String, value: String)]) -> String {
        ExpressionValue.array(pairs.map { .array([.string($0.name), .string($0.value)]) }).toJSON(pretty: false)
    }
}

/// Completions of steps, handed from their tasks to the coordinator's loop, which takes all
/// that have arrived at once (see ``RunCoordinator/execute()``).
final class CompletionQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var arrived: [Completion] = []
    private var waiting: CheckedContinuation<[Completion], Never>?

    func add(_ completion: Completion) {
        lock.lock()
        if let waiting {
            self.waiting = nil
            lock.unlock()
            waiting.resume(returning: [completion])
        } else {
            arrived.append(completion)
            lock.unlock()
        }
    }

    /// Everything that has arrived, waiting for at least one. Only one caller waits at a time.
    func takeAll() async -> [Completion] {
        await withCheckedContinuation { continuation in
            lock.lock()
            if arrived.isEmpty {
                waiting = continuation
                lock.unlock()
            } else {
                let all = arrived
                arrived = []
                lock.unlock()
                continuation.resume(returning: all)
            }
        }
    }
}

/// What the coordinator decided since its last commit.
struct Decisions {
    var transitions: [RunDatabase.Transition] = []
    var attempts: [AttemptRecord] = []
    var events: [RunEvent] = []
}

/// A small, stable digest of the pipeline source, to notice that the file changed since a run.
public enum Digest {
    public static func of(_ text: String) -> String { fnv1a64(text) }

    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return "fnv1a64:" + String(hash, radix: 16)
    }
}
