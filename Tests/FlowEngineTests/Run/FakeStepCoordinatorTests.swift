import Foundation
import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// The coordinator with the test kit's scripted parts: a fake step type and a scripted process
/// runner, so retries, cancellation and a `run:` step's exit are tested without a process.
@Suite struct FakeStepCoordinatorTests {
    @Test func retryableFailuresAreRetriedUnderThePolicyWithoutSleeping() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let script = FakeScript(["flaky": [.fail("503", retryable: true, exitCode: nil), .fail("503", retryable: true, exitCode: nil),
                                           .succeed(["ok": "yes"])]])
        let clock = ManualClock(autoAdvance: true)
        let outcome = try await h.run("""
            name: p
            steps:
              flaky: { uses: fake, retry: { attempts: 3, backoff: { initial: 2s, factor: 3 } } }
            """, registry: FakeStepType.registry(script), clock: clock)
        #expect(outcome.status == .succeeded)
        #expect(script.attempts == ["flaky#1", "flaky#2", "flaky#3"])
        #expect(outcome.steps["flaky"]?.attempts == 3 && outcome.steps["flaky"]?.outputValues == ["ok": "yes"])
        // 2 s, then 6 s, on the injected clock.
        #expect(clock.sleeps == [.seconds(2), .seconds(6)])
        #expect(outcome.events.filter { if case .stepRetrying = $0 { true } else { false } }.count == 2)
    }

    @Test func aTerminalFailureIsNotRetried() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let script = FakeScript(["broken": [.fail("bad input", retryable: false, exitCode: 2)]])
        let outcome = try await h.run("name: p\nsteps:\n  broken: { uses: fake, retry: 5 }\n",
                                      registry: FakeStepType.registry(script), clock: ManualClock(autoAdvance: true))
        #expect(outcome.status == .failed)
        #expect(script.attempts == ["broken#1"])
        #expect(outcome.steps["broken"]?.exitCode == 2)
    }

    @Test func cancellingStopsTheWaitingStepAndRunsTheCleanupStep() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let script = FakeScript(["work": [.waitUntilCancelled]])
        let plan = try h.plan("""
            name: p
            steps:
              work: { uses: fake }
              cleanup: { needs: [work], if: "${{ always() }}", uses: fake }
              next: { needs: [work], uses: fake }
            """, registry: FakeStepType.registry(script))
        let options = RunOptions(stateDirectory: h.statePath, workingDirectory: h.directory.url.path, environment: [:],
                                 source: "", heartbeatInterval: nil)
        let coordinator = try RunCoordinator(plan: plan, database: h.database, registry: FakeStepType.registry(script),
                                             runner: ScriptedRunner(), clock: ManualClock(autoAdvance: true), options: options)
        let task = Task { await coordinator.execute() }
        while script.waiting.isEmpty { await Task.yield() }
        task.cancel()
        #expect(await task.value == .cancelled)
        #expect(script.attempts == ["work#1", "cleanup#1"])
        let steps = Dictionary(uniqueKeysWithValues: try h.database.steps(of: coordinator.runID).map { ($0.stepId, $0.status) })
        #expect(steps == ["work": .cancelled, "cleanup": .succeeded, "next": .cancelled])
    }

    @Test func aRunStepsExitAndOutputComeFromTheRunnerItIsGiven() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let runner = ScriptedRunner(["*": [.init(output: "compiling\nerror: no such file\n", exit: 3)]])
        let outcome = try await h.run("name: p\nsteps:\n  build: { run: make }\n", environment: ["PATH": "/usr/bin:/bin"], runner: runner)
        #expect(outcome.status == .failed)
        #expect(outcome.steps["build"]?.exitCode == 3)
        let spec = try #require(runner.specs.first)
        #expect(spec.environment["FLOW_STEP"] == "build" && spec.environment["FLOW_RUN_ID"] == outcome.runID)
        let log = try #require(try h.database.attempts(of: outcome.runID).first?.logPath)
        #expect(try String(contentsOfFile: log, encoding: .utf8).hasPrefix("compiling\nerror: no such file\n"))
    }
}
