import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// Options shared by the commands that read recorded runs.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Where runs are recorded (default $FLOW_HOME, else the runs/ folder of the project: the nearest folder up from here with pipelines/, flow.yml or .flow).",
        valueName: "dir"))
    var stateDirectory: String?

    func database() throws -> RunDatabase { try directory.open(create: false) }

    /// For commands that only read: read-only when the state directory cannot be written.
    func databaseForReading() throws -> RunDatabase { try directory.openForReading() }

    /// The state directory these options choose (``StateDirectory``).
    var directory: StateDirectory { StateDirectory(option: stateDirectory) }

    /// `RUN`, or the newest run when none is named.
    func run(_ id: String?, in database: RunDatabase) throws -> RunRecord {
        if let id {
            guard let run = try database.run(id) else { throw CLIError("no run `\(id)`; `flow runs` lists them") }
            return run
        }
        guard let newest = try database.runs(limit: 1).first else { throw CLIError("no runs yet") }
        return newest
    }

    /// A `running` run whose owner is gone is shown as `interrupted` (it is recorded as such when resumed).
    static func shown(_ run: RunRecord) -> RunRecord {
        var shown = run
        if RunOwnership.local(now: Date()).verdict(for: run) == .ownerGone { shown.status = .interrupted }
        return shown
    }
}

/// `flow status [RUN]`: a run and its steps.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a run and its steps (default: the newest run).")

    @Argument(help: "The run id.") var runID: String?
    @OptionGroup var state: StateOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let database = try state.databaseForReading()
        let run = StateOptions.shown(try state.run(runID, in: database))
        let steps = try database.steps(of: run.id)
        let artifacts = try database.artifacts(of: run.id)
        let reruns = try database.reruns(of: run.id)
        let launches = try database.launches(of: run.id)
        if json {
            let stepItems = steps.map { s in
                "{\"id\":\(JSONText.quote(s.stepId)),\"name\":\(s.name.map(JSONText.quote) ?? "null"),"
                    + "\"description\":\(s.description.map(JSONText.quote) ?? "null"),"
                    + "\"status\":\(JSONText.quote(s.status.rawValue)),\"attempts\":\(s.attempts),"
                    + "\"cachedFrom\":\(s.cachedFrom.map(JSONText.quote) ?? "null"),"
                    + "\"exitCode\":\(s.exitCode.map(String.init) ?? "null"),\"reason\":\((s.error ?? s.reason).map(JSONText.quote) ?? "null"),"
                    + "\"outputs\":\(JSONText.object(s.outputs ?? [:])),"
                    + "\"artifacts\":[\(artifacts.filter { $0.stepId == s.stepId }.map(ArtifactsCommand.json).joined(separator: ","))]}"
            }
            print("{\"id\":\(JSONText.quote(run.id)),\"pipeline\":\(JSONText.quote(run.pipeline)),\"status\":\(JSONText.quote(run.status.rawValue)),"
                  + "\"startedAt\":\(JSONText.quote(ISO8601.string(run.createdAt))),\"finishedAt\":\(run.finishedAt.map { JSONText.quote(ISO8601.string($0)) } ?? "null"),"
                  + "\"trigger\":\(run.trigger.jsonObject),\"gitSha\":\(run.gitSha.map(JSONText.quote) ?? "null"),"
                  + "\"launches\":[\(launches.map { "{\"at\":\(JSONText.quote(ISO8601.string($0.at))),\"trigger\":\($0.trigger.jsonObject)}" }.joined(separator: ","))],"
                  + "\"stateDirectory\":\(JSONText.quote(state.directory.path)),"
                  + "\"outputs\":{\(run.outputValues.map { "\(JSONText.quote($0.name)):\(JSONText.quote($0.value))" }.joined(separator: ","))},"
                  + "\"params\":\(run.params),\"reruns\":[\(reruns.map(Self.json).joined(separator: ","))],"
                  + "\"steps\":[\(stepItems.joined(separator: ","))]}")
            return
        }
        print("run \(run.id): \(run.pipeline) \(run.status.rawValue), started \(ISO8601.string(run.createdAt))"
              + (run.finishedAt.map { ", finished \(ISO8601.string($0))" } ?? ""))
        print("  trigger: \(run.trigger.description)" + (run.gitSha.map { ", git \($0)" } ?? ""))
        print("  state: \(state.directory.path)")
        for launch in launches.dropFirst() { print("  taken over \(ISO8601.string(launch.at)) by \(launch.trigger.description)") }
        for r in reruns { print("  " + Self.text(r)) }
        for output in run.outputValues { print("  output \(output.name): \(output.value)") }
        for s in steps {
            var line = "  \(s.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(StepNames.label(s.stepId, s.name))"
            if let run = s.cachedFrom, s.status == .succeeded { line += " " + CachedWords.text(run) }
            if s.attempts > 1 { line += " (\(s.attempts) attempts)" }
            if let code = s.exitCode, code != 0 { line += " exit \(code)" }
            if let why = s.error ?? s.reason { line += ": \(why)" }
            print(line)
            for a in artifacts where a.stepId == s.stepId {
                print("             artifact \(a.name) (\(a.kind), \(ArtifactsCommand.size(a.size))): \(a.path)")
            }
        }
    }
}

