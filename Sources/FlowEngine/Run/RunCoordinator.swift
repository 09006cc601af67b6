import Foundation
import FlowCore

/// Executes a `RunPlan`: starts each step when all it needs has finished and its `if` holds,
/// at most `maxParallel` at once, and commits every state change to the database before acting
/// on it. Event-driven: a step's completion is what starts the next; nothing polls.
public actor RunCoordinator {
    let plan: RunPlan
    let database: RunDatabase
    let registry: StepRegistry
    let runner: any ProcessRunner
    let clock: any EngineClock
    let options: RunOptions
    /// Every secret value of the run, growing as steps start (see ``RunSecrets``).
    let secrets: RunSecrets
    public nonisolated let runID: String

    /// What the run decides: the scheduling state machine (``RunScheduler``).
    var scheduler: RunScheduler
    /// Attempts already on record for each step (a resumed run numbers new attempts after them).
    let priorAttempts: [String: Int]
    /// The one path that commits state and then emits its events.
    let recorder: RunRecorder
    /// What steps' tasks and cancellation requests send to the run's loop.
    nonisolated let inbox = RunInbox()
    /// Set when a commit failed; the run stops.
    var storageError: String?
    /// The planned steps' names and descriptions, masked (``labels(_:_:)``).
    let labels: [String: StepLabel]
    /// The display names (`name:`) of the steps that have one, masked, by id; a runtime matrix's
    /// instances are added as they are made.
    var names: [String: String]
    let baseEnvironment: [String: String]
    let startedAt: Date
    /// The planned memoized steps' saved successes by key, read at the first (``reuse(_:_:)``).
    var knownEntries: [String: CacheEntryRecord]?

    /// Creates the run: a new id, its rows in the database (all steps `pending`), before anything runs.
    public init(plan: RunPlan, database: RunDatabase, registry: StepRegistry, runner: any ProcessRunner,
                clock: any EngineClock, options: RunOptions, onEvent: @escaping RunEventHandler = { _ in }) throws {
        let startedAt = clock.now()
        let secrets = RunSecrets(Self.knownSecrets(plan, options, registry: registry))
        let labels = Self.labels(plan, secrets)
        let runID = try Self.createRun(plan, database: database, options: options, secrets: secrets, labels: labels, at: startedAt)
        self.init(plan: plan, database: database, registry: registry, runner: runner, clock: clock, options: options,
                  onEvent: onEvent, runID: runID, startedAt: startedAt, secrets: secrets, labels: labels, steps: [:], priorAttempts: [:])
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
        let labels = Self.labels(plan, secrets)
        try database.resume(run.id, from: run.status, steps: plan.steps.map(\.id),
                            source: reloadedSource ? secrets.mask(options.source) : nil,
                            sourceDigest: reloadedSource ? Digest.fnv1a64(options.source) : nil,
                            rerunning: rerunning, carryingOut: rerun, trigger: options.launch ?? .resume,
                            labels: labels, keepingInstancesOf: plan.steps.filter { $0.runtimeMatrix != nil }.map(\.id),
                            ownerPid: getpid(), ownerHost: Host.name(), at: startedAt)
        let records = Dictionary(uniqueKeysWithValues: try database.steps(of: run.id).map { ($0.stepId, $0) })
        var prior: [String: Int] = [:]
        for attempt in try database.attempts(of: run.id) { prior[attempt.stepId, default: 0] += 1 }
        self.init(plan: plan, database: database, registry: registry, runner: runner, clock: clock, options: options,
                  onEvent: onEvent, runID: run.id, startedAt: startedAt, secrets: secrets, labels: labels, steps: records, priorAttempts: prior)
    }

    /// The state both start from: `steps` holds the recorded rows (a resumed run's succeeded
    /// steps count as finished, their outputs readable), `priorAttempts` the attempts on record.
    private init(plan: RunPlan, database: RunDatabase, registry: StepRegistry, runner: any ProcessRunner, clock: any EngineClock,
                 options: RunOptions, onEvent: @escaping RunEventHandler, runID: String, startedAt: Date, secrets: RunSecrets,
                 labels: [String: StepLabel], steps records: [String: StepRecord], priorAttempts prior: [String: Int]) {
        self.plan = plan
        self.database = database
        self.registry = registry
        self.runner = runner
        self.clock = clock
        self.options = options
        self.runID = runID
        self.startedAt = startedAt
        self.secrets = secrets
        recorder = RunRecorder(database: database, runID: runID, onEvent: onEvent)
        self.labels = labels
        names = labels.compactMapValues(\.name)
        priorAttempts = prior
        let environment = Self.pipelineEnvironment(plan, options, runID: runID)
        baseEnvironment = environment
        // The pipeline's `env:` values of secret names, rendered now, before anything runs.
        secrets.learn(plan.secrets.compactMap { environment[$0] })
        var succeeded: [Int: [String: String]] = [:]
        for (index, step) in plan.steps.enumerated() where records[step.id]?.status == .succeeded {
            succeeded[index] = records[step.id]?.outputValues ?? [:]
        }
        // What runtime matrices recorded before a resume: each gate's combinations, and the
        // instances that succeeded (kept when what the gate needs was kept).
        var expansions: [String: [MatrixCombination]] = [:]
        var keptInstances: [String: [String: String]] = [:]
        for step in plan.steps where step.runtimeMatrix != nil {
            guard let recorded = records[step.id]?.matrix else { continue }
            expansions[step.id] = recorded
            for (id, record) in records where record.status == .succeeded && id.hasPrefix(step.id + "[") {
                keptInstances[id] = record.outputValues
            }
        }
        scheduler = RunScheduler(plan: plan, values: Self.staticValues(plan, options, runID: runID, env: environment),
                                 processEnvironment: options.environment, succeeded: succeeded, expansions: expansions, keptInstances: keptInstances)
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

    /// The steps' names and descriptions as stored and shown: masked (a name may read a secret param).
    static func labels(_ plan: RunPlan, _ secrets: RunSecrets) -> [String: StepLabel] {
        var labels: [String: StepLabel] = [:]
        for step in plan.steps where step.name != nil || step.description != nil {
            labels[step.id] = StepLabel(name: step.name.map(secrets.mask), description: step.description.map(secrets.mask))
        }
        return labels
    }

    /// Records a new run and its steps; returns its id (a fresh one if the first collides).
    /// Secret params are stored by name only (in `secretNames`, as `params.NAME`), never with
    /// their values; the pipeline's text is stored masked, its digest taken before masking.
    static func createRun(_ plan: RunPlan, database: RunDatabase, options: RunOptions, secrets: RunSecrets,
                          labels: [String: StepLabel], at startedAt: Date) throws -> String {
        let secretParams = Set(plan.secretParams)
        let stored = plan.params.filter { !secretParams.contains($0.name) }
        let paramsJSON = ExpressionValue.object(Dictionary(uniqueKeysWithValues: stored.map { ($0.name, $0.value) })).toJSON(pretty: false)
        var record = RunRecord(
            id: "", pipeline: plan.pipelineName, file: plan.file, source: secrets.mask(options.source),
            sourceDigest: Digest.fnv1a64(options.source), params: paramsJSON, profile: plan.profile,
            trigger: options.trigger, gitSha: options.gitSHA,
            secretNames: plan.secrets + plan.secretParams.map { "params." + $0 },
            status: .running, createdAt: startedAt, ownerPid: getpid(), ownerHost: Host.name(),
            heartbeatAt: startedAt, resumeCount: 0, selection: plan.selection?.names,
            images: plan.imageOverrides.isEmpty ? nil : plan.imageOverrides.map { NamedValue(name: $0.name, value: $0.value) })
        var attempt = 1
        while true {
            record.id = RunID.make(at: startedAt)
            do {
                try database.createRun(record, steps: plan.steps.map(\.id), labels: labels)
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

    /// Runs the plan to the end and returns how it ended. Cancelling the calling task is the
    /// first level of cancellation (``RunScheduler``): running steps stop, cleanup steps run to
    /// their end. ``forceCancel()`` is the second.
    ///
    /// Each turn of the loop takes everything that arrived since the last turn (steps that
    /// finished, cancellation requests), lets the scheduler decide what that makes ready,
    /// commits all of it in one transaction, and only then emits the events, stops and starts
    /// steps: a group commit. A step ending and the next one starting cost one fsync, not two,
    /// and steps that end while a commit is being synced share the next one.
    public func execute() async -> RunStatus {
        recorder.emit(.runStarted(runID: runID, pipeline: plan.pipelineName, steps: plan.steps.map(\.id), names: names))
        let heartbeat = startHeartbeat()
        defer { heartbeat?.cancel() }
        let inbox = self.inbox
        var tasks: [Int: Task<Void, Never>] = [:]
        var last = Decisions()
        await withTaskCancellationHandler {
            var actions = Task.isCancelled ? scheduler.handle(.cancel) : []
            actions += scheduler.handle(.begin)
            act(actions, tasks: &tasks)
            while !tasks.isEmpty {
                var actions: [RunScheduler.Action] = []
                var finishes = Decisions()
                for message in await inbox.takeAll() {
                    switch message {
                    case .finished(let completion):
                        tasks[completion.index] = nil
                        actions += finish(completion, into: &finishes)
                    case .cancel:
                        actions += scheduler.handle(.cancel)
                    case .forceCancel:
                        actions += scheduler.handle(.forceCancel)
                    }
                }
                if actions.isEmpty && tasks.isEmpty {
                    // The run's last finishes: committed with its end, in one transaction.
                    last = finishes
                } else {
                    act(actions, after: finishes, tasks: &tasks)
                }
            }
        } onCancel: {
            inbox.add(.cancel)
        }
        // Every attempt swept its own; this reaps what died since and kills anything late.
        await AdoptedOrphans.sweep(everyThread: true)
        return conclude(after: last)
    }

    /// The second level of cancellation: stops the cleanup steps a cancelled run is still
    /// running, and starts nothing more (a second Ctrl-C, `flow cancel --force`).
    public nonisolated func forceCancel() {
        inbox.add(.forceCancel)
    }

    // MARK: Acting on decisions

    /// Turns the scheduler's actions into state changes, commits them, then stops and starts
    /// steps. A step that cannot be prepared is reported back to the scheduler, whose answer is
    /// acted on in the same commit.
    func act(_ actions: [RunScheduler.Action], after finishes: Decisions = Decisions(), tasks: inout [Int: Task<Void, Never>]) {
        var queue = actions[...]
        var batch = finishes
        var starting: [StepWork] = []
        var stopping: [Int] = []
        while let action = queue.popFirst() {
            switch action {
            case .start(let index):
                do {
                    let work = try makeWork(index, context: scheduler.context(for: index))
                    if let memo = work.cache, options.readCache, let hit = try reuse(index, memo) {
                        batch.transitions.append(hit.transition)
                        batch.events.append(hit.event)
                        queue.append(contentsOf: scheduler.handle(.finished(index, .succeeded, outputs: hit.outputs)))
                        continue
                    }
                    let now = clock.now()
                    let id = scheduler.steps[index].id
                    let attempt = priorAttempts[id, default: 0] + 1
                    batch.transitions.append(.init(stepId: id, from: .pending, to: .running, at: now, attempts: attempt))
                    batch.attempts.append(AttemptRecord(runId: runID, stepId: id, number: attempt, status: .running,
                                                        startedAt: now, logPath: Self.logPath(work.stepDirectory, attempt: attempt)))
                    starting.append(work)
                } catch {
                    let message = (error as? ExpressionError).map { "expression failed: \($0.message)" } ?? "\(error)"
                    queue.append(contentsOf: scheduler.handle(.couldNotStart(index, reason: message)))
                }
            case .settle(let index, let final, let reason):
                let reason = secrets.mask(reason)
                let id = scheduler.steps[index].id
                batch.transitions.append(.init(stepId: id, from: .pending, to: final, at: clock.now(), reason: reason))
                batch.events.append(.stepFinished(StepSummary(stepID: id, status: final, attempts: 0, exitCode: nil,
                                                              reason: reason, seconds: 0, logPath: nil, name: name(of: index))))
            case .stop(let index):
                stopping.append(index)
            case .expand(let gate, let instances, let combinations, let reused):
                let id = scheduler.steps[gate].id
                var labels: [String: StepLabel] = [:]
                let gateLabel = labels[id]
                for instance in instances {
                    let instanceID = scheduler.steps[instance].id
                    var label = gateLabel ?? StepLabel(name: nil, description: nil)
                    // A name that reads `matrix` is the instance's own.
                    if let template = scheduler.steps[gate].nameTemplate,
                       let rendered = try? template.render(in: scheduler.context(for: instance)) {
                        label.name = secrets.mask(rendered)
                    }
                    if let name = label.name { names[instanceID] = name }
                    labels[instanceID] = label
                }
                batch.expansions.append(RunDatabase.Expansion(
                    gate: id, instances: instances.map { scheduler.steps[$0].id }, combinations: combinations,
                    reused: reused, labels: labels, at: clock.now()))
                batch.transitions.append(.init(stepId: id, from: .pending, to: .running, at: clock.now()))
            case .enter(let call, let values):
                // Learnt before any step inside starts, so everything from then on masks them.
                secrets.learn(values)
                // Names inside that read the sub-pipeline's params, rendered now that they are known.
                let scope = scheduler.steps[call].id
                for (index, step) in scheduler.steps.enumerated() where step.scope == scope && step.runtimeMatrix == nil {
                    guard let template = step.nameTemplate, let rendered = try? template.render(in: scheduler.context(for: index)) else { continue }
                    let name = secrets.mask(rendered)
                    names[step.id] = name
                    batch.labels[step.id] = StepLabel(name: name, description: step.description.map(secrets.mask))
                }
                batch.transitions.append(.init(stepId: scheduler.steps[call].id, from: .pending, to: .running, at: clock.now()))
            case .finishGate(let gate, let final, let reason, let outputs):
                let id = scheduler.steps[gate].id
                let reason = reason.map(secrets.mask)
                batch.transitions.append(.init(stepId: id, from: .running, to: final, at: clock.now(),
                                               outputs: outputs.isEmpty ? nil : secrets.mask(outputs: outputs), reason: reason))
                batch.events.append(.stepFinished(StepSummary(stepID: id, status: final, attempts: 0, exitCode: nil,
                                                              reason: reason, seconds: 0, logPath: nil, name: name(of: gate))))
            }
        }
        guard commit(batch) else {
            _ = scheduler.handle(.storageFailed)
            tasks.values.forEach { $0.cancel() }
            return
        }
        for index in stopping { tasks[index]?.cancel() }
        let inbox = self.inbox
        for work in starting {
            tasks[work.index] = Task { inbox.add(.finished(await Self.attempts(work))) }
        }
    }

    /// A memoized step whose key an earlier success recorded: its saved paths put back, it ends
    /// `succeeded` with that success's outputs, without running. Nil when no success has the
    /// key (or its saved paths are gone): the step runs.
    func reuse(_ index: Int, _ memo: CacheWork) throws -> (transition: RunDatabase.Transition, event: RunEvent, outputs: [String: String])? {
        let id = scheduler.steps[index].id
        // The planned memoized steps' entries are read once, at the first; a step made later (a
        // runtime matrix's instance, after the planned ones) reads its own.
        let entry: CacheEntryRecord?
        if index < plan.steps.count {
            let known = try knownEntries ?? database.cacheEntries(ofSteps: plan.steps.filter { $0.cache != nil }.map(\.id))
            knownEntries = known
            entry = known[memo.key]
        } else {
            entry = try database.cacheEntry(memo.key)
        }
        guard let entry else { return nil }
        do {
            guard try memo.store.restore(key: memo.key, paths: entry.paths, workspace: memo.workspace) else { return nil }
        } catch {
            throw StepCacheStore.Problem(description: "cache: the paths saved by run \(entry.runId) could not be put back: \(error); "
                                         + "run with --no-cache, or clear it with `flow cache clear \(id)`")
        }
        let outputs = entry.outputs
        let transition = RunDatabase.Transition(stepId: id, from: .pending, to: .succeeded, at: clock.now(), outputs: outputs, cachedFrom: entry.runId)
        let event = RunEvent.stepFinished(StepSummary(stepID: id, status: .succeeded, attempts: 0, exitCode: nil, reason: nil, seconds: 0,
                                                      logPath: nil, name: name(of: index), cachedFrom: entry.runId))
        return (transition, event, outputs)
    }

    /// Commits a batch through the recorder. Returns false (after reporting it) when the state
    /// could not be recorded: the run then stops, since nothing may act on a decision the
    /// database does not hold.
    func commit(_ batch: Decisions) -> Bool {
        guard storageError == nil else { return false }
        guard !batch.isEmpty else { return true }
        do {
            try recorder.record(batch)
            return true
        } catch {
            let message = "state could not be recorded, stopping the run: \(error)"
            storageError = message
            recorder.emit(.runError(message: message))
            return false
        }
    }

    // MARK: Finishing

    /// Adds a finished step's end (status, outputs, last attempt) to `batch`, committed with
    /// what it makes ready; returns what the scheduler decides from it.
    func finish(_ completion: Completion, into batch: inout Decisions) -> [RunScheduler.Action] {
        let id = scheduler.steps[completion.index].id
        let now = clock.now()
        var attempt = completion.lastAttempt
        if attempt?.finishedAt == nil { attempt?.finishedAt = now }
        batch.transitions.append(.init(
            stepId: id, from: .running, to: completion.status, at: now, attempts: completion.attempts,
            outputs: completion.outputs, exitCode: completion.exitCode, error: completion.error))
        if let attempt { batch.attempts.append(attempt) }
        if completion.status == .succeeded, let entry = completion.cacheEntry { batch.cacheEntries.append(entry) }
        batch.events.append(.stepFinished(StepSummary(stepID: id, status: completion.status, attempts: completion.attempts,
                                                      exitCode: completion.exitCode, reason: completion.error,
                                                      seconds: completion.seconds, logPath: completion.lastAttempt?.logPath,
                                                      name: name(of: completion.index))))
        return scheduler.handle(.finished(completion.index, completion.status, outputs: completion.outputs))
    }

    /// A step's display name: its own, or (an instance of a runtime matrix) its gate's.
    func name(of index: Int) -> String? {
        let step = scheduler.steps[index]
        return names[step.id]
    }

    /// Marks whatever never started as cancelled (or never ready) and records the run's end,
    /// in one commit with `finishes` (the steps whose end ended the run).
    func conclude(after finishes: Decisions = Decisions()) -> RunStatus {
        let (final, left) = scheduler.conclusion()
        var batch = finishes
        for (index, reason) in left {
            batch.transitions.append(.init(stepId: scheduler.steps[index].id, from: .pending, to: .cancelled, at: clock.now(), reason: reason))
        }
        var status: RunStatus = storageError != nil ? .failed : final
        let (outputs, problem) = pipelineOutputs()
        if let problem, storageError == nil {
            recorder.emit(.runError(message: problem))
            if status == .succeeded { status = .failed }
        }
        let now = clock.now()
        if storageError == nil {
            batch.runEnd = .init(status: status, at: now, outputs: outputs.map { ($0.name, $0.value) })
            if !commit(batch) { status = .failed }
        } else {
            do {
                try database.finishRun(runID, to: status, at: now, outputs: outputs.map { ($0.name, $0.value) })
            } catch {
                recorder.emit(.runError(message: "the run's end could not be recorded: \(error)"))
            }
        }
        recorder.emit(.runFinished(runID: runID, status: status, seconds: now.timeIntervalSince(startedAt), outputs: outputs))
        return status
    }

    /// The pipeline's `outputs:`, rendered over every step's outputs and status as the run ended,
    /// masked. An output that cannot be rendered is empty and the problem is returned (it fails
    /// a run that otherwise succeeded: what the run reports is part of what it does).
    func pipelineOutputs() -> ([RunOutput], String?) {
        var problems: [String] = []
        let context = scheduler.endContext()
        let outputs = plan.outputs.map { output -> RunOutput in
            do {
                return RunOutput(name: output.name, value: secrets.mask(try output.value.render(in: context)))
            } catch {
                problems.append("output `\(output.name)` could not be computed: \(secrets.mask((error as? ExpressionError)?.message ?? "\(error)"))")
                return RunOutput(name: output.name, value: "")
            }
        }
        return (outputs, problems.isEmpty ? nil : problems.joined(separator: "; "))
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
}

/// What reaches the run's loop from elsewhere: steps' ends from their tasks, cancellation
/// requests from the caller. The loop takes all that has arrived at once
/// (see ``RunCoordinator/execute()``).
final class RunInbox: @unchecked Sendable {
    enum Message: Sendable {
        case finished(Completion)
        case cancel
        case forceCancel
    }

    private let lock = NSLock()
    private var arrived: [Message] = []
    private var waiting: CheckedContinuation<[Message], Never>?

    func add(_ message: Message) {
        lock.lock()
        if let waiting {
            self.waiting = nil
            lock.unlock()
            waiting.resume(returning: [message])
        } else {
            arrived.append(message)
            lock.unlock()
        }
    }

    /// Everything that has arrived, waiting for at least one. Only one caller waits at a time.
    func takeAll() async -> [Message] {
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
