import Foundation
import FlowCore
import FlowEngine

/// What `resume` and `retry` share at the command line: the launcher's takeover (see
/// ``RunLauncher``) with its outcomes printed — the reuse/rerun preview, the note when the file
/// changed — and the run executed with the same renderers, concurrency group and exit codes as
/// `run`.
struct RunTakeover {
    var database: RunDatabase
    var state: StateOptions
    var launcher: RunLauncher
    var takeover: RunLauncher.Takeover
    /// `resume` or `retry`; inside CodeBuild, the build that takes the run over.
    var trigger: RunTrigger

    init(database: RunDatabase, state: StateOptions, stepsDirectory: String, params: [String], verb: String, noCache: Bool) throws {
        self.database = database
        self.state = state
        launcher = Launching.launcher(stepsDirectory: stepsDirectory, stateDirectory: StateDirectory(option: state.stateDirectory).path)
        launcher.readCache = !noCache
        let (arguments, problems) = RunPlanner.ParamArgument.parse(all: params)
        guard problems.isEmpty else {
            Launching.report(problems)
            throw CommandExit(status: .invalidInput)
        }
        takeover = RunLauncher.Takeover(secretParams: arguments, verb: verb)
        trigger = RunTrigger.detect(environment: launcher.environment, otherwise: verb == "retry" ? .retry : .resume)
    }

    func claim(_ record: RunRecord, verb: String) throws -> RunRecord {
        try Launching.badInputExits { try launcher.claim(record, verb: verb, database: database) }
    }

    func currentSource(_ record: RunRecord) -> String? { launcher.currentSource(record) }

    func definition(_ record: RunRecord, hint: String) throws -> String {
        try Launching.badInputExits { try launcher.definition(record, hint: hint) }
    }

    func plan(_ record: RunRecord, source: String, again: String?) throws -> PipelineSource.Loaded {
        try Launching.badInputExits { try launcher.plan(record, text: source, takeover, again: again) }
    }

    /// Says (on standard error) when the file changed since the run started, and which steps differ.
    func noteChanges(_ record: RunRecord, planned: RunPlan, current: String?) {
        guard let changed = launcher.changes(record, planned: planned, current: current, takeover) else { return }
        var note = "note: \(record.file) changed since run \(record.id) started"
        if !changed.isEmpty { note += " (steps changed: \(changed.joined(separator: ", ")))" }
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
                let outputs = row.outputValues
                print("  reuse  \(step.id): succeeded" + (row.cachedFrom.map { " " + CachedWords.text($0) } ?? "")
                      + (outputs.isEmpty ? "" : ", outputs \(JSONText.object(outputs))"))
            } else {
                print("  rerun  \(step.id): \(row.status.rawValue)" + ((row.error ?? row.reason).map { " (\($0))" } ?? ""))
            }
        }
    }

    /// `--plan`: rerun requests a killed flow left pending, which the takeover carries out.
    static func previewPending(_ record: RunRecord, database: RunDatabase) throws {
        for r in try database.pendingReruns(of: record.id) {
            print("  pending rerun requested by \(r.stepId): " + (r.stepList + r.paramValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
                .joined(separator: ", ") + (r.reason.isEmpty ? "" : " (\(r.reason))") + "; carried out when the run is taken over")
        }
    }

    /// Runs the taken-over run to its end and exits as `run` does: 0, 1 or 130.
    func execute(_ record: RunRecord, _ loaded: PipelineSource.Loaded, source: String, reloaded: Bool = false,
                 rerunning: [String] = [], json: Bool, junit: String?, remote: RemoteState? = nil) async throws {
        let signals = CommandSignals()
        let lock = try await Launching.enterGroup(launcher, loaded.plan, database: database, signals: signals)
        defer { lock?.release() }
        lock?.record(runID: record.id)
        let sync = remote?.sync(database: database, signals: signals)
        let (collector, rendering) = RunCommand.output(json: json)
        let onEvent = sync?.observing(rendering) ?? rendering
        let gitBranch = await Git.checkout(environment: launcher.environment).branch
        // Rerun requests left pending (flow was killed before it carried them out) are carried out now.
        var (loaded, rerunning, carrying) = (loaded, rerunning, RerunPass?.none)
        switch try launcher.pendingRerun(record, loaded, text: source, database: database, alsoRerunning: rerunning) {
        case .none: break
        case .refused(let why): RunCommand.noteRerun(.rerunRefused(runID: record.id, message: why))
        case .rerun(let next, let pass): (loaded, rerunning, carrying) = (next, pass.rerunning, pass)
        }
        let (coordinator, stopped) = try await launcher.takeOver(record, loaded, text: source, database: database, reloaded: reloaded,
                                                                 rerunning: rerunning, carryingOut: carrying, gitBranch: gitBranch,
                                                                 trigger: trigger, onEvent: onEvent)
        if let carrying { onEvent(.runRerun(runID: record.id, carrying)) }
        if stopped > 0 {
            Terminal.standardError.write("note: stopped \(stopped) process\(stopped == 1 ? "" : "es") that run \(record.id)'s previous flow left running\n")
        }
        let databasePath = StateDirectory(option: state.stateDirectory).databasePath
        try await RemoteState.finishing(sync, database: databasePath, runID: record.id) {
            try await RunCommand.execute(coordinator, .init(launcher: launcher, loaded: loaded, text: source, database: database,
                                                            gitBranch: gitBranch, onEvent: onEvent),
                                         junit: junit, collector: collector, signals: signals)
        }
    }
}
