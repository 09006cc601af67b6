import Foundation
import FlowCore

/// Everything one step needs to run its attempts, prepared by the coordinator.
struct StepWork: Sendable {
    var index: Int
    var runID: String
    var stepID: String
    /// The display name (`name:`), when the step has one.
    var name: String?
    var uses: String
    var inputs: ExpressionValue
    var environment: [String: String]
    var workingDirectory: String
    var stepDirectory: String
    var timeout: Duration?
    /// `log-limit` in bytes; nil keeps the whole log.
    var logLimit: Int?
    var gracePeriod: Duration
    var retry: RetryPolicy
    /// The run's image map, resolved (``StepContext/images``).
    var images: [String: String]
    /// The commit the run builds (``StepContext/gitSHA``).
    var gitSHA: String?
    /// ``StepContext/declaredEnvironment``.
    var declaredEnvironment: [String]
    /// ``StepContext/workspace``.
    var workspace: String
    /// Attempts already on record (from before a resume); this run's first attempt is the next.
    var priorAttempts: Int
    var registry: StepRegistry
    var resources: StepResources
    var runner: any ProcessRunner
    var clock: any EngineClock
    var database: RunDatabase
    var secrets: RunSecrets
    var jitter: @Sendable (Double) -> Double
    /// Where the step's attempts are committed and reported (``RunRecorder``).
    var recorder: RunRecorder
    /// Where the step's rerun requests go (``StepContext/requestRerun(_:)``).
    var reruns: RerunLedger
    /// A memoized step's key and what it saves (`cache:`).
    var cache: CacheWork?
}

/// A memoized step's key, computed as it starts, and where its success is saved.
struct CacheWork: Sendable {
    var key: String
    var paths: [String]
    var store: StepCacheStore
    var pipeline: String
    var workspace: String
}

/// How a step's attempts ended.
struct Completion: Sendable {
    var index: Int
    var status: StepStatus
    var attempts: Int
    var outputs: [String: String]
    var exitCode: Int32?
    var error: String?
    var seconds: Double
    var lastAttempt: AttemptRecord?
    /// A memoized step's success, to record with it.
    var cacheEntry: CacheEntryRecord? = nil
}

extension RunCoordinator {
    /// Values every expression of the run can read that do not depend on a step.
    static func staticValues(_ plan: RunPlan, _ options: RunOptions, runID: String, env: [String: String]) -> [String: ExpressionValue] {
        [
            "params": .object(Dictionary(uniqueKeysWithValues: plan.params.map { ($0.name, $0.value) })),
            "env": .object(env.mapValues { .string($0) }),
            "pipeline": .object(["name": .string(plan.pipelineName), "file": .string(plan.file)]),
            "git": .object(["sha": .string(options.gitSHA ?? ""), "branch": .string(options.gitBranch ?? "")]),
            "run": .object(["id": .string(runID), "status": .string("running"), "attempt": .number(1), "trigger": .string(options.trigger.kind)]),
        ]
    }

