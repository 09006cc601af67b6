import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// A run killed with SIGKILL at random moments and resumed each time, and several `flow`
/// processes on one database: what DESIGN.md §3–§4 promise about crashes and sharing.
/// `bench/crash.py` is the long version of the first test.
@Suite(.serialized) struct CrashResumeTests {
    /// 20 or more cycles of: start `flow run` (or `flow resume --last` once the run exists),
    /// wait a random 50–400 ms (every other cycle: until it has started a step, then 0–60 ms
    /// more, so kills land mid-step on a slow machine too), then kill it as a dying machine would: SIGKILL to flow, then
    /// SIGKILL to every process carrying this test's environment marker (the step processes,
    /// which flow starts in sessions of their own, so the kill of flow alone would leave them
    /// running). After each kill the database is read (read-only) and checked; a final
    /// `flow resume --last` runs to the end. Should the run finish between two kills (a fast
    /// machine), a fresh one starts in a new directory, so the kills always reach 20.
    ///
    /// The marker is `FLOW_CRASH_TEST=<uuid>` in flow's environment, which flow passes on to
    /// every step (and steps to their children); matching it rather than `FLOW_STEP_ID` finds
    /// the steps before the run id is known, and never touches another test's processes.
    ///
    /// `FLOW_CRASH_SEED=<n>` replays a seed (the DAG and the delays; the moments the kills land
    /// at still depend on the machine).
    @Test func aDAGKilledAtRandomMomentsNeverRerunsASucceededStepAndFinishes() async throws {
        let seed = ProcessInfo.processInfo.environment["FLOW_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pipeline = CrashPipeline(using: &generator)
        let marker = "FLOW_CRASH_TEST=\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["FLOW_CRASH_TEST"] = String(marker.dropFirst("FLOW_CRASH_TEST=".count))
        defer { EnvironmentMarker.killAll(carrying: marker) }

        let minimumKills = 20
        var finished: [CrashAudit] = []
        var round = try CrashRound(number: 1, pipeline: pipeline, seed: seed, in: dir)
        var kills = 0
        var cycle = 0
        while kills < minimumKills && cycle < minimumKills * 5 {
            cycle += 1
            let arguments = round.audit.runExists ? ["resume", "--last", "--state-dir", round.state]
                                                  : ["run", "crash.yml", "--state-dir", round.state]
            let flow = try BackgroundFlow(arguments, in: round.directory, environment: environment,
                                          log: round.directory.appendingPathComponent("cycle-\(cycle).log"))
            if cycle.isMultiple(of: 2) {
                // Every other kill lands once this cycle has started a step, whatever the
                // machine's speed: on a loaded one, flow's start alone can outlast 400 ms.
                let executed = round.ledgerBytes()
                try await Self.wait(until: { !flow.process.isRunning || round.ledgerBytes() > executed })
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...60, using: &generator)))
            } else {
                try await Task.sleep(for: .milliseconds(Int.random(in: 50...400, using: &generator)))
            }
            if !flow.process.isRunning {
                // It ended before the kill: only a run that finished may do that.
                let status = await flow.wait()
                #expect(status == 0, "seed \(seed), cycle \(cycle): `flow \(arguments[0])` exited \(status) on its own:\n\(flow.output)")
                try round.audit.observe(cycle: cycle, killed: false, snapshot: try #require(try round.snapshot()), ledger: try round.ledger())
                finished.append(try await Self.finish(&round, cycle: cycle, environment: environment))
                round = try CrashRound(number: round.number + 1, pipeline: pipeline, seed: seed, in: dir)
                continue
            }
            kill(flow.process.processIdentifier, SIGKILL)
            let sweep = EnvironmentMarker.killAll(carrying: marker)
            #expect(sweep.survivors.isEmpty, "seed \(seed), cycle \(cycle): processes outlived the kill: \(sweep.survivors)")
            let status = await flow.wait()
            if flow.process.terminationReason == .exit {
                // It ended on its own between the look and the kill (a fast run's last moment):
                // as above, only a run that finished may do that; the kill did not count.
                #expect(status == 0, "seed \(seed), cycle \(cycle): `flow \(arguments[0])` exited \(status) as it was killed:\n\(flow.output)")
                try round.audit.observe(cycle: cycle, killed: false, snapshot: try #require(try round.snapshot()), ledger: try round.ledger())
                finished.append(try await Self.finish(&round, cycle: cycle, environment: environment))
                round = try CrashRound(number: round.number + 1, pipeline: pipeline, seed: seed, in: dir)
                continue
            }
            try round.audit.observe(cycle: cycle, killed: true, snapshot: try round.snapshot() ?? .empty, ledger: try round.ledger())
            kills += 1
        }
        #expect(kills >= minimumKills, "seed \(seed): only \(kills) kills in \(cycle) cycles")
        finished.append(try await Self.finish(&round, cycle: cycle + 1, environment: environment))

        #expect(EnvironmentMarker.carriers(of: marker).isEmpty, "seed \(seed): processes left behind")
        // What the test exercised, for the log; and kills must have landed mid-step for it to mean anything.
        print("crash test: seed \(seed), \(cycle + 1) cycles, \(finished.count) run(s): " + finished.map(\.summary).joined(separator: "; "))
        #expect(finished.map(\.midStepKills).reduce(0, +) > 0, "seed \(seed): no kill landed while a step was running")
    }

