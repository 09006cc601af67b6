import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// `flow retry`'s engine side: named steps go back to `pending` even though they succeeded,
/// and everything else is taken over as `resume` takes it.
@Suite struct RetryTests {
    /// token → use → after; other stands alone. Every step appends its id to the ledger.
    static func yaml(_ ledger: String) -> String {
        """
        name: t
        steps:
          token:
            run: echo token >> \(ledger) && echo "v=$(head -c 12 /dev/urandom | base64)" >> "$FLOW_OUTPUT"
            outputs: [v]
          use:
            needs: [token]
            run: echo use >> \(ledger) && printf '%s' "${{ steps.token.outputs.v }}" > used.txt
          after: { needs: [use], run: echo after >> \(ledger) }
          other: { run: echo other >> \(ledger) }
        """
    }

    @Test func retryRerunsTheNamedStepsOfASucceededRunWithStoredUpstreamOutputs() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let ledger = h.directory.file("ledger").path
        let yaml = Self.yaml(ledger)
        let first = try await h.run(yaml)
        #expect(first.status == .succeeded)
        let token = try #require(first.steps["token"]?.outputValues["v"])
        try FileManager.default.removeItem(atPath: ledger)
        try FileManager.default.removeItem(at: h.directory.file("used.txt"))

        let plan = try h.plan(yaml)
        let rerun = try #require(plan.withDownstream(of: ["use"]).ids)
        #expect(rerun == ["use", "after"])
        let run = try #require(try h.database.run(first.runID))
        let options = RunOptions(stateDirectory: h.statePath, workingDirectory: h.statePath,
                                 environment: ProcessInfo.processInfo.environment, source: yaml, heartbeatInterval: nil)
        let coordinator = try RunCoordinator(resuming: run, plan: plan, database: h.database, registry: .builtins,
                                             runner: ProcessRunners.standard, clock: RealClock(), options: options, rerunning: rerun)
        #expect(await coordinator.execute() == .succeeded)

        #expect(try String(contentsOfFile: ledger, encoding: .utf8) == "use\nafter\n")
        #expect(try String(contentsOf: h.directory.file("used.txt"), encoding: .utf8) == token)
        let steps = Dictionary(uniqueKeysWithValues: try h.database.steps(of: first.runID).map { ($0.stepId, $0) })
        #expect(steps.values.allSatisfy { $0.status == .succeeded })
        #expect(steps["token"]?.outputValues["v"] == token)
        #expect(steps["use"]?.attempts == 2 && steps["token"]?.attempts == 1 && steps["other"]?.attempts == 1)
        #expect(try h.database.attempts(of: first.runID, step: "use").map(\.number) == [1, 2])
        let events = try h.database.events(of: first.runID)
        let retried = try #require(events.first { $0.kind == .runRetried })
        #expect(retried.data == #"{"rerun":["use","after"]}"#)
    }

    @Test func theResetAlsoTakesBackStepsThatDidNotSucceed() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let first = try await h.run("name: t\nsteps:\n  a: { run: echo a }\n  b: { run: exit 1 }\n")
        #expect(first.status == .failed)
        try h.database.resume(first.runID, from: .failed, steps: ["a", "b"], rerunning: ["a"], ownerPid: getpid(), ownerHost: "h", at: Date())
        let steps = try h.database.steps(of: first.runID)
        #expect(steps.map(\.status) == [.pending, .pending])
        #expect(steps.allSatisfy { $0.outputs == nil && $0.error == nil && $0.attempts == 1 })
    }
}