    /// Renders what the step will run with: its environment (pipeline, then step `env:`, then
    /// the `FLOW_EXPR_n` values of its script) and its inputs.
    func makeWork(_ index: Int, context: EvaluationContext) throws -> StepWork {
        let step = scheduler.steps[index]
        // Inside a sub-pipeline: flow's own environment and the sub-pipeline's `env:`.
        let scopeEnvironment = scheduler.environment(for: index)
        let pipelineEnv = scopeEnvironment?.declared ?? plan.env.map(\.name)
        var env = scopeEnvironment?.values ?? baseEnvironment
        var context = context
        for (name, template) in step.env {
            let value = try template.render(in: context)
            // Learnt before the step's process starts, so everything from then on masks it.
            if plan.secrets.contains(name) { secrets.learn([value]) }
            env[name] = value
            context.values["env"] = .object(env.mapValues { .string($0) })
        }
        var inputs: [String: ExpressionValue] = [:]
        for (name, value) in step.inputs { inputs[name] = try value.evaluate(in: context) }
        // A value given to an input the step type declares secret is one, however computed.
        for input in Self.secretInputs(of: step, registry) {
            if let value = inputs[input.name] { secrets.learn([value.stringValue]) }
        }
        if let script = step.script {
            inputs[script.inputs.script] = .string(script.substitution.script)
            if script.interpreterWritten { inputs[script.inputs.interpreter] = .string(script.interpreter) }
            for variable in script.substitution.variables {
                env[variable.name] = try variable.expression.evaluate(in: context).stringValue
            }
        }
        var directory = options.workingDirectory
        if let wd = step.workingDirectory {
            let rendered = try wd.render(in: context)
            directory = rendered.hasPrefix("/") ? rendered : options.workingDirectory + "/" + rendered
        }
        env["FLOW_RUN_ID"] = runID
        env["FLOW_STEP"] = step.id
        var images: [String: String] = [:]
        for (name, template) in plan.images { images[name] = try template.render(in: context) }
        // What the pipeline set, as opposed to what flow inherited from its own environment.
        var declared = Set(pipelineEnv + step.env.map(\.name) + plan.secrets + ["FLOW_RUN_ID", "FLOW_STEP"])
        declared.formUnion(step.script?.substitution.variables.map(\.name) ?? [])
        var cache: CacheWork?
        if let memo = step.cache {
            cache = try cacheWork(step, memo, inputs: .object(inputs), environment: env, declared: declared.sorted(),
                                  directory: directory, images: images, context: context)
        }
        var resources = options.resources
        resources[RunView.Key.self] = RunView(runID: runID, values: registry.readsRunValues(step.uses) ? context.values : [:],
                                              database: database, secrets: secrets)
        return StepWork(
            index: index, runID: runID, stepID: step.id, name: name(of: index), uses: step.uses, inputs: .object(inputs), environment: env,
            workingDirectory: directory,
            stepDirectory: options.stateDirectory + "/" + runID + "/" + RunID.directoryName(forStep: step.id),
            timeout: step.timeout.map { .milliseconds($0.milliseconds) }, logLimit: step.logLimit, gracePeriod: options.gracePeriod,
            retry: step.retry, images: images, gitSHA: options.gitSHA,
            declaredEnvironment: declared.sorted(), workspace: options.workingDirectory, priorAttempts: priorAttempts[step.id, default: 0], registry: registry, resources: resources, runner: runner, clock: clock, database: database, secrets: secrets,
            jitter: options.jitter, recorder: recorder,
            reruns: RerunLedger(database: database, runID: runID, plan: plan, policy: options.reruns, clock: clock, secrets: secrets),
            cache: cache)
    }

    /// A memoized step's key (``StepCacheKey``), from what it is about to run with.
    func cacheWork(_ step: PlannedStep, _ memo: PlannedCache, inputs: ExpressionValue, environment: [String: String], declared: [String],
                   directory: String, images: [String: String], context: EvaluationContext) throws -> CacheWork {
        let workspace = options.workingDirectory
        let relative = directory == workspace ? "." : directory.hasPrefix(workspace + "/") ? String(directory.dropFirst(workspace.count + 1)) : directory
        let parts = StepCacheKey.Parts(step: step, cache: memo, inputs: inputs, environment: environment, declared: declared,
                                       workingDirectory: relative, images: images,
                                       type: registry.cacheKey(step.uses, inputs: inputs, workingDirectory: directory))
        do {
            let key = try StepCacheKey.digest(parts, context: context, files: CacheFiles(workspace: workspace, skipping: options.stateDirectory),
                                              mask: secrets.mask)
            return CacheWork(key: key, paths: memo.paths, store: StepCacheStore(stateDirectory: options.stateDirectory),
                             pipeline: plan.pipelineName, workspace: workspace)
        } catch let problem as CacheFiles.Problem {
            throw CacheFiles.Problem(description: "the cache key could not be computed: \(problem.description)")
        }
    }

    /// The log of an attempt: `<state>/<run>/<step>/attempt-<n>.log`.
    static func logPath(_ stepDirectory: String, attempt: Int) -> String {
        stepDirectory + "/attempt-\(attempt).log"
    }

