import Foundation
import FlowCore
import FlowEngine
import FlowSteps

/// What `resume` and `retry` share: taking a recorded run over, planning its definition again
/// (stored params plus the secret ones given again, stored `--only` selection), the reuse/rerun
/// preview, and running it under the same id with the same renderers, concurrency group and
/// exit codes as `run`.
struct RunTakeover {
    var database: RunDatabase
    var state: StateOptions
    var input: PipelineInput
    /// `--param` values given to `resume` or `retry`: only the run's secret params, which are never stored.
    var secretParams: [RunPlanner.ParamArgument] = []
    /// `resume` or `retry`, for messages.
    var verb: String

    /// Parses `--param NAME=VALUE` arguments; malformed ones are reported (exit 2).
    static func paramArguments(_ texts: [String]) throws -> [RunPlanner.ParamArgument] {
        let (arguments, problems) = RunPlanner.ParamArgument.parse(all: texts)
        guard problems.isEmpty else {
            PipelineInput.report(problems)
            throw CommandExit(status: .invalidInput)
        }
        return arguments
    }

    /// The run as it stands once it is ours to take: refused (exit 2) when a live process owns
    /// it; recorded `interrupted` when its owner is gone.
    func claim(_ record: RunRecord, verb: String) throws -> RunRecord {
        let now = Date()
        switch RunOwnership.local(now: now).verdict(for: record) {
        case .ownedByLiveProcess(let pid, let host):
            throw CLIError("run \(record.id) is still running (pid \(pid.map(String.init) ?? "?") on \(host ?? "another host")); a live run cannot be \(verb) by another process")
        case .ownerGone:
            try database.markInterrupted(record.id, at: now)
            return try database.run(record.id) ?? record
        case .notRunning:
            return record
        }
    }

    /// The text to plan the run from: its stored definition, or, when that was stored with
    /// secret values masked, the file, if it is still the very file the run started from (same
    /// digest). Otherwise exit 2, with `hint` saying what to do.
    func definition(_ record: RunRecord, hint: String) throws -> String {
        guard Digest.of(record.source) != record.sourceDigest else { return record.source }
        if let current = currentSource(record), Digest.of(current) == record.sourceDigest { return current }
        PipelineInput.report([.error(RunPlanner.commandLine, Messages.maskedDefinitionUnavailable(run: record.id, file: record.file, hint: hint))])
        throw CommandExit(status: .invalidInput)
    }

    /// The run's plan from `source` (its definition, or the file when reloading), with the run's
    /// stored params and the secret ones given again, narrowed to its `--only` selection.
    /// `again` (the command to repeat, e.g. `flow resume R`) requires every secret param the run
    /// has no stored value for; nil plans without them (`--plan` runs nothing). Problems are
    /// reported; exit 2.
    func plan(_ record: RunRecord, source: String, again: String?) throws -> PipelineInput.Loaded {
        var loaded = try Self.plan(source, file: record.file, input: input) { pipeline in
            try arguments(for: record, pipeline, again: again)
        }
        if let names = record.selectedSteps {
            let (narrowed, problems) = loaded.plan.only(names)
            guard let narrowed else {
                PipelineInput.report(problems)
                throw CommandExit(status: .invalidInput)
            }
            loaded.plan = narrowed
        }
        return loaded
    }

