import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow schedule`: the daemon that fires the pipelines' `schedule:` entries, and its `list`
/// and `preview`.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Fire the pipelines' schedule: entries (a daemon), list them, or preview their times.",
        subcommands: [ScheduleDaemonCommand.self, ScheduleListCommand.self, SchedulePreviewCommand.self],
        defaultSubcommand: ScheduleDaemonCommand.self)
}

/// Options every `flow schedule` command shares.
struct ScheduleFolderOptions: ParsableArguments {
    @Argument(help: "The folder of pipeline files (default pipelines).")
    var folder = "pipelines"

    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir"))
    var stepsDirectory = "steps"

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where runs and fires are recorded (default $FLOW_HOME, else runs/ of the project: the nearest folder up from here with pipelines/, flow.yml or .flow).", valueName: "dir"))
    var stateDirectory: String?

    /// The folder, read once; its problems printed to standard error.
    func load() -> (ScheduleFolder, hadProblems: Bool) {
        var folder = ScheduleFolder(folder: self.folder, source: Launching.source(stepsDirectory: stepsDirectory))
        var problems = false
        for change in folder.refresh() {
            if let text = ScheduleDaemonCommand.describe(change) {
                Terminal.standardError.write(text)
                problems = true
            }
        }
        return (folder, problems)
    }
}

/// `flow schedule [DIR] [--once]`.
struct ScheduleDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Fire the schedule: entries of the pipelines in DIR (default pipelines) as they come due.",
        discussion: """
            Runs until SIGTERM or Ctrl-C (then the runs it started are cancelled and recorded, and it exits 0).
            Edited, added and removed files take effect without a restart; a file that stops being valid keeps
            its last good version. Each fire is recorded once in the state database, however many daemons share it.
            --once fires what is due and exits when those runs end: 0 when each succeeded (or nothing was due,
            or a fire was skipped by concurrency policy forbid), 1 when one did not, 2 for a folder that cannot be read,
            130 when Ctrl-C or SIGTERM cancelled the runs it started.
            """)

    @OptionGroup var options: ScheduleFolderOptions

    @Flag(help: "Fire what is due, wait for those runs, and exit (for system cron and CodeBuild).")
    var once = false

    // Tests move the daemon's clock, not the machine's: seconds added to the real time.
    @Option(name: .customLong("clock-offset"), help: .hidden)
    var clockOffset: Double = 0

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(options.folder) is not a folder of pipelines; give the folder that holds them (default pipelines)")
        }
        let state = StateDirectory(option: options.stateDirectory)
        let database = try state.open(create: true)
        let environment = ProcessInfo.processInfo.environment
        let launcher = ScheduleFireLauncher(executable: Self.executable(), stateDirectory: state.path,
                                            stepsDirectory: options.stepsDirectory, environment: environment)
        let folder = ScheduleFolder(folder: options.folder, source: Launching.source(stepsDirectory: options.stepsDirectory))
        let clock = OffsetClock(offset: clockOffset)
        let outcomes = OutcomeTally()
        let daemon = ScheduleDaemon(folder: folder, database: database, clock: clock, launcher: launcher,
                                    identity: "\(ProcessInfo.processInfo.hostName):\(getpid())") { event in
            outcomes.add(event)
            if let line = Self.describe(event) {
                Terminal.standardOutput.write(line)
            }
        }
        if once {
            // Ctrl-C or SIGTERM while waiting cancels the runs it started (recorded) and exits 130.
            let signals = SignalCancellation { _ in
                outcomes.interrupt()
                Task { await daemon.stop() }
            }
            defer { signals.stop() }
            await daemon.tick()
            if outcomes.folderUnreadable { throw CommandExit(status: .invalidInput) }
            await daemon.waitForRuns()
            if outcomes.interrupted { throw CommandExit(status: .cancelled) }
            if outcomes.anyUnsuccessful { throw CommandExit(status: .failure) }
            return
        }
        Terminal.standardOutput.write("flow schedule: watching \(options.folder) (state \(state.databasePath)); stop with SIGTERM or Ctrl-C\n")
        let task = Task { await daemon.run() }
        let signals = SignalCancellation { _ in task.cancel() }
        await task.value
        signals.stop()
        Terminal.standardOutput.write("flow schedule: stopped\n")
    }

    /// This binary, to start each fire's `flow run` with.
    static func executable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// One plain line per event (nil: nothing to say).
    static func describe(_ event: ScheduleDaemon.Event) -> String? {
        switch event {
        case .folder(let change):
            switch change {
            case .loaded(let file, let rules):
                return "loaded \(file): \(rules.count) schedule entr\(rules.count == 1 ? "y" : "ies")\n"
            default:
                return describe(change)
            }
        case .firing(let fire, let rule):
            let late = fire.decidedAt.timeIntervalSince(fire.scheduled)
            return "fire \(rule.pipeline) \"\(rule.key)\" at \(rule.timeline.format(fire.scheduled))"
                + (late >= 60 ? " (\(CatchupDecision.describe(late.rounded(.down))) late)" : "") + "\n"
        case .decided(let fire, let rule):
            var times = rule.timeline.format(fire.scheduled)
            if let through = fire.through { times += " … \(rule.timeline.format(through)) (\(fire.count) times)" }
            return "\(fire.decision) \(rule.pipeline) \"\(rule.key)\" at \(times): \(fire.reason ?? "")\n"
        case .finished(let fire, let rule, let end):
            let run = fire.runId.map { "run \($0) " } ?? ""
            return "\(rule.pipeline) \"\(rule.key)\" at \(rule.timeline.format(fire.scheduled)): \(run)\(end.outcome)"
                + (end.reason.map { ": \($0)" } ?? "") + "\n"
        case .stateProblem(let problem):
            return "flow schedule: \(problem); trying again\n"
        }
    }

    /// A folder change worth reporting (nil for a file loaded).
    static func describe(_ change: ScheduleFolder.Change) -> String? {
        switch change {
        case .loaded:
            return nil
        case .invalid(let file, let diagnostics, let keeping):
            let text = DiagnosticRenderer(color: Terminal.standardError.wantsColor).text(diagnostics)
            let kept = keeping.map { "keeping its last good version (\($0) schedule entr\($0 == 1 ? "y" : "ies"))" }
                ?? "its entries do not fire until it is fixed"
            return text + "\(file) is not valid; \(kept)\n"
        case .removed(let file):
            return "\(file) is gone; its entries no longer fire\n"
        case .unreadable(let folder, let reason):
            return "flow schedule: cannot read \(folder): \(reason)\n"
        }
    }
}

/// What `--once` needs to know to choose its exit code: the events, and whether a signal asked it to stop.
private final class OutcomeTally: @unchecked Sendable {
    private let lock = NSLock()
    private var unsuccessful = false
    private var unreadable = false
    private var signalled = false

    func interrupt() { lock.withLock { signalled = true } }

    func add(_ event: ScheduleDaemon.Event) {
        lock.withLock {
            switch event {
            case .finished(_, _, let end) where end.outcome != "succeeded" && end.outcome != "skipped": unsuccessful = true
            case .folder(.unreadable): unreadable = true
            default: break
            }
        }
    }

    var anyUnsuccessful: Bool { lock.withLock { unsuccessful } }
    var folderUnreadable: Bool { lock.withLock { unreadable } }
    var interrupted: Bool { lock.withLock { signalled } }
}

/// The real clock moved by a fixed offset (tests move the schedule's clock, not the machine's).
struct OffsetClock: EngineClock {
    var offset: TimeInterval
    func now() -> Date { Date().addingTimeInterval(offset) }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// `flow schedule list [DIR] [--json]`.
struct ScheduleListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Each schedule entry with its next fire and last outcome.",
        discussion: "Exits 0, or 2 when a pipeline file in the folder is not valid (its problems are printed; the valid ones are listed).")

    @OptionGroup var options: ScheduleFolderOptions

    @Flag(help: "Print one JSON object per entry, one per line.")
    var json = false

    func run() throws {
        let (folder, hadProblems) = options.load()
        let state = StateDirectory(option: options.stateDirectory)
        let last = (try? state.openForReading().lastFires()) ?? [:]
        let now = Date()
        var rows: [[String]] = [["PIPELINE", "ENTRY", "NEXT", "LAST"]]
        for rule in folder.rules {
            let next = rule.timeline.next(after: now)
            let fire = last[rule.id]
            if json {
                print("{\"pipeline\":\(JSONText.quote(rule.pipeline)),\"file\":\(JSONText.quote(rule.file)),\"entry\":\(JSONText.quote(rule.key)),"
                      + "\"next\":\(next.map { JSONText.quote(rule.timeline.format($0)) } ?? "null"),\"last\":\(fire.map(Self.json) ?? "null")}")
            } else {
                rows.append([rule.pipeline, rule.key, next.map(rule.timeline.format) ?? "never",
                             fire.map { Self.describe($0, rule) } ?? "-"])
            }
        }
        if !json {
            if rows.count == 1 {
                print("no schedule entries in \(options.folder)")
            } else {
                let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    print((0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + row[3])
                }
            }
        }
        if hadProblems { throw CommandExit(status: .invalidInput) }
    }

    static func describe(_ fire: FireRecord, _ rule: ScheduleRule) -> String {
        let outcome = fire.outcome ?? "running"
        return "\(rule.timeline.format(fire.through ?? fire.scheduled)) \(outcome)" + (fire.runId.map { " (run \($0))" } ?? "")
    }

    static func json(_ fire: FireRecord) -> String {
        "{\"scheduledAt\":\(JSONText.quote(ISO8601.seconds(fire.scheduled))),\"through\":\(fire.through.map { JSONText.quote(ISO8601.seconds($0)) } ?? "null"),"
            + "\"count\":\(fire.count),\"decision\":\(JSONText.quote(fire.decision)),\"outcome\":\(fire.outcome.map(JSONText.quote) ?? "null"),"
            + "\"reason\":\(fire.reason.map(JSONText.quote) ?? "null"),\"runId\":\(fire.runId.map(JSONText.quote) ?? "null")}"
    }
}

/// `flow schedule preview FILE [--from T] [--count N]`.
struct SchedulePreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print the next fire times of a pipeline's schedule: entries, one per line.",
        discussion: """
            Each line is an ISO 8601 instant with the offset of the entry's time zone, then the entry:
            2026-03-08T03:00:00-04:00  0 2 * * * America/New_York
            Exits 0, or 2 for an invalid file or option.
            """)

    @Argument(help: "The pipeline file.")
    var file: String

    @Option(help: ArgumentHelp("Start here, an ISO 8601 date-time with an offset or Z (default now); a fire at exactly this time is listed.",
                               valueName: "time"))
    var from: String?

    @Option(help: "How many fire times to print (1-1000).")
    var count = 10

    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir"))
    var stepsDirectory = "steps"

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count must be between 1 and 1000") }
        if let from, ISO8601.parse(from) == nil {
            throw ValidationError("--from `\(from)` is not an ISO 8601 date-time; write it like 2026-03-08T00:00:00-05:00 or 2026-03-08T05:00:00Z")
        }
    }

    func run() throws {
        let source = Launching.source(stepsDirectory: stepsDirectory)
        let (bytes, readProblems) = source.read(file)
        guard let bytes else {
            Launching.report(readProblems)
            throw CommandExit(status: .invalidInput)
        }
        let (pipeline, diagnostics) = PipelineCheck.check(bytes, file: file, options: PipelineSource.options(catalog: source.registry().0.catalog),
                                                          limits: source.limits)
        guard let pipeline, !diagnostics.hasErrors else {
            Launching.report(diagnostics)
            throw CommandExit(status: .invalidInput)
        }
        let rules = ScheduleRule.rules(of: pipeline)
        guard !rules.isEmpty else { throw CLIError("\(file) has no schedule: entries") }
        let start = (from.flatMap(ISO8601.parse) ?? Date()).addingTimeInterval(-1)
        var fires: [(Date, Int)] = []
        for (index, rule) in rules.enumerated() {
            fires += rule.timeline.instants(after: start, through: nil, limit: count).map { ($0, index) }
            if rule.timeline.next(after: start) == nil {
                Terminal.standardError.write("\(rule.location): `\(rule.timeline.cron.source)` never fires (no such date)\n")
            }
        }
        for (time, index) in fires.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }).prefix(count) {
            print("\(rules[index].timeline.format(time))  \(rules[index].key)")
        }
    }
}
