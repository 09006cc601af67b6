import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow retry RUN --step X`: run X and everything downstream of it again, under the same run id.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a step and everything downstream of it again, under the same run id.",
        discussion: """
            The named steps and every step that depends on them, directly or not, run again even if they \
            succeeded. Every other step is treated as `flow resume` treats it: steps that succeeded keep their \
            status and outputs (which reach the retried steps byte for byte); steps that did not succeed run \
            again too, so the run can end succeeded. Works on succeeded, failed, cancelled and interrupted runs, \
            with the pipeline definition stored with the run. A matrix step's id names all its instances. \
            The run's secret params are not stored: give them again with --param (its other params are).
            Exit codes: 0 succeeded, 1 failed, 2 invalid input (unknown run or step, a live run), 130 cancelled.
            """)

    @Argument(help: "The run id.") var runID: String
    @Option(name: .customLong("step"), help: ArgumentHelp("The step to run again with everything downstream of it (repeatable).", valueName: "step"))
    var steps: [String] = []
    @Flag(help: "Print, for each step, whether it would be reused or rerun, and run nothing.") var plan = false
    @Flag(help: "Print one JSON event per line instead of text.") var json = false
    @Option(help: ArgumentHelp("Write a JUnit XML report of the steps to this file.", valueName: "path")) var junit: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("Give a secret param of the run again (repeatable); its other params are stored.",
                                                           valueName: "name=value"))
    var params: [String] = []
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"
    @OptionGroup var state: StateOptions
    @OptionGroup var remote: StateURLOption

    func validate() throws {
        if steps.isEmpty { throw ValidationError("name the step to retry with --step") }
    }

    func run() async throws {
        let restored = try await remote.restore(into: StateDirectory(option: state.stateDirectory).path)
        let database = try state.database()
        // A retry runs what it names: memoized steps are not reused (as `--no-cache`).
        let takeover = try RunTakeover(database: database, state: state, stepsDirectory: stepsDirectory, params: params, verb: "retry", noCache: true)
        let record = try takeover.claim(try state.run(runID, in: database), verb: "retried")
        guard [.succeeded, .failed, .cancelled, .interrupted].contains(record.status) else {
            throw CLIError("run \(record.id) is \(record.status.rawValue) and cannot be retried")
        }
        let source = try takeover.definition(record, hint: "put \(record.file) back as it was to retry the run")
        let again = "flow retry \(record.id) " + steps.map { "--step \($0)" }.joined(separator: " ")
        let loaded = try takeover.plan(record, source: source, again: plan ? nil : again)
        let (chosen, problems) = loaded.plan.withDownstream(of: steps, option: "--step")
        guard let chosen else {
            Launching.report(problems)
            throw CommandExit(status: .invalidInput)
        }
        takeover.noteChanges(record, planned: loaded.plan, current: takeover.currentSource(record))

        let named = Set(loaded.plan.indices(named: steps, option: "--step").indices.map { loaded.plan.steps[$0].id })
        let rows = try database.steps(of: record.id)
        if plan {
            RunTakeover.preview("retry", record, loaded.plan, steps: rows, forced: Set(chosen)) { id in
                named.contains(id) ? "named by --step" : "downstream of \(steps.joined(separator: ", "))"
            }
            try RunTakeover.previewPending(record, database: database)
            return
        }
        let alsoRerun = rows.filter { $0.status != .succeeded && !Set(chosen).contains($0.stepId) }.map(\.stepId)
        var note = "retry \(record.id): \(chosen.count) step\(chosen.count == 1 ? "" : "s") again (\(chosen.joined(separator: ", ")))"
        if !alsoRerun.isEmpty { note += ", and \(alsoRerun.count) that did not succeed (\(alsoRerun.joined(separator: ", ")))" }
        Terminal.standardError.write(note + "\n")
        try await takeover.execute(record, loaded, source: source, rerunning: chosen, json: json, junit: junit, remote: restored)
    }
}
