import Foundation
import Testing
import FlowTestSupport

/// Cleanup after Ctrl-C, with real signals to a real `flow run`: cancelling stops the running
/// steps, then runs the steps whose `if` calls `always()` or `cancelled()` to their end (their
/// own timeout applies), as GitHub Actions and Argo's exit handlers do; a second Ctrl-C, or
/// `flow cancel --force`, stops those too.
@Suite struct CleanupOnCancelTests {
    static let pipeline = """
        name: p
        steps:
          work: { run: sleep 999 }
          cleanup: { needs: [work], if: "${{ always() }}", run: "sleep 0.3; echo done > cleaned" }
          notify: { needs: [work], if: "${{ cancelled() }}", run: "echo cancelled > notified" }
          bounded: { needs: [work], if: "${{ always() }}", timeout: 1s, run: sleep 999 }
          next: { needs: [work], run: touch next-ran }
        """

    /// Waits (bounded) until `file` exists in `dir`.
    func appears(_ file: String, in dir: TemporaryDirectory) async throws -> Bool {
        for _ in 0..<1500 {
            if FileManager.default.fileExists(atPath: dir.file(file).path) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The bug this replaces: a cleanup step that became ready during the cancellation was
    /// started and killed about 10 ms later, in 6 of 7 runs. Every round must run it to its end.
    @Test func ctrlCRunsTheCleanupStepsToTheirEnd() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        for round in 0..<4 {
            try? FileManager.default.removeItem(at: dir.file("cleaned"))
            try? FileManager.default.removeItem(at: dir.file("notified"))
            let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ work")
            let id = try await Runs.newestID(in: dir)
            #expect(try await waitForStepProcesses(ofRun: id))
            kill(process.processIdentifier, round % 2 == 0 ? SIGINT : SIGTERM)
            await process.exited()
            #expect(process.terminationStatus == 130, "round \(round)")
            #expect(dir.lines("cleaned") == ["done"], "round \(round)")
            #expect(dir.lines("notified") == ["cancelled"], "round \(round)")
            #expect(!FileManager.default.fileExists(atPath: dir.file("next-ran").path))
            let steps = try await Runs.steps(id, in: dir)
            #expect(steps["work"]?["status"] as? String == "cancelled")
            #expect(steps["cleanup"]?["status"] as? String == "succeeded", "round \(round)")
            #expect(steps["notify"]?["status"] as? String == "succeeded", "round \(round)")
            #expect(steps["next"]?["status"] as? String == "cancelled")
            // A cleanup step's own timeout applies: it is stopped by it and fails.
            #expect(steps["bounded"]?["status"] as? String == "failed", "round \(round)")
            #expect((steps["bounded"]?["reason"] as? String)?.contains("timed out") == true)
            #expect(try await Runs.status(id, in: dir)["status"] as? String == "cancelled")
            #expect(stepProcesses(ofRun: id).isEmpty)
        }
    }

    /// A run of a step that waits and a cleanup step (`if` given) that says it started, then
    /// waits too; returned once the first step's process runs.
    func startRunWithCleanup(_ dir: TemporaryDirectory, if condition: String) async throws -> (ChildProcess, String) {
        _ = try dir.write("p.yml", """
            name: p
            steps:
              work: { run: sleep 999 }
              cleanup: { needs: [work], if: "${{ \(condition) }}", run: "touch cleanup-started; sleep 999" }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        #expect(try await waitForStepProcesses(ofRun: id))
        return (process, id)
    }

    /// After the second stop: flow exited 130, both steps are recorded cancelled, nothing is left.
    func expectEverythingStopped(_ process: ChildProcess, _ id: String, in dir: TemporaryDirectory) async throws {
        await process.exited()
        #expect(process.terminationStatus == 130)
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["work"]?["status"] as? String == "cancelled")
        #expect(steps["cleanup"]?["status"] as? String == "cancelled")
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "cancelled")
        #expect(stepProcesses(ofRun: id).isEmpty)
    }

    @Test func aSecondCtrlCStopsTheCleanupStepsToo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (process, id) = try await startRunWithCleanup(dir, if: "always()")
        kill(process.processIdentifier, SIGINT)
        #expect(try await appears("cleanup-started", in: dir))
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        try await expectEverythingStopped(process, id, in: dir)
    }

    @Test func flowCancelLetsCleanupRunAndForceStopsIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (process, id) = try await startRunWithCleanup(dir, if: "cancelled()")
        let cancel = try await runFlow(["cancel", id, "--wait", "0"], currentDirectory: dir.url)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("sent SIGTERM to flow"))
        #expect(try await appears("cleanup-started", in: dir))
        #expect(process.isRunning)
        let force = try await runFlow(["cancel", id, "--force"], currentDirectory: dir.url)
        #expect(force.status == 0, "\(force.stderr)")
        #expect(force.stderr.contains("sent SIGUSR1 to flow (pid \(process.processIdentifier))"))
        try await expectEverythingStopped(process, id, in: dir)
    }
}