    /// Polls `condition` every 2 ms until it holds or `limit` seconds pass (then the kill
    /// lands anyway, as it would at any other moment).
    static func wait(until condition: () -> Bool, limit: TimeInterval = 30) async throws {
        let deadline = Date().addingTimeInterval(limit)
        while !condition() && Date() < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }

    /// Ends a round: a `flow resume --last` that is not killed must succeed, after which every
    /// check of ``CrashAudit/checkFinal(_:)`` holds and `flow status --json` agrees.
    static func finish(_ round: inout CrashRound, cycle: Int, environment: [String: String]) async throws -> CrashAudit {
        let seed = round.audit.seed
        let arguments = round.audit.runExists ? ["resume", "--last"] : ["run", "crash.yml"]
        let final = try await runFlow(arguments + ["--state-dir", round.state], environment: environment, currentDirectory: round.directory)
        #expect(final.status == 0, "seed \(seed): final `flow \(arguments[0])` exited \(final.status):\n\(final.stdout.suffix(2000))\(final.stderr)")
        let snapshot = try #require(try round.snapshot())
        try round.audit.observe(cycle: cycle, killed: false, snapshot: snapshot, ledger: try round.ledger())
        round.audit.checkFinal(snapshot)

        let status = try await runFlow(["status", "--json", "--state-dir", round.state], environment: environment, currentDirectory: round.directory)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any], "seed \(seed): \(status.stderr)")
        #expect(json["status"] as? String == "succeeded", "seed \(seed)")
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.count == round.audit.pipeline.count)
        #expect(steps.allSatisfy { $0["status"] as? String == "succeeded" }, "seed \(seed)")
        return round.audit
    }

    /// Three `flow run` processes started together on one fresh state directory, each running
    /// 100 quick steps four at a time: all succeed, none reports a locked or busy database.
    @Test func threeProcessesShareOneDatabaseWithoutLockErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var yaml = "name: many\nmax-parallel: 4\nsteps:\n"
        for i in 0..<100 { yaml += "  t\(i): { run: \"true\" }\n" }
        _ = try dir.write("many.yml", yaml)
        let state = dir.file("state").path
        let marker = "FLOW_SHARE_TEST=\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["FLOW_SHARE_TEST"] = String(marker.dropFirst("FLOW_SHARE_TEST=".count))
        defer { EnvironmentMarker.killAll(carrying: marker) }

        let flows = try (0..<3).map { i in
            try BackgroundFlow(["run", "many.yml", "--state-dir", state], in: dir.url, environment: environment, log: dir.file("flow-\(i).log"))
        }
        for (i, flow) in flows.enumerated() {
            let status = await flow.wait()
            let output = flow.output
            #expect(status == 0, "flow \(i) exited \(status):\n\(output.suffix(2000))")
            #expect(!output.lowercased().contains("locked") && !output.lowercased().contains("busy"), "flow \(i):\n\(output.suffix(2000))")
        }

        let runs = try await runFlow(["runs", "--json", "--state-dir", state], environment: environment, currentDirectory: dir.url)
        #expect(runs.status == 0, "\(runs.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]], "\(runs.stderr)")
        #expect(items.count == 3)
        #expect(Set(items.compactMap { $0["id"] as? String }).count == 3)
        #expect(items.allSatisfy { $0["status"] as? String == "succeeded" }, "\(runs.stdout)")

        let snapshot = try #require(try StateSnapshot.read(databaseAt: state + "/flow.db"))
        #expect(snapshot.integrity == ["ok"])
        #expect(snapshot.runs.count == 3)
        for run in snapshot.runs {
            let steps = snapshot.steps[run.id] ?? []
            #expect(steps.count == 100 && steps.allSatisfy { $0.status == .succeeded && $0.attempts == 1 }, "run \(run.id)")
        }
        #expect(EnvironmentMarker.carriers(of: marker).isEmpty, "processes left behind")
    }
}

/// One run of the crash test from its `flow run` to its success, in a directory of its own
/// (pipeline, ledger, state directory, flow's output per cycle).
struct CrashRound {
    let number: Int
    let directory: URL
    var audit: CrashAudit

    init(number: Int, pipeline: CrashPipeline, seed: UInt64, in parent: TemporaryDirectory) throws {
        self.number = number
        directory = parent.url.appendingPathComponent("run-\(number)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(pipeline.yaml().utf8).write(to: directory.appendingPathComponent("crash.yml"))
        audit = CrashAudit(pipeline: pipeline, seed: seed)
    }

    var state: String { directory.appendingPathComponent("state").path }

    func snapshot() throws -> StateSnapshot? { try StateSnapshot.read(databaseAt: state + "/flow.db") }

    /// The ledger's size so far (a cheap way to see a step start, never a half-read line).
    func ledgerBytes() -> Int {
        var info = stat()
        return stat(directory.appendingPathComponent("ledger").path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The ledger's lines. Every line is written whole by one `echo`, so a line without its
    /// newline would be a torn write.
    func ledger() throws -> [Substring] {
        let file = directory.appendingPathComponent("ledger")
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.isEmpty || text.hasSuffix("\n"), "seed \(audit.seed): the ledger ends in a partial line")
        return Array(text.split(separator: "\n"))
    }
}