extension StatusCommand {
    /// A rerun request as `flow status` shows it: `rerun 1 requested by remediate (attempt 1): train, batch-size=16 (why)`.
    static func text(_ r: RerunRecord) -> String {
        let params = r.paramValues.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let what = (r.stepList + params).joined(separator: ", ") + (r.reason.isEmpty ? "" : " (\(r.reason))")
        let head: String
        switch r.status {
        case .carriedOut: head = "rerun \(r.pass ?? 0) requested by \(r.stepId)"
        case .pending: head = "rerun pending, requested by \(r.stepId)"
        case .refused, .dropped: head = "rerun \(r.status.rawValue), requested by \(r.stepId)"
        }
        return head + " (attempt \(r.attempt)): " + what + (r.note.map { "; \($0)" } ?? "")
    }

    static func json(_ r: RerunRecord) -> String {
        "{\"requestedBy\":\(JSONText.quote(r.stepId)),\"attempt\":\(r.attempt),\"steps\":\(r.steps),\"params\":\(r.params),"
            + "\"reason\":\(JSONText.quote(r.reason)),\"status\":\(JSONText.quote(r.status.rawValue)),"
            + "\"pass\":\(r.pass.map(String.init) ?? "null"),\"note\":\(r.note.map(JSONText.quote) ?? "null"),"
            + "\"requestedAt\":\(JSONText.quote(ISO8601.string(r.requestedAt)))}"
    }
}

/// `flow runs`: recorded runs, newest first.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recorded runs, newest first.")

    @Option(help: "Only runs of this pipeline.") var pipeline: String?
    @Option(help: "At most this many runs.") var limit = 20
    @OptionGroup var state: StateOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let database = try state.databaseForReading()
        let runs = try database.runs(pipeline: pipeline, limit: limit).map(StateOptions.shown)
        // Reruns steps asked for and that were carried out, with their reasons.
        let reruns = try Dictionary(uniqueKeysWithValues: runs.map { r in (r.id, try database.reruns(of: r.id).filter { $0.status == .carriedOut }) })
        if json {
            let items = runs.map { r in
                "{\"id\":\(JSONText.quote(r.id)),\"pipeline\":\(JSONText.quote(r.pipeline)),\"status\":\(JSONText.quote(r.status.rawValue)),"
                    + "\"startedAt\":\(JSONText.quote(ISO8601.string(r.createdAt))),"
                    + "\"finishedAt\":\(r.finishedAt.map { JSONText.quote(ISO8601.string($0)) } ?? "null"),"
                    + "\"seconds\":\(r.finishedAt.map { String(format: "%.3f", $0.timeIntervalSince(r.createdAt)) } ?? "null"),"
                    + "\"trigger\":\(r.trigger.jsonObject),"
                    + "\"reruns\":[\(reruns[r.id, default: []].map { "{\"pass\":\($0.pass ?? 0),\"requestedBy\":\(JSONText.quote($0.stepId)),\"reason\":\(JSONText.quote($0.reason))}" }.joined(separator: ","))]}"
            }
            print("[" + items.joined(separator: ",") + "]")
            return
        }
        // id, status, start (UTC), duration (`-` while it runs), pipeline, trigger.
        for r in runs {
            let duration = r.finishedAt.map { LiveRunRenderer.seconds($0.timeIntervalSince(r.createdAt)) } ?? "-"
            var line = "\(r.id)  \(r.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))\(ISO8601.seconds(r.createdAt))  "
                + "\(String(repeating: " ", count: max(0, 7 - duration.count)))\(duration)  \(r.pipeline)  \(r.trigger.description)"
            if let done = reruns[r.id], let last = done.last {
                line += "  (rerun \(done.compactMap(\.pass).max() ?? done.count)× on request, last by \(last.stepId)"
                    + (last.reason.isEmpty ? ")" : ": \(last.reason))")
            }
            print(line)
        }
    }
}