    /// Runs attempts until one succeeds, an error is terminal, the policy says stop, or the task
    /// is cancelled. Each attempt's start is committed before its process starts: the first
    /// one's by the coordinator, together with the step's `running` (``prepare(_:)``), later
    /// ones here.
    static func attempts(_ work: StepWork) async -> Completion {
        let firstStart = work.clock.now()
        var last: AttemptRecord?
        var attempt = work.priorAttempts + 1
        // Tries under the retry policy; rounds a step asked for (`StepError.Kind.again`) are
        // attempts too but do not count here.
        var tries = 1
        while true {
            let first = attempt == work.priorAttempts + 1
            let logPath = logPath(work.stepDirectory, attempt: attempt)
            var record = AttemptRecord(runId: work.runID, stepId: work.stepID, number: attempt, status: .running,
                                       startedAt: work.clock.now(), logPath: logPath)
            let scratch: ScratchDirectory
            if !first {
                do {
                    try work.recorder.record(Decisions(transitions: [.init(stepId: work.stepID, from: .running, to: .running,
                                                                           at: record.startedAt, attempts: attempt)], attempts: [record]))
                } catch {
                    return Completion(index: work.index, status: .failed, attempts: attempt, outputs: [:], exitCode: nil,
                                      error: "cannot record the attempt: \(error)", seconds: 0, lastAttempt: nil)
                }
            }
            do {
                scratch = try ScratchDirectory(run: work.runID)
            } catch {
                record.status = .failed
                record.error = "\(error)"
                return Completion(index: work.index, status: .failed, attempts: attempt, outputs: [:], exitCode: nil,
                                  error: "\(error)", seconds: 0, lastAttempt: record)
            }
            defer { scratch.remove() }
            work.recorder.emit(.stepStarted(stepID: work.stepID, attempt: attempt, logPath: logPath, name: work.name))
            let result = await runAttempt(work, attempt: attempt, logPath: logPath, scratch: scratch.path)
            record.finishedAt = work.clock.now()
            let seconds = record.finishedAt!.timeIntervalSince(firstStart)
            switch result {
            case .success(let (outcome, saved)):
                record.status = .succeeded
                record.exitCode = outcome.exitCode
                let outputs = work.secrets.mask(outputs: outcome.outputs)
                var entry: CacheEntryRecord?
                if let memo = work.cache, let bytes = saved {
                    entry = CacheEntryRecord(key: memo.key, stepId: work.stepID, pipeline: memo.pipeline, runId: work.runID,
                                             outputs: outputs, paths: memo.paths, bytes: bytes,
                                             createdAt: work.clock.now())
                }
                return Completion(index: work.index, status: .succeeded, attempts: attempt, outputs: outputs,
                                  exitCode: outcome.exitCode, error: nil, seconds: seconds, lastAttempt: record, cacheEntry: entry)
            case .failure(let failure):
                let message = work.secrets.mask(failure.message)
                record.status = failure.cancelled ? .cancelled : .failed
                record.exitCode = failure.exitCode
                record.error = message
                last = record
                guard !failure.cancelled else {
                    return Completion(index: work.index, status: .cancelled, attempts: attempt, outputs: [:],
                                      exitCode: failure.exitCode, error: "cancelled", seconds: seconds, lastAttempt: record)
                }
                let delay: DurationValue
                let round = failure.kind == .again && attempt - work.priorAttempts < Self.roundLimit
                if round {
                    delay = DurationValue(milliseconds: 0)
                } else {
                    let elapsed = DurationValue(milliseconds: Int64(work.clock.now().timeIntervalSince(firstStart) * 1000))
                    let decision = work.retry.decide(afterTry: tries, retryable: failure.kind == .retryable, exitCode: failure.exitCode,
                                                     elapsed: elapsed, jitter: work.jitter)
                    guard case .retry(let after) = decision else {
                        return Completion(index: work.index, status: .failed, attempts: attempt, outputs: [:],
                                          exitCode: failure.exitCode, error: message, seconds: seconds, lastAttempt: record)
                    }
                    delay = after
                }
                // The failed attempt is committed before the next is announced; a commit that
                // fails ends the step (and the coordinator's next commit stops the run).
                do {
                    try work.recorder.record(Decisions(attempts: [record], events: [
                        .stepRetrying(stepID: work.stepID, attempt: attempt, delay: delay, error: message)]))
                } catch {
                    return Completion(index: work.index, status: .failed, attempts: attempt, outputs: [:], exitCode: failure.exitCode,
                                      error: "cannot record the attempt: \(error)", seconds: seconds, lastAttempt: nil)
                }
                if round {
                    attempt += 1
                    continue
                }
                do {
                    try await work.clock.sleep(for: .milliseconds(delay.milliseconds))
                } catch {
                    return Completion(index: work.index, status: .cancelled, attempts: attempt, outputs: [:],
                                      exitCode: failure.exitCode, error: "cancelled", seconds: seconds, lastAttempt: last)
                }
                attempt += 1
                tries += 1
            }
        }
    }