    /// The file as it is now, when it can be read.
    func currentSource(_ record: RunRecord) -> String? {
        input.read(record.file).0.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Says (on standard error) when the file changed since the run started, and which steps differ.
    func noteChanges(_ record: RunRecord, planned: RunPlan, current: String?) {
        guard let current, Digest.of(current) != record.sourceDigest else { return }
        var note = "note: \(record.file) changed since run \(record.id) started"
        if case .success(let now) = (Result { try plan(record, source: current, again: nil) }) {
            let changed = PlanDifference.changedSteps(planned, now.plan)
            if !changed.isEmpty { note += " (steps changed: \(changed.joined(separator: ", ")))" }
        }
        Terminal.standardError.write(note + "; using the definition stored with the run (--reload uses the file)\n")
    }

    /// `--plan`: each step as reuse or rerun, with the reason. `forced` are rerun although they
    /// succeeded, for the reason `why` gives.
    static func preview(_ verb: String, _ record: RunRecord, _ plan: RunPlan, steps: [StepRecord],
                        forced: Set<String> = [], why: (String) -> String = { _ in "" }) {
        let byID = Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) })
        let reused = plan.steps.filter { byID[$0.id]?.status == .succeeded && !forced.contains($0.id) }
        print("\(verb) \(record.id) (\(record.pipeline)): reuse \(reused.count), rerun \(plan.steps.count - reused.count)")
        for step in plan.steps {
            guard let row = byID[step.id] else {
                print("  rerun  \(step.id): new in this definition")
                continue
            }
            if forced.contains(step.id) {
                print("  rerun  \(step.id): \(row.status.rawValue), \(why(step.id))")
            } else if row.status == .succeeded {
                print("  reuse  \(step.id): succeeded" + (row.outputs.map { $0 == "{}" ? "" : ", outputs \($0)" } ?? ""))
            } else {
                print("  rerun  \(step.id): \(row.status.rawValue)" + ((row.error ?? row.reason).map { " (\($0))" } ?? ""))
            }
        }
    }

    /// Runs the taken-over run to its end and exits as `run` does: 0, 1 or 130.
    func execute(_ record: RunRecord, _ loaded: PipelineInput.Loaded, source: String, reloaded: Bool = false,
                 rerunning: [String] = [], json: Bool, junit: String?) async throws {
        let signals = CommandSignals()
        let stateDirectory = StateDirectory(option: state.stateDirectory).path
        let lock = try await ConcurrencyGate.enter(loaded.plan.concurrency, stateDirectory: stateDirectory, database: database, signals: signals)
        defer { lock?.release() }
        lock?.record(runID: record.id)
        let (collector, onEvent) = RunCommand.output(json: json)
        let options = RunOptions(stateDirectory: stateDirectory, workingDirectory: FileManager.default.currentDirectoryPath,
                                 environment: ProcessInfo.processInfo.environment, trigger: record.trigger, gitSHA: record.gitSha,
                                 gitBranch: Git.branch(), source: source,
                                 resources: .standard(environment: ProcessInfo.processInfo.environment, clock: SystemClock()))
        let coordinator: RunCoordinator
        do {
            coordinator = try RunCoordinator(resuming: record, plan: loaded.plan, database: database, registry: loaded.registry,
                                             runner: ProcessRunners.standard, clock: SystemClock(), options: options, reloadedSource: reloaded,
                                             rerunning: rerunning, onEvent: onEvent)
        } catch let refused as RunDatabase.ResumeRefused {
            throw CLIError(refused.description)
        }
        // The run is ours now. Steps its dead owner started on this host may still be running
        // (`kill -9` of flow alone leaves them): stop them before running those steps again,
        // or two copies of a step would run at once.
        if record.ownerHost == Host.name() {
            let stopped = await LeftoverProcesses.stop(runID: record.id, grace: .seconds(5))
            if stopped > 0 {
                Terminal.standardError.write("note: stopped \(stopped) process\(stopped == 1 ? "" : "es") that run \(record.id)'s previous flow left running\n")
            }
            ScratchDirectory.removeLeftovers(of: record.id)
        }
        try await RunCommand.execute(coordinator, junit: junit, pipeline: loaded.plan.pipelineName, collector: collector, signals: signals)
    }

    /// The run's parameter values, as `--param` arguments for re-planning.
    static func storedParams(_ json: String) throws -> [RunPlanner.ParamArgument] {
        guard case .object(let values) = try ExpressionValue(json: json) else { return [] }
        return values.sorted { $0.key < $1.key }.map { RunPlanner.ParamArgument(name: $0.key, value: $0.value.stringValue) }
    }

    /// The params to plan `pipeline` with: the stored ones, and the secret ones given again.
    /// A given param that is declared but not secret is refused (its value is stored); with
    /// `again`, so is a secret param with neither a stored nor a given value.
    func arguments(for record: RunRecord, _ pipeline: Pipeline, again: String?) throws -> (arguments: [RunPlanner.ParamArgument], requireAll: Bool) {
        let secret = RunPlanner.secretParams(of: pipeline)
        let stored = try Self.storedParams(record.params)
        var problems: [Diagnostic] = []
        for argument in secretParams where !secret.contains(argument.name) && pipeline.params.contains(where: { $0.name.value == argument.name }) {
            problems.append(.error(RunPlanner.commandLine, Messages.onlySecretParams(argument.name, verb: verb, run: record.id),
                                   notes: secret.isEmpty ? [] : [.init(Messages.secretParamsOfRun(secret))]))
        }
        if let again {
            for name in secret where !secretParams.contains(where: { $0.name == name }) && !stored.contains(where: { $0.name == name }) {
                problems.append(.error(RunPlanner.commandLine, Messages.secretParamNeeded(run: record.id, param: name, again: again)))
            }
        }
        guard problems.isEmpty else {
            PipelineInput.report(problems)
            throw CommandExit(status: .invalidInput)
        }
        let given = Set(secretParams.map(\.name))
        return (stored.filter { !given.contains($0.name) } + secretParams, again != nil)
    }

    /// Checks `source` and plans it with the params `arguments` picks for the pipeline (and
    /// whether every param needs a value).
    static func plan(_ source: String, file: String, input: PipelineInput,
                     arguments: (Pipeline) throws -> (arguments: [RunPlanner.ParamArgument], requireAll: Bool)) throws -> PipelineInput.Loaded {
        let (registry, problems) = input.registry()
        let (pipeline, diagnostics) = PipelineCheck.check(Array(source.utf8), file: file, options: PipelineInput.options(catalog: registry.catalog))
        var all = problems + diagnostics
        guard let pipeline, !all.hasErrors else {
            PipelineInput.report(all)
            throw CommandExit(status: .invalidInput)
        }
        let (params, requireAll) = try arguments(pipeline)
        let (plan, planProblems) = RunPlanner.plan(pipeline, params: params, requireAllParams: requireAll)
        all += planProblems
        guard let plan, !all.hasErrors else {
            PipelineInput.report(all)
            throw CommandExit(status: .invalidInput)
        }
        return PipelineInput.Loaded(pipeline: pipeline, plan: plan, registry: registry, source: source)
    }
}
