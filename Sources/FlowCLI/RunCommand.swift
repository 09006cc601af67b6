import ArgumentParser
import Dispatch
import Foundation
import FlowCore
import FlowEngine
import FlowSystem

/// `flow run FILE`: validate, plan, and execute a pipeline, recording everything in the state directory.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline.",
        discussion: "Exit codes: 0 succeeded, 1 failed, 2 invalid input, 130 cancelled (Ctrl-C or SIGTERM).")

    @Argument(help: "The pipeline file.")
    var file: String

    @OptionGroup var options: PipelineOptions

    @Option(name: .customLong("image"), help: ArgumentHelp("Use IMAGE where a step names NAME (repeatable; over the pipeline's and profile's `images:`).",
                                                         valueName: "name=image"))
    var images: [String] = []

    @Option(name: .customLong("max-parallel"), help: "Run at most this many steps at once.")
    var maxParallel: Int?

    @Option(name: .customLong("only"), parsing: .upToNextOption,
            help: ArgumentHelp("Run only these steps and the steps they need (repeatable; a matrix step's id selects all its instances).",
                               valueName: "step"))
    var only: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print the plan and run nothing.")
    var dryRun = false

    @Flag(name: .customLong("no-cache"), help: "Run memoized steps (`cache:`) even when an earlier success matches; their successes are saved again.")
    var noCache = false

    @Flag(help: "Print one JSON event per line instead of text.")
    var json = false

    @Option(help: ArgumentHelp("Write a JUnit XML report of the steps to this file.", valueName: "path"))
    var junit: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where runs are recorded (default $FLOW_HOME, else runs/ of the project: the nearest folder up from here with pipelines/, flow.yml or .flow).", valueName: "dir"))
    var stateDirectory: String?

    @OptionGroup var remote: StateURLOption

    // Set by `flow schedule` for the runs it starts: the entry and the scheduled time (seconds
    // since 1970) make the run's trigger, and link it to its row of `schedule_fires`.
    @Option(name: .customLong("scheduled-entry"), help: .hidden)
    var scheduledEntry: String?

    @Option(name: .customLong("scheduled-at"), help: .hidden)
    var scheduledAt: Int64?

    func validate() throws {
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1") }
        if (scheduledEntry == nil) != (scheduledAt == nil) { throw ValidationError("--scheduled-entry and --scheduled-at go together") }
    }

    /// A fire of `flow schedule` when it started this run, else CodeBuild's build or `manual`.
    func trigger(environment: [String: String]) -> RunTrigger {
        if let scheduledEntry, let scheduledAt {
            return .schedule(entry: scheduledEntry, scheduledAt: Date(timeIntervalSince1970: TimeInterval(scheduledAt)))
        }
        return RunTrigger.detect(environment: environment, otherwise: .manual)
    }

    func run() async throws {
        let state = StateDirectory(option: stateDirectory)
        var launcher = Launching.launcher(stepsDirectory: options.stepsDirectory, stateDirectory: state.path)
        launcher.readCache = !noCache
        let environment = launcher.environment
        let checkout = await Git.checkout(environment: environment)
        let gitSHA = RunTrigger.codebuildCommit(environment: environment) ?? checkout.sha
        let request = RunLauncher.Request(
            file: file, params: options.params, profile: options.profile, images: images, maxParallel: maxParallel, only: only,
            trigger: trigger(environment: environment),
            gitSHA: gitSHA, gitBranch: checkout.branch)
        let loaded = try Launching.badInputExits { try launcher.prepare(request) }
        if dryRun {
            print(PlanText.describe(loaded.plan), terminator: "")
            return
        }
        let restored = try await remote.restore(into: state.path)
        let database = try state.open(create: true)

        // Signals are caught from here on, so Ctrl-C while waiting for the concurrency group exits 130 too.
        let signals = CommandSignals()
        let lock = try await Launching.enterGroup(launcher, loaded.plan, database: database, signals: signals, trigger: request.trigger)
        defer { lock?.release() }

        let sync = restored?.sync(database: database, signals: signals)
        let (collector, rendering) = Self.output(json: json)
        let onEvent = sync?.observing(rendering) ?? rendering
        let coordinator = try launcher.create(loaded, request, database: database, onEvent: onEvent)
        lock?.record(runID: coordinator.runID)
        try await RemoteState.finishing(sync, database: state.databasePath, runID: coordinator.runID) {
            try await Self.execute(coordinator, Passes(launcher: launcher, loaded: loaded, text: loaded.source, database: database,
                                                       gitBranch: request.gitBranch, onEvent: onEvent),
                                   junit: junit, collector: collector, signals: signals)
        }
    }
}

