import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// Rerun requests through the `flow` binary: `flow run` carries out a request made during its
/// pass as a second pass, `flow resume` carries out one left pending by a killed flow, and a
/// cancelled run drops them. No built-in step of this flow asks for reruns yet (remediate will),
/// so the request is recorded by the test on behalf of the `gate` step, through the same
/// ``RunDatabase/recordRerun(_:)`` `StepContext.requestRerun` commits with, while `gate` runs.
@Suite struct RerunTests {
    static let pipeline = """
        name: p
        params:
          batch-size: { type: number, default: 32 }
        steps:
          gate: { run: 'until test -e go; do sleep 0.05; done' }
          train:
            needs: [gate]
            run: |
              echo "batch ${{ params.batch-size }}" >> ledger
              test "${{ params.batch-size }}" -le 16
        """

    /// `flow ARGUMENTS` in the background, standard output and error into files of `dir`; returns
    /// once `gate` has started (its start line is printed just before its process is spawned).
    static func start(_ arguments: [String], in dir: TemporaryDirectory) async throws -> ChildProcess {
        FileManager.default.createFile(atPath: dir.file("out").path, contents: nil)
        FileManager.default.createFile(atPath: dir.file("err").path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "FLOW_HOME")
        let process = try ChildProcess(Repository.flowBinary, arguments, environment: environment, currentDirectory: dir.url,
                                       standardOutput: .handle(try FileHandle(forWritingTo: dir.file("out"))),
                                       standardError: .handle(try FileHandle(forWritingTo: dir.file("err"))))
        for _ in 0..<1000 where !(dir.text("out").contains("gate")) && process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process
    }

    /// Records, for the run's `gate` step, a request to run `train` again with batch-size 16.
    static func request(in dir: TemporaryDirectory) async throws -> String {
        let id = try await Runs.newestID(in: dir)
        let database = try RunDatabase(path: dir.file("runs/flow.db").path)
        try database.recordRerun(RerunRecord(runId: id, stepId: "gate", attempt: 1, steps: "[\"train\"]", params: "{\"batch-size\":\"16\"}",
                                             reason: "out of memory", requestedAt: Date(), status: .pending))
        return id
    }

    static func reruns(_ id: String, in dir: TemporaryDirectory) throws -> [RerunRecord] {
        try RunDatabase(path: dir.file("runs/flow.db").path).reruns(of: id)
    }

