import Foundation
import Testing
import FlowTestSupport

/// `flow cancel RUN`, through the built binary, against real `flow run` processes.
@Suite struct CancelCommandTests {
    @Test func cancellingALiveRunStopsItsStepsAndTheRunExits130() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              slow: { run: sleep 999 }
              other: { run: sleep 999 }
              after: { needs: [slow], run: echo after >> ledger }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ other")
        let id = try await Runs.newestID(in: dir)
        #expect(try await waitForStepProcesses(ofRun: id))

        let cancel = try await runFlow(["cancel", id], currentDirectory: dir.url)
        await process.exited()
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout == "run \(id) cancelled\n")
        #expect(cancel.stderr.contains("sent SIGTERM to flow (pid \(process.processIdentifier))"))
        #expect(process.terminationStatus == 130)
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "cancelled")
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps.values.allSatisfy { $0["status"] as? String == "cancelled" })
        #expect(stepProcesses(ofRun: id).isEmpty)
        #expect(dir.lines("ledger").isEmpty)
    }

    @Test func cancellingAnInterruptedRunRecordsItAndStopsTheStepsItLeftBehind() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              first: { run: echo first >> ledger }
              slow: { needs: [first], run: 'test -e go || sleep 999' }
              last: { needs: [slow], run: echo last >> ledger }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        let id = try await Runs.newestID(in: dir)
        #expect(try await waitForStepProcesses(ofRun: id))
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        #expect(!stepProcesses(ofRun: id).isEmpty)

        let cancel = try await runFlow(["cancel", id], currentDirectory: dir.url)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.hasPrefix("run \(id) cancelled (it was interrupted); stopped "))
        #expect(stepProcesses(ofRun: id).isEmpty)
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["first"]?["status"] as? String == "succeeded")
        #expect(steps["slow"]?["reason"] as? String == "cancelled by flow cancel")
        #expect(steps["last"]?["status"] as? String == "cancelled")

        // Still resumable: what succeeded is kept.
        dir.touch("go")
        let resumed = try await runFlow(["resume", id], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(dir.lines("ledger") == ["first", "last"])
    }

    @Test func waitZeroSendsTheSignalAndReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  slow: { run: sleep 999 }\n")
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        let id = try await Runs.newestID(in: dir)
        let cancel = try await runFlow(["cancel", id, "--wait", "0"], currentDirectory: dir.url)
        await process.exited()
        #expect(cancel.status == 0)
        #expect(cancel.stdout == "run \(id): cancellation requested (sent SIGTERM to flow, pid \(process.processIdentifier))\n")
        #expect(process.terminationStatus == 130)
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "cancelled")
    }

    @Test func finishedRunsAndUnknownIds() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("ok.yml", "name: ok\nsteps:\n  a: { run: echo }\n")
        _ = try dir.write("bad.yml", "name: bad\nsteps:\n  a: { run: exit 3 }\n")
        #expect(try await runFlow(["run", "ok.yml"], currentDirectory: dir.url).status == 0)
        let ok = try await Runs.newestID(in: dir)
        #expect(try await runFlow(["run", "bad.yml"], currentDirectory: dir.url).status == 1)
        let bad = try #require(try await Runs.list(in: dir).first { $0["pipeline"] as? String == "bad" }?["id"] as? String)

        let succeeded = try await runFlow(["cancel", ok], currentDirectory: dir.url)
        #expect(succeeded.status == 1)
        #expect(succeeded.stderr == "flow: run \(ok) already succeeded; there is nothing to cancel\n")

        let failed = try await runFlow(["cancel", bad], currentDirectory: dir.url)
        #expect(failed.status == 0)
        #expect(failed.stdout == "run \(bad) cancelled (it was failed)\n")
        #expect(try await Runs.status(bad, in: dir)["status"] as? String == "cancelled")
        // The failed step keeps its verdict.
        #expect(try await Runs.steps(bad, in: dir)["a"]?["status"] as? String == "failed")

        let again = try await runFlow(["cancel", bad], currentDirectory: dir.url)
        #expect(again.status == 0 && again.stdout == "run \(bad) is already cancelled\n")

        let unknown = try await runFlow(["cancel", "20990101-0000-0000"], currentDirectory: dir.url)
        #expect(unknown.status == 2 && unknown.stderr.contains("no run `20990101-0000-0000`"))
        #expect(try await runFlow(["cancel"], currentDirectory: dir.url).status == 2)
    }
}