extension RunCommand {
    /// Where run events go: plain lines or JSON on standard output, and the summary for JUnit.
    static func output(json: Bool) -> (SummaryCollector, RunEventHandler) {
        let terminal = Terminal.standardOutput
        let renderer: any RunRenderer
        if json {
            renderer = JSONRunRenderer()
        } else if terminal.isTTY && !terminal.isDumb {
            renderer = LiveRunRenderer(color: terminal.wantsColor)
        } else {
            renderer = PlainRunRenderer(color: terminal.wantsColor)
        }
        let collector = SummaryCollector()
        return (collector, { event in
            collector.add(event)
            Self.noteRerun(event)
            renderer.render(event)
        })
    }

    /// Rerun requests carried out or refused are said on standard error, whatever the renderer.
    static func noteRerun(_ event: RunEvent) {
        switch event {
        case .runRerun(let runID, let pass):
            Terminal.standardError.write("flow: run \(runID): \(pass.summary); running it again (pass \(pass.number + 1) of at most \(RerunRequest.maxPasses))\n")
        case .rerunRefused(_, let message):
            Terminal.standardError.write("flow: \(message)\n")
        default:
            break
        }
    }

    /// What carrying out rerun requests between passes needs (``RunLauncher/executeWithReruns(_:_:text:database:gitBranch:onEvent:)``).
    struct Passes {
        var launcher: RunLauncher
        var loaded: PipelineSource.Loaded
        var text: String
        var database: RunDatabase
        var gitBranch: String?
        var onEvent: RunEventHandler
    }

    /// Runs the coordinator with Ctrl-C, SIGTERM and SIGHUP turned into cancellation, then
    /// writes the JUnit report when asked, and ends the command by the run's status: returns
    /// for a success, throws the exit status otherwise. A report that cannot be written fails
    /// the command (exit 1) even when the run succeeded: CI would otherwise read no results as
    /// all well. Shared by `run`, `resume` and `retry`. Rerun requests steps made are carried
    /// out in this process as further passes; the exit code is the last pass's.
    static func execute(_ coordinator: RunCoordinator, _ passes: Passes, junit: String?, collector: SummaryCollector,
                        signals: CommandSignals) async throws {
        let pipeline = passes.loaded.plan.pipelineName
        // From here on, what a step orphans comes to this process, not to init, and is
        // stopped with its step (see AdoptedOrphans in FlowEngine).
        AdoptedOrphans.adopt()
        let task = Task {
            await passes.launcher.executeWithReruns(coordinator, passes.loaded, text: passes.text, database: passes.database,
                                                    gitBranch: passes.gitBranch, onEvent: passes.onEvent)
        }
        signals.cancellation.set(task, force: { coordinator.forceCancel() })
        let status = await task.value
        signals.stop()
        var reportFailed = false
        if let junit {
            do {
                try ReportFile.write(JUnitReport.xml(pipeline: pipeline, runID: coordinator.runID, steps: collector.summaries), to: junit)
            } catch {
                Terminal.standardError.write("flow: \(error)\n")
                reportFailed = true
            }
        }
        switch status {
        case .succeeded where !reportFailed: return
        case .cancelled: throw CommandExit(status: .cancelled)
        default: throw CommandExit(status: .failure)
        }
    }
}