    @Test func flowRunCarriesOutARequestAsASecondPassAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let process = try await Self.start(["run", "p.yml", "--json"], in: dir)
        let id = try await Self.request(in: dir)
        dir.touch("go")
        await process.exited()
        #expect(process.terminationStatus == 0, "\(dir.text("out"))\(dir.text("err"))")
        #expect(dir.lines("ledger") == ["batch 32", "batch 16"])
        #expect(dir.text("err").contains(
            "flow: run \(id): rerun requested by gate: train, batch-size 32 → 16 (out of memory); running it again (pass 2 of at most 5)"))

        // --json: each pass's events, a run-rerun event between them; the last run-finished is the run's end.
        let events = dir.lines("out").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.filter { $0["event"] as? String == "run-started" }.count == 2)
        let rerun = try #require(events.first { $0["event"] as? String == "run-rerun" })
        #expect(rerun["pass"] as? Int == 2)
        #expect(rerun["requestedBy"] as? [String] == ["gate"])
        #expect(rerun["rerunning"] as? [String] == ["train"])
        #expect((rerun["params"] as? [[String: Any]])?.first?["to"] as? String == "16")
        #expect(events.last { $0["event"] as? String == "run-finished" }?["status"] as? String == "succeeded")

        // The run's params are the rerun's, for status and resume; runs and status say why it ran again.
        let status = try await Runs.status(id, in: dir)
        #expect((status["params"] as? [String: Any])?["batch-size"] as? Int == 16)
        let reruns = try #require(status["reruns"] as? [[String: Any]])
        #expect(reruns.first?["status"] as? String == "carried-out")
        #expect(reruns.first?["pass"] as? Int == 1)
        let runs = try await runFlow(["runs"], currentDirectory: dir.url)
        #expect(runs.stdout.contains("  p  manual  (rerun 1× on request, last by gate: out of memory)"), "\(runs.stdout)")
        let text = try await runFlow(["status", id], currentDirectory: dir.url)
        #expect(text.stdout.contains("rerun 1 requested by gate (attempt 1): train, batch-size=16 (out of memory)"), "\(text.stdout)")
    }

    @Test func resumeCarriesOutARequestAKilledFlowLeftPending() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let process = try await Self.start(["run", "p.yml"], in: dir)
        let id = try await Self.request(in: dir)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        dir.touch("go")  // releases the orphaned gate step
        #expect(try Self.reruns(id, in: dir).map(\.status) == [.pending])
        let preview = try await runFlow(["resume", id, "--plan"], currentDirectory: dir.url)
        #expect(preview.stdout.contains("pending rerun requested by gate: train, batch-size=16 (out of memory); carried out when the run is taken over"),
                "\(preview.stdout)")

        let resumed = try await runFlow(["resume", id], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("rerun requested by gate: train, batch-size 32 → 16 (out of memory)"))
        #expect(dir.lines("ledger") == ["batch 16"])
        #expect(try Self.reruns(id, in: dir).map(\.status) == [.carriedOut])
        #expect((try await Runs.status(id, in: dir)["params"] as? [String: Any])?["batch-size"] as? Int == 16)
    }

    /// A step asking in every pass: the fifth request is refused with the reason, and flow exits 1
    /// although every pass succeeded (the run did not do what its steps asked).
    @Test func thePassBoundStopsAnEndlessRerunLoopAndExitsOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              gate: { run: 'echo pass >> ledger; until test -e go; do sleep 0.05; done; rm go' }
            """)
        let process = try await Self.start(["run", "p.yml"], in: dir)
        let id = try await Runs.newestID(in: dir)
        let database = try RunDatabase(path: dir.file("runs/flow.db").path)
        for pass in 1...RerunRequest.maxPasses {
            for _ in 0..<1000 where dir.lines("ledger").count < pass || FileManager.default.fileExists(atPath: dir.file("go").path) {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(dir.lines("ledger").count == pass)
            try database.recordRerun(RerunRecord(runId: id, stepId: "gate", attempt: pass, steps: "[\"gate\"]", params: "{}",
                                                 reason: "again \(pass)", requestedAt: Date(), status: .pending))
            dir.touch("go")
        }
        await process.exited()
        #expect(process.terminationStatus == 1, "\(dir.text("out"))\(dir.text("err"))")
        #expect(dir.lines("ledger").count == RerunRequest.maxPasses)
        #expect(dir.text("err").contains("flow: not rerunning run \(id) (requested by gate: gate (again 5)): it has been rerun 4 times on request, "
                                         + "the most a run may be (5 passes in all)"), "\(dir.text("err"))")
        #expect(try Self.reruns(id, in: dir).map(\.status) == Array(repeating: .carriedOut, count: 4) + [.refused])
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "failed")
    }

    /// `flow retry` carries a pending request out too, together with its own `--step`.
    @Test func retryCarriesOutAPendingRequestWithItsOwnSteps() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let process = try await Self.start(["run", "p.yml"], in: dir)
        let id = try await Self.request(in: dir)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        dir.touch("go")

        let retried = try await runFlow(["retry", id, "--step", "gate"], currentDirectory: dir.url)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stderr.contains("rerun requested by gate: train, batch-size 32 → 16 (out of memory)"))
        #expect(dir.lines("ledger") == ["batch 16"])
        #expect(try Self.reruns(id, in: dir).map(\.status) == [.carriedOut])
    }

    /// `flow cancel` of a run whose flow is gone records it cancelled; its requests are dropped with it.
    @Test func cancellingAKilledRunDropsItsPendingRequests() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let process = try await Self.start(["run", "p.yml"], in: dir)
        let id = try await Self.request(in: dir)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        dir.touch("go")
        let cancelled = try await runFlow(["cancel", id], currentDirectory: dir.url)
        #expect(cancelled.status == 0, "\(cancelled.stdout)\(cancelled.stderr)")
        #expect(try Self.reruns(id, in: dir).map(\.status) == [.dropped])
        let resumed = try await runFlow(["resume", id], currentDirectory: dir.url)
        #expect(resumed.status == 1)
        #expect(dir.lines("ledger") == ["batch 32"])
    }

    @Test func aCancelledRunDropsItsRequestsAndResumeDoesNotCarryThemOut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let process = try await Self.start(["run", "p.yml"], in: dir)
        let id = try await Self.request(in: dir)
        kill(process.processIdentifier, SIGINT)
        await process.exited()
        #expect(process.terminationStatus == 130)
        #expect(dir.text("err").contains("run cancelled: its 1 rerun request dropped"), "\(dir.text("err"))")
        #expect(try Self.reruns(id, in: dir).map(\.status) == [.dropped])
        #expect(dir.lines("ledger").isEmpty)

        dir.touch("go")
        let resumed = try await runFlow(["resume", id], currentDirectory: dir.url)
        #expect(resumed.status == 1)
        #expect(dir.lines("ledger") == ["batch 32"])
    }
}

extension TemporaryDirectory {
    /// A file of the directory as text (empty when it does not exist).
    func text(_ name: String) -> String { (try? String(contentsOf: file(name), encoding: .utf8)) ?? "" }
}
