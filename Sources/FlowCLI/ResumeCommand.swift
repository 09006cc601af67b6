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
            retry budget. The pipeline definition stored with the run is used unless --reload is given. \
            The run's secret params are not stored: give them again with --param (its other params are).
            Exit codes: 0 succeeded, 1 failed, 2 invalid input or nothing resumable, 130 cancelled.
            """)

    @Argument(help: "The run id.") var runID: String?
    @Flag(help: "Resume the newest run.") var last = false
    @Flag(help: "Print, for each step, whether it would be reused or rerun, and run nothing.") var plan = false
    @Flag(help: "Use the pipeline file as it is now instead of the definition stored with the run.") var reload = false
    @Flag(help: "Print one JSON event per line instead of text.") var json = false
    @Flag(name: .customLong("no-cache"), help: "Run memoized steps (`cache:`) even when an earlier success matches.") var noCache = false
    @Option(help: ArgumentHelp("Write a JUnit XML report of the steps to this file.", valueName: "path")) var junit: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("Give a secret param of the run again (repeatable); its other params are stored.",
                                                           valueName: "name=value"))
    var params: [String] = []
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"
    @OptionGroup var state: StateOptions
    @OptionGroup var remote: StateURLOption

    func validate() throws {
        if (runID == nil) == !last { throw ValidationError("name a run id or pass --last (not both)") }
    }

    func run() async throws {
        let restored = try await remote.restore(into: StateDirectory(option: state.stateDirectory).path)
        let database = try state.database()
        let takeover = try RunTakeover(database: database, state: state, stepsDirectory: stepsDirectory, params: params, verb: "resume", noCache: noCache)
        let record = try takeover.claim(try state.run(runID, in: database), verb: "resumed")
        guard record.status != .succeeded else {
            print("run \(record.id) succeeded; nothing to resume")
            return
        }
        guard [.failed, .cancelled, .interrupted].contains(record.status) else {
            throw CLIError("run \(record.id) is \(record.status.rawValue) and cannot be resumed")
        }

        // The definition: stored with the run, or the file as it is now.
        let current = takeover.currentSource(record)
        if reload && current == nil { throw CLIError("--reload: cannot read \(record.file)") }
        let source = try reload ? (current ?? "")
            : takeover.definition(record, hint: "`flow resume \(record.id) --reload` runs the file as it is now")
        let loaded = try takeover.plan(record, source: source, again: plan ? nil : "flow resume \(record.id)")

        let steps = try database.steps(of: record.id)
        if reload {
            let gone = steps.filter { $0.status == .succeeded && loaded.plan.step($0.stepId) == nil }.map(\.stepId)
            if !gone.isEmpty {
                throw CLIError("--reload: steps that succeeded are gone from \(record.file): \(gone.joined(separator: ", ")); resume without --reload")
            }
        } else {
            takeover.noteChanges(record, planned: loaded.plan, current: current)
        }
        if plan {
            RunTakeover.preview("resume", record, loaded.plan, steps: steps)
            try RunTakeover.previewPending(record, database: database)
            return
        }
        try await takeover.execute(record, loaded, source: source, reloaded: reload, json: json, junit: junit, remote: restored)
    }
}