/// Collects step summaries for the JUnit report: each step's last (a rerun pass replaces what
/// an earlier pass said of a step it runs again).
final class SummaryCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [StepSummary] = []
    /// Where each step's summary is in `items`: a later summary of the same step replaces it
    /// in place, found without a scan (a scan per step made a 50,000-step run quadratic).
    private var positions: [String: Int] = [:]
    func add(_ event: RunEvent) {
        guard case .stepFinished(let summary) = event else { return }
        lock.withLock {
            if let i = positions[summary.stepID] {
                items[i] = summary
            } else {
                positions[summary.stepID] = items.count
                items.append(summary)
            }
        }
    }
    var summaries: [StepSummary] { lock.withLock { items } }
}

/// Holds the run's task for a signal handler that may fire before the task exists. The first
/// request cancels the task: running steps stop, and steps whose `if` calls `always()` or
/// `cancelled()` still run to their end. A second request (another Ctrl-C or SIGTERM), or a
/// forced one (SIGUSR1, which `flow cancel --force` sends), stops those too.
final class CancellationBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<RunStatus, Never>?
    private var force: (@Sendable () -> Void)?
    private var requests = 0
    private var forced = false

    /// `force` is the run's second level of cancellation (``RunCoordinator/forceCancel()``).
    func set(_ task: Task<RunStatus, Never>, force: @escaping @Sendable () -> Void) {
        let (cancelNow, forceNow) = lock.withLock { () -> (Bool, Bool) in
            self.task = task
            self.force = force
            return (requests > 0, forced)
        }
        if cancelNow { task.cancel() }
        if forceNow { force() }
    }

    func cancel(force forcing: Bool = false) {
        let (task, force) = lock.withLock { () -> (Task<RunStatus, Never>?, (@Sendable () -> Void)?) in
            requests += 1
            if forcing || requests > 1 { forced = true }
            return (self.task, forced ? self.force : nil)
        }
        task?.cancel()
        force?()
    }

    /// Whether a signal arrived (also before the run's task existed).
    var isCancelled: Bool { lock.withLock { requests > 0 } }
}

/// SIGINT, SIGTERM and SIGHUP caught for a whole command, from before it waits for a concurrency group
/// until its run has ended: an early Ctrl-C still cancels cleanly. SIGUSR1 forces the cancellation.
final class CommandSignals: Sendable {
    let cancellation = CancellationBox()
    private let signals: SignalCancellation

    init() {
        let cancellation = self.cancellation
        signals = SignalCancellation(forcing: true) { signal in cancellation.cancel(force: signal == SIGUSR1) }
    }

    var isCancelled: Bool { cancellation.isCancelled }

    func stop() { signals.stop() }
}

/// SIGINT, SIGTERM and SIGHUP cancel the run (its steps are stopped and recorded `cancelled`).
///
/// A C signal handler, installed synchronously, writes the signal's number to a pipe; a
/// dispatch source reading the pipe calls `cancel` with it, once per signal. (A dispatch
/// signal source alone needs the signal ignored first and installs its own handler later, on
/// its manager thread: a signal arriving in between, as one can right after a short
/// pipeline's first step starts, was lost.)
final class SignalCancellation: @unchecked Sendable {
    private let source: any DispatchSourceRead
    private let handled: [Int32]

