import Foundation
import FlowCore

/// Taking a recorded run over (`resume`, `retry`): claiming it, planning its definition again
/// (stored params plus the secret ones given again, stored `--only` selection), and running it
/// under the same id.
extension RunLauncher {
    /// Why a run cannot be taken over: bad input (exit 2 at the command line).
    public struct TakeoverRefused: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The run as it stands once it is ours to take: refused when a live process owns it;
    /// recorded `interrupted` when its owner is gone. `verb` is `resumed` or `retried`.
    public func claim(_ record: RunRecord, verb: String, database: RunDatabase) throws -> RunRecord {
        let now = clock.now()
        switch RunOwnership.local(now: now).verdict(for: record) {
        case .ownedByLiveProcess(let pid, let host):
            throw TakeoverRefused("run \(record.id) is still running (pid \(pid.map(String.init) ?? "?") on \(host ?? "another host")); a live run cannot be \(verb) by another process")
        case .ownerGone:
            try database.markInterrupted(record.id, at: now)
            return try database.run(record.id) ?? record
        case .notRunning:
            return record
        }
    }

    /// The file as it is now, when it can be read.
    public func currentSource(_ record: RunRecord) -> String? {
        source.read(record.file).0.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The text to plan the run from: its stored definition, or, when that was stored with
    /// secret values masked, the file, if it is still the very file the run started from (same
    /// digest). Otherwise a diagnostic with `hint` saying what to do.
    public func definition(_ record: RunRecord, hint: String) throws(DiagnosticList) -> String {
        guard Digest.of(record.source) != record.sourceDigest else { return record.source }
        if let current = currentSource(record), Digest.of(current) == record.sourceDigest { return current }
        throw DiagnosticList([.error(RunPlanner.commandLine, Messages.maskedDefinitionUnavailable(run: record.id, file: record.file, hint: hint))])
    }

    /// What a takeover is given on its command line.
    public struct Takeover: Sendable {
        /// `--param` values: only the run's secret params, which are never stored.
        public var secretParams: [RunPlanner.ParamArgument]
        /// `resume` or `retry`, for messages.
        public var verb: String

        public init(secretParams: [RunPlanner.ParamArgument], verb: String) {
            self.secretParams = secretParams
            self.verb = verb
        }
    }

    /// The run's plan from `text` (its definition, or the file when reloading), with the run's
    /// stored params and the secret ones given again, narrowed to its `--only` selection.
    /// `again` (the command to repeat, e.g. `flow resume R`) requires every secret param the run
    /// has no stored value for; nil plans without them (`--plan` runs nothing).
    public func plan(_ record: RunRecord, text: String, _ takeover: Takeover, again: String?) throws -> PipelineSource.Loaded {
        var loaded = try source.plan(text, file: record.file) { pipeline in
            try Self.arguments(for: record, pipeline, takeover, again: again)
        }
        // The run keeps the image map it started with: its profile's and its `--image` ones.
        do {
            loaded.plan.images = try RunPlanner.imageMap(loaded.pipeline, profile: record.profile, overrides: record.imageOverrides)
        } catch {
            throw DiagnosticList([.error(RunPlanner.commandLine, Messages.expression("\(error)"))])
        }
        loaded.plan.imageOverrides = record.imageOverrides
        if let names = record.selectedSteps {
            let (narrowed, problems) = loaded.plan.only(names)
            guard let narrowed else { throw DiagnosticList(problems) }
            loaded.plan = narrowed
        }
        return loaded
    }

    /// When the file changed since the run started: the steps whose definition differs (empty
    /// when none does, or when the file no longer plans). Nil when the file is unchanged or gone.
    public func changes(_ record: RunRecord, planned: RunPlan, current: String?, _ takeover: Takeover) -> [String]? {
        guard let current, Digest.of(current) != record.sourceDigest else { return nil }
        guard let now = try? plan(record, text: current, takeover, again: nil) else { return [] }
        return PlanDifference.changedSteps(planned, now.plan)
    }

    /// The coordinator that runs the taken-over run under its id, and how many processes its
    /// previous flow left running were stopped first (steps it started on this host may still
    /// run after `kill -9` of flow alone; two copies of a step must never run at once).
    public func takeOver(_ record: RunRecord, _ loaded: PipelineSource.Loaded, text: String, database: RunDatabase, reloaded: Bool = false,
                         rerunning: [String] = [], carryingOut rerun: RerunPass? = nil, gitBranch: String? = nil,
                         trigger: RunTrigger = .resume, onEvent: @escaping RunEventHandler) async throws -> (RunCoordinator, stoppedLeftovers: Int) {
        var options = RunOptions(stateDirectory: stateDirectory, workingDirectory: workingDirectory, environment: environment,
                                 trigger: record.trigger, gitSHA: record.gitSha, gitBranch: gitBranch, source: text, resources: resources)
        options.launch = trigger
        options.reruns = rerunPolicy(loaded.pipeline)
        options.readCache = readCache
        let coordinator: RunCoordinator
        do {
            coordinator = try RunCoordinator(resuming: record, plan: loaded.plan, database: database, registry: loaded.registry,
                                             runner: runner, clock: clock, options: options, reloadedSource: reloaded,
                                             rerunning: rerunning, carryingOut: rerun, onEvent: onEvent)
        } catch let refused as RunDatabase.ResumeRefused {
            throw TakeoverRefused(refused.description)
        }
        var stopped = 0
        if record.ownerHost == Host.name() {
            stopped = await LeftoverProcesses.stop(runID: record.id, grace: .seconds(5))
            ScratchDirectory.removeLeftovers(of: record.id)
        }
        return (coordinator, stopped)
    }

    /// The run's parameter values, as `--param` arguments for re-planning.
    static func storedParams(_ json: String) throws -> [RunPlanner.ParamArgument] {
        guard case .object(let values) = try ExpressionValue(json: json) else { return [] }
        return values.sorted { $0.key < $1.key }.map { RunPlanner.ParamArgument(name: $0.key, value: $0.value.stringValue) }
    }

    /// The params to plan `pipeline` with: the stored ones, and the secret ones given again.
    /// A given param that is declared but not secret is refused (its value is stored); with
    /// `again`, so is a secret param with neither a stored nor a given value.
    static func arguments(for record: RunRecord, _ pipeline: Pipeline, _ takeover: Takeover,
                          again: String?) throws -> (arguments: [RunPlanner.ParamArgument], requireAll: Bool) {
        let secret = RunPlanner.secretParams(of: pipeline)
        let stored = try storedParams(record.params)
        let given = takeover.secretParams
        var problems: [Diagnostic] = []
        for argument in given where !secret.contains(argument.name) && pipeline.params.contains(where: { $0.name.value == argument.name }) {
            problems.append(.error(RunPlanner.commandLine, Messages.onlySecretParams(argument.name, verb: takeover.verb, run: record.id),
                                   notes: secret.isEmpty ? [] : [.init(Messages.secretParamsOfRun(secret))]))
        }
        if let again {
            for name in secret where !given.contains(where: { $0.name == name }) && !stored.contains(where: { $0.name == name }) {
                problems.append(.error(RunPlanner.commandLine, Messages.secretParamNeeded(run: record.id, param: name, again: again)))
            }
        }
        guard problems.isEmpty else { throw DiagnosticList(problems) }
        let givenNames = Set(given.map(\.name))
        return (stored.filter { !givenNames.contains($0.name) } + given, again != nil)
    }
}