    /// Saves a memoized step's paths after it succeeded; says in its log what was saved, or why
    /// nothing was (the step still succeeded; the next run runs it again).
    static func save(_ memo: CacheWork, log: StepLog) -> Int64? {
        do {
            let bytes = try memo.store.save(key: memo.key, paths: memo.paths, workspace: memo.workspace)
            log.note("cache: saved as \(memo.key.prefix(19))…" + (memo.paths.isEmpty ? "" : " with \(memo.paths.joined(separator: ", ")) (\(bytes) bytes)"))
            return bytes
        } catch {
            log.note("cache: not saved: \(error)")
            return nil
        }
    }

    /// Attempts one run of a step may make by asking to run again (a bound against a step that
    /// never stops asking; autofix-retry's own `attempts` is far below it).
    static let roundLimit = 50

    struct AttemptFailure: Error {
        var message: String
        var kind: StepError.Kind
        var exitCode: Int32?
        var cancelled: Bool
    }

    /// One attempt; on success, a memoized step's paths are saved (their size returned; nil
    /// when the step is not memoized or they could not be saved, which its log says).
    static func runAttempt(_ work: StepWork, attempt: Int, logPath: String, scratch: String) async -> Result<(StepOutcome, Int64?), AttemptFailure> {
        let writer: StepLogWriter
        do {
            // The step's folder exists before the step runs (``StepContext/stepDirectory``),
            // for a type that uses it; otherwise the log makes it with its first byte.
            if work.registry.usesStepDirectory(work.uses) { try LogFile.makeParentDirectories(of: logPath) }
            writer = try StepLogWriter(path: logPath, secrets: work.secrets, cap: work.logLimit)
        } catch {
            return .failure(AttemptFailure(message: "cannot write the log \(logPath): \(error)", kind: .terminal, cancelled: false))
        }
        let artifacts = ArtifactStore(runID: work.runID, stepID: work.stepID, attempt: attempt, stepDirectory: work.stepDirectory,
                                      database: work.database, secrets: work.secrets, clock: work.clock)
        var context = StepContext(
            runID: work.runID, stepID: work.stepID, attempt: attempt, workingDirectory: work.workingDirectory,
            environment: work.environment, attemptDirectory: scratch, timeout: work.timeout, gracePeriod: work.gracePeriod,
            marker: "\(work.runID)/\(work.stepID)/\(attempt)", processRunner: work.runner, clock: work.clock, log: StepLog(writer),
            resources: work.resources, artifacts: artifacts, secrets: work.secrets, registry: work.registry,
            stepDirectory: work.stepDirectory, logPath: logPath, images: work.images, gitSHA: work.gitSHA,
            declaredEnvironment: work.declaredEnvironment, workspace: work.workspace)
        context.reruns = work.reruns
        var result: Result<(StepOutcome, Int64?), AttemptFailure>
        do {
            let outcome = try await work.registry.run(work.uses, inputs: work.inputs, context: context)
            result = .success((outcome, work.cache.flatMap { save($0, log: context.log) }))
        } catch let error as StepError {
            result = .failure(AttemptFailure(message: error.message, kind: error.kind, exitCode: error.exitCode, cancelled: false))
        } catch is CancellationError {
            result = .failure(AttemptFailure(message: "cancelled", kind: .terminal, cancelled: true))
        } catch {
            result = .failure(AttemptFailure(message: "\(error)", kind: .terminal, cancelled: Task.isCancelled))
        }
        if case .failure(let failure) = result, !failure.cancelled { context.log.note(failure.message) }
        do {
            try writer.close()
        } catch {
            // The step's output is lost: an attempt that otherwise succeeded fails, and says why.
            if case .success = result {
                result = .failure(AttemptFailure(message: "cannot write the log \(logPath): \(error)", kind: .terminal, cancelled: false))
            }
        }
        return result
    }
}