    /// SIGHUP (the terminal closed, the ssh connection dropped) is a request to stop like
    /// SIGTERM: the steps are stopped and recorded `cancelled`, and flow exits 130, the one
    /// code for a cancelled run whatever signal asked for it.
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// `forcing` also handles SIGUSR1, the signal of a forced cancellation.
    init(forcing: Bool = false, _ cancel: @escaping @Sendable (Int32) -> Void) {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        }
        signalPipeWriteEnd = fds[1]
        let (readEnd, writeEnd) = (fds[0], fds[1])
        source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler {
            var received = [UInt8](repeating: 0, count: 16)
            let count = read(readEnd, &received, received.count)
            for byte in received.prefix(max(count, 0)) { cancel(Int32(byte)) }
        }
        source.setCancelHandler {
            close(readEnd)
            close(writeEnd)
        }
        source.resume()
        handled = Self.signals + (forcing ? [SIGUSR1] : [])
        for signalNumber in handled { signal(signalNumber, forwardSignalToPipe) }
    }

    func stop() {
        for signalNumber in handled { signal(signalNumber, SIG_DFL) }
        source.cancel()
    }
}

/// Where ``forwardSignalToPipe`` writes; set once, before the handler is installed.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The signal handler: async-signal-safe, it only writes one byte.
private func forwardSignalToPipe(_ signalNumber: Int32) {
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// The current commit, read from the repository's files (`GitHead`) or, where only git can
/// say, with git.
enum Git {
    /// How long one `git rev-parse` may take before it is killed and taken as no answer.
    static let timeout = Duration.seconds(30)

    /// The commit and the branch checked out, as `git rev-parse HEAD --abbrev-ref HEAD` reports
    /// them; both nil outside a repository, before its first commit, or without git.
    static func checkout(environment: [String: String] = ProcessInfo.processInfo.environment) async -> (sha: String?, branch: String?) {
        if let read = GitHead.read(from: FileManager.default.currentDirectoryPath, environment: environment) {
            return (read.sha, read.branch)
        }
        return await askGit(environment: environment)
    }

    /// One `git rev-parse HEAD --abbrev-ref HEAD` (one process, not two).
    static func askGit(environment: [String: String]) async -> (sha: String?, branch: String?) {
        guard let result = try? await ChildProcess.run(["git", "rev-parse", "HEAD", "--abbrev-ref", "HEAD"], environment: environment,
                                                       timeout: timeout),
              result.succeeded else { return (nil, nil) }
        let lines = result.standardOutputText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 2, !lines[0].isEmpty, !lines[1].isEmpty else { return (nil, nil) }
        return (lines[0], lines[1])
    }
}

/// `--dry-run`: the plan, one line per step.
enum PlanText {
    static func describe(_ plan: RunPlan) -> String {
        var out = "plan: \(plan.pipelineName) (\(plan.file)), \(plan.steps.count) step\(plan.steps.count == 1 ? "" : "s"), max-parallel \(plan.maxParallel)\n"
        if let selection = plan.selection {
            out += "only: \(selection.names.joined(separator: " ")) and what they need (\(plan.steps.count) of \(selection.totalSteps) steps)\n"
        }
        if let group = plan.concurrency {
            out += "concurrency: group \(group.name), policy \(group.policy.rawValue)\n"
        }
        if !plan.params.isEmpty {
            let secret = Set(plan.secretParams)
            out += "params: " + plan.params.map { "\($0.name)=\(secret.contains($0.name) ? "***" : $0.value.stringValue)" }.joined(separator: " ") + "\n"
        }
        for (name, template) in plan.images {
            let value = template.isLiteral ? ((try? template.render(in: EvaluationContext(values: [:]))) ?? "") : "(an expression, rendered when the run starts)"
            out += "image: \(name) → \(value)\n"
        }
        for (i, step) in plan.steps.enumerated() {
            var details = [step.uses]
            if !step.needs.isEmpty { details.append("needs " + step.needs.joined(separator: ", ")) }
            if let c = step.condition { details.append("if " + c.source.trimmingCharacters(in: .whitespaces)) }
            if let t = step.timeout { details.append("timeout \(t)") }
            if step.retry.attempts > 1 { details.append("\(step.retry.attempts) attempts") }
            if step.continueOnError { details.append("continue-on-error") }
            out += "\(i + 1). \(step.id): " + details.joined(separator: "; ") + "\n"
        }
        return out
    }
}
