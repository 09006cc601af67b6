import Foundation
import Testing
import FlowTestSupport

/// Signals a `flow` process meets outside Ctrl-C: its terminal closing (SIGHUP) and its reader
/// going away (SIGPIPE). Neither may leave steps running or lose the run's record.
@Suite struct SignalTests {
    @Test func sighupStopsTheStepsAndRecordsTheRunCancelled() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  slow: { run: sleep 999 }\n")
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        let id = try await Runs.newestID(in: dir)
        #expect(try await waitForStepProcesses(ofRun: id))
        kill(process.processIdentifier, SIGHUP)
        await process.exited()
        #expect(process.terminationStatus == 130)
        #expect(stepProcesses(ofRun: id).isEmpty)
        let status = try await Runs.status(id, in: dir)
        #expect(status["status"] as? String == "cancelled")
        #expect(try await Runs.steps(id, in: dir)["slow"]?["status"] as? String == "cancelled")
    }

    /// `flow run … | head -1`: head exits after the first line, so every later write of flow's
    /// meets a closed pipe. The run still goes to its end and records it.
    @Test func aClosedStandardOutputEndsTheOutputNotTheRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              first: { run: 'sleep 0.3; echo one' }
              second: { needs: [first], run: 'sleep 0.3; touch second-ran' }
            """)
        let script = "\"$FLOW\" run p.yml | head -1 >/dev/null; echo \"${PIPESTATUS[0]}\" > flow-status"
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW"] = Repository.flowBinary.path
        environment["NO_COLOR"] = "1"
        let r = try await onOwnThread { [environment] in
            try runProcess(URL(fileURLWithPath: "/usr/bin/timeout"), ["-s", "KILL", "30", "bash", "-c", script],
                           environment: environment, currentDirectory: dir.url)
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(dir.lines("flow-status") == ["0"])
        #expect(FileManager.default.fileExists(atPath: dir.file("second-ran").path))
        let id = try await Runs.newestID(in: dir)
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "succeeded")

        // `flow logs` into a closed pipe stops quietly too.
        let logs = try await onOwnThread { [environment] in
            try runProcess(URL(fileURLWithPath: "/usr/bin/timeout"),
                           ["-s", "KILL", "30", "bash", "-c", "\"$FLOW\" logs \(id) | head -c1 >/dev/null; echo \"${PIPESTATUS[0]}\""],
                           environment: environment, currentDirectory: dir.url)
        }
        #expect(logs.stdout == "0\n", "\(logs.stderr)")
    }
}