/// `flow logs RUN [STEP]`: the (masked) logs of a run's steps.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the logs of a run, or of one step.")

    @Argument(help: "The run id (with --last: the step).") var runID: String?
    @Argument(help: "Only this step.") var step: String?
    @Flag(help: "The newest run: `flow logs --last [STEP]`.") var last = false
    @Option(help: "Only this attempt (default: every attempt).") var attempt: Int?
    @Flag(name: .shortAndLong, help: "Keep printing as the log grows, until the step finishes.") var follow = false
    @OptionGroup var state: StateOptions

    func validate() throws {
        if !last && runID == nil { throw ValidationError("give a run id, or --last for the newest run") }
        if last && step != nil { throw ValidationError("with --last, give only the step: flow logs --last [STEP]") }
    }

    func run() throws {
        let database = try state.databaseForReading()
        let run = try state.run(last ? nil : runID, in: database)
        let step = last ? runID : self.step
        let steps = try database.steps(of: run.id)
        if let step, !steps.contains(where: { $0.stepId == step }) {
            throw CLIError("run \(run.id) has no step `\(step)`")
        }
        var attempts = try database.attempts(of: run.id, step: step)
        // A reused memoized step did not run here: its log is the run's that made it.
        if let step, attempts.isEmpty, let origin = steps.first(where: { $0.stepId == step })?.cachedFrom {
            Terminal.standardError.write("flow: `\(step)` did not run in run \(run.id): it succeeded \(CachedWords.text(origin)); "
                                         + "its log: flow logs \(origin) \(step)\n")
        }
        if let attempt { attempts = attempts.filter { $0.number == attempt } }
        for a in attempts {
            if step == nil || attempts.count > 1 {
                guard Terminal.standardOutput.write("==> \(a.stepId) attempt \(a.number) (\(a.status.rawValue)) <==\n") else { return }
            }
            guard try copy(a, database: database, follow: follow) else { return }
        }
    }

    /// Copies one attempt's log. An attempt that printed nothing has no file (the log is
    /// created with the first byte); with `-f` the file may also appear later. Returns false
    /// when standard output was closed (`flow logs R | head`): the output stops there.
    private func copy(_ attempt: AttemptRecord, database: RunDatabase, follow: Bool) throws -> Bool {
        var handle = FileHandle(forReadingAtPath: attempt.logPath)
        defer { try? handle?.close() }
        while true {
            if let handle {
                let data = handle.readData(ofLength: 64 * 1024)
                if !data.isEmpty {
                    guard Terminal.standardOutput.write(bytes: [UInt8](data)) else { return false }
                    continue
                }
            }
            guard follow else { return true }
            let current = try database.attempts(of: attempt.runId, step: attempt.stepId).first { $0.number == attempt.number }
            if current?.status.isFinished ?? true {
                if handle == nil { handle = FileHandle(forReadingAtPath: attempt.logPath) }
                if let rest = handle?.readDataToEndOfFile() { return Terminal.standardOutput.write(bytes: [UInt8](rest)) }
                return true
            }
            Thread.sleep(forTimeInterval: 0.2)
            if handle == nil { handle = FileHandle(forReadingAtPath: attempt.logPath) }
        }
    }
}

