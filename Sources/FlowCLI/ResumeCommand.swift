import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow resume RUN | --last`: continue a run that failed, was cancelled or was interrupted.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a failed, cancelled or interrupted run under the same id.",
        discussion: """
            Steps that succeeded keep their status and outputs; every other step runs again with a fresh \
            retry budget. The pipeline definition stored with the run is used unless --reload is given.
            Exit codes: 0 succeeded, 1 failed, 2 invalid input or nothing resumable, 130 cancelled.
            """)

    @Argument(help: "The run id.") var runID: String?
    @Flag(help: "Resume the newest run.") var last = false
    @Flag(help: "Print, for each step, whether it would be reused or rerun, and run nothing.") var plan = false
    @Flag(help: "Use the pipeline file as it is now instead of the definition stored with the run.") var reload = false
    @Flag(help: "Print one JSON event per line instead of text.") var json = false
    @Option(help: ArgumentHelp("Write a JUnit XML report of the steps to this file.", valueName: "path")) var junit: String?
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"
    @OptionGroup var state: StateOptions

    func validate() throws {
        if (runID == nil) == !last { throw ValidationError("name a run id or pass --last (not both)") }
    }

    func run() async throws {
        let database = try state.database()
        var record = try state.run(runID, in: database)
        let clock = SystemClock()
        switch RunOwnership.local(now: clock.now()).verdict(for: record) {
        case .ownedByLiveProcess(let pid, let host):
            throw CLIError("run \(record.id) is still running (pid \(pid.map(String.init) ?? "?") on \(host ?? "another host")); a live run cannot be resumed by another process")
        case .ownerGone:
            try database.markInterrupted(record.id, at: clock.now())
            record = try database.run(record.id) ?? record
        case .notRunning:
            break
        }
        guard record.status != .succeeded else {
            print("run \(record.id) succeeded; nothing to resume")
            return
        }
        guard [.failed, .cancelled, .interrupted].contains(record.status) else {
            throw CLIError("run \(record.id) is \(record.status.rawValue) and cannot be resumed")
        }

        // The definition: stored with the run, or the file as it is now.
        let input = PipelineInput(stepsDirectory: stepsDirectory)
        let currentBytes = input.read(record.file).0
        let current = currentBytes.map { String(decoding: $0, as: UTF8.self) }
        let source = reload ? (current ?? "") : record.source
        if reload && current == nil { throw CLIError("--reload: cannot read \(record.file)") }
        let arguments = try Self.storedParams(record.params)
        let loaded = try Self.plan(source, file: record.file, arguments: arguments, input: input)

        let steps = try database.steps(of: record.id)
        let byID = Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) })
        if reload {
            let gone = steps.filter { $0.status == .succeeded && loaded.plan.step($0.stepId) == nil }.map(\.stepId)
            if !gone.isEmpty {
                throw CLIError("--reload: steps that succeeded are gone from \(record.file): \(gone.joined(separator: ", ")); resume without --reload")
            }
        } else if let current, Digest.of(current) != record.sourceDigest {
            var note = "note: \(record.file) changed since run \(record.id) started"
            if case .success(let now) = (Result { try Self.plan(current, file: record.file, arguments: arguments, input: input) }) {
                let changed = PlanDifference.changedSteps(loaded.plan, now.plan)
                if !changed.isEmpty { note += " (steps changed: \(changed.joined(separator: ", ")))" }
            }
            Terminal.standardError.write(note + "; using the definition stored with the run (--reload uses the file)\n")
        }

        if plan {
            let reuse = loaded.plan.steps.filter { byID[$0.id]?.status == .succeeded }.count
            print("resume \(record.id) (\(record.pipeline)): reuse \(reuse), rerun \(loaded.plan.steps.count - reuse)")
            for step in loaded.plan.steps {
                guard let row = byID[step.id] else {
                    print("  rerun  \(step.id): new in this definition")
                    continue
                }
                if row.status == .succeeded {
                    print("  reuse  \(step.id): succeeded" + (row.outputs.map { $0 == "{}" ? "" : ", outputs \($0)" } ?? ""))
                } else {
                    print("  rerun  \(step.id): \(row.status.rawValue)" + ((row.error ?? row.reason).map { " (\($0))" } ?? ""))
                }
            }
            return
        }

        let environment = ProcessInfo.processInfo.environment
        let (collector, onEvent) = RunCommand.output(json: json)
        let options = RunOptions(stateDirectory: StateDirectory(option: state.stateDirectory).path,
                                 workingDirectory: FileManager.default.currentDirectoryPath, environment: environment,
                                 trigger: record.trigger, gitSHA: record.gitSha, gitBranch: Git.branch(), source: source)
        let coordinator = try RunCoordinator(resuming: record, plan: loaded.plan, database: database, registry: loaded.registry,
                                             runner: SubprocessRunner(), clock: clock, options: options, reloadedSource: reload,
                                             onEvent: onEvent)
        let status = try await RunCommand.execute(coordinator, junit: junit, pipeline: loaded.plan.pipelineName, collector: collector)
        switch status {
        case .succeeded: return
        case .cancelled: throw CommandExit(status: .cancelled)
        default: throw CommandExit(status: .failure)
        }
    }

    /// The run's parameter values, as `--param` arguments for re-planning.
    static func storedParams(_ json: String) throws -> [RunPlanner.ParamArgument] {
        guard case .object(let values) = try ExpressionValue(json: json) else { return [] }
        return values.sorted { $0.key < $1.key }.map { RunPlanner.ParamArgument(name: $0.key, value: $0.value.stringValue) }
    }

    static func plan(_ source: String, file: String, arguments: [RunPlanner.ParamArgument], input: PipelineInput) throws -> PipelineInput.Loaded {
        let (registry, problems) = input.registry()
        let (pipeline, diagnostics) = PipelineCheck.check(Array(source.utf8), file: file, options: PipelineInput.options(catalog: registry.catalog))
        var all = problems + diagnostics
        guard let pipeline, !all.hasErrors else {
            PipelineInput.report(all)
            throw CommandExit(status: .invalidInput)
        }
        let (plan, planProblems) = RunPlanner.plan(pipeline, params: arguments)
        all += planProblems
        guard let plan, !all.hasErrors else {
            PipelineInput.report(all)
            throw CommandExit(status: .invalidInput)
        }
        return PipelineInput.Loaded(pipeline: pipeline, plan: plan, registry: registry, source: source)
    }
}

/// Which steps differ between two plans of the same pipeline: added, removed, or changed in
/// type, needs, condition, script or inputs.
enum PlanDifference {
    static func changedSteps(_ a: RunPlan, _ b: RunPlan) -> [String] {
        let left = Dictionary(uniqueKeysWithValues: a.steps.map { ($0.id, fingerprint($0)) })
        let right = Dictionary(uniqueKeysWithValues: b.steps.map { ($0.id, fingerprint($0)) })
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
    }

    static func fingerprint(_ step: PlannedStep) -> String {
        [step.uses, step.needs.joined(separator: ","), step.condition?.source ?? "", step.script?.script ?? "",
         step.script?.variables.map(\.expression.source).joined(separator: "\u{1F}") ?? "",
         step.inputs.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1F}"),
         step.env.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1F}"), "\(step.retry)", "\(String(describing: step.timeout))"]
            .joined(separator: "\u{1E}")
    }
}
