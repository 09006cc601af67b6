import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// The run's scheduling decisions as a pure state machine: events in, actions out. No process
/// starts and no database is opened here; `RunCoordinatorTests` and the CLI's signal tests run
/// the same decisions through real processes.
@Suite struct RunSchedulerTests {
    /// A scheduler for `yaml`, planned exactly as `flow run` plans it.
    func scheduler(_ yaml: String, succeeded: [String: [String: String]] = [:]) throws -> RunScheduler {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "test.yml", options: testValidationOptions())
        guard let pipeline, !diagnostics.hasErrors else { throw HarnessError(DiagnosticRenderer(color: false).text(diagnostics)) }
        let (plan, problems) = RunPlanner.plan(pipeline, params: [])
        guard let plan else { throw HarnessError(DiagnosticRenderer(color: false).text(problems)) }
        let kept = Dictionary(uniqueKeysWithValues: succeeded.map { id, outputs in (plan.steps.firstIndex { $0.id == id }!, outputs) })
        return RunScheduler(plan: plan, values: ["run": .object(["id": .string("r"), "status": .string("running")])], succeeded: kept)
    }

    /// The actions with step ids in place of indices, for readable expectations.
    func named(_ actions: [RunScheduler.Action], _ s: RunScheduler) -> [String] {
        actions.map { action in
            switch action {
            case .start(let i): return "start \(s.steps[i].id)"
            case .stop(let i): return "stop \(s.steps[i].id)"
            case .settle(let i, let status, let reason): return "\(status.rawValue) \(s.steps[i].id): \(reason)"
            }
        }
    }

    func index(_ id: String, _ s: RunScheduler) -> Int { s.steps.firstIndex { $0.id == id }! }

    func finish(_ s: inout RunScheduler, _ id: String, _ status: StepStatus, _ outputs: [String: String] = [:]) -> [String] {
        let actions = s.handle(.finished(index(id, s), status, outputs: outputs))
        return named(actions, s)
    }

    @Test func stepsStartWhenAllTheyNeedHasSucceededAtMostMaxParallelAtOnce() throws {
        var s = try scheduler("""
            name: p
            max-parallel: 2
            steps:
              a: { run: "true" }
              b: { run: "true" }
              c: { run: "true" }
              d: { needs: [a, b], run: "true" }
            """)
        #expect(named(s.handle(.begin), s) == ["start a", "start b"])
        #expect(finish(&s, "a", .succeeded) == ["start c"])
        #expect(finish(&s, "b", .succeeded) == ["start d"])
        #expect(finish(&s, "d", .succeeded) == [])
        #expect(!s.isIdle)
        #expect(finish(&s, "c", .succeeded) == [])
        #expect(s.isIdle)
        #expect(s.conclusion().status == .succeeded)
        #expect(s.conclusion().neverReady.isEmpty)
    }

    @Test func aFailureSkipsDependentsAndRunsTheStepsThatAskForIt() throws {
        var s = try scheduler("""
            name: p
            steps:
              build: { run: "false" }
              test: { needs: [build], run: "true" }
              deploy: { needs: [test], run: "true" }
              report: { needs: [build], if: "${{ failure() }}", run: "true" }
              tidy: { needs: [deploy], if: "${{ always() }}", run: "true" }
            """)
        #expect(named(s.handle(.begin), s) == ["start build"])
        #expect(finish(&s, "build", .failed) == [
            "skipped test: an upstream step failed", "start report", "skipped deploy: an upstream step failed", "start tidy",
        ])
        _ = finish(&s, "report", .succeeded)
        _ = finish(&s, "tidy", .succeeded)
        #expect(s.isIdle)
        #expect(s.conclusion().status == .failed)
    }

    @Test func continueOnErrorDoesNotFailTheRunOrItsDependents() throws {
        var s = try scheduler("""
            name: p
            steps:
              lint: { run: "false", continue-on-error: true }
              build: { needs: [lint], run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(finish(&s, "lint", .failed) == ["start build"])
        _ = finish(&s, "build", .succeeded)
        #expect(s.conclusion().status == .succeeded)
    }

    @Test func aSkippedStepSkipsItsDependentsUnlessTheyAskForStatus() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: "true", if: "${{ false }}" }
              b: { needs: [a], run: "true" }
              c: { needs: [a], run: "true", if: "${{ !failure() && !cancelled() }}" }
            """)
        #expect(named(s.handle(.begin), s) == ["skipped a: condition is false: false", "skipped b: `a` was skipped", "start c"])
    }

    @Test func cancellingStopsRunningStepsThenRunsCleanupStepsToTheirEnd() throws {
        var s = try scheduler("""
            name: p
            steps:
              work: { run: sleep 60 }
              other: { run: sleep 60 }
              next: { needs: [work], run: "true" }
              cleanup: { needs: [work], if: "${{ always() }}", run: "true" }
              notify: { needs: [work], if: "${{ cancelled() }}", run: "true" }
              onFailure: { needs: [work], if: "${{ failure() }}", run: "true" }
            """)
        #expect(named(s.handle(.begin), s) == ["start work", "start other"])
        #expect(named(s.handle(.cancel), s) == ["stop work", "stop other"])
        // A second request at the same level changes nothing.
        #expect(named(s.handle(.cancel), s) == [])
        #expect(finish(&s, "work", .cancelled) == [
            "cancelled next: run cancelled", "start cleanup", "start notify", "skipped onFailure: condition is false: failure()",
        ])
        #expect(s.cleanup == [index("cleanup", s), index("notify", s)])
        #expect(finish(&s, "other", .cancelled) == [])
        #expect(!s.isIdle)
        _ = finish(&s, "cleanup", .succeeded)
        _ = finish(&s, "notify", .succeeded)
        #expect(s.isIdle)
        #expect(s.conclusion().status == .cancelled)
    }

    @Test func aRunningStepWhoseConditionHoldsWhileCancellingRunsOn() throws {
        var s = try scheduler("""
            name: p
            steps:
              work: { run: sleep 60 }
              report: { if: "${{ always() }}", run: sleep 60 }
              onlyOnSuccess: { if: "${{ success() }}", run: sleep 60 }
            """)
        #expect(named(s.handle(.begin), s) == ["start work", "start report", "start onlyOnSuccess"])
        #expect(named(s.handle(.cancel), s) == ["stop work", "stop onlyOnSuccess"])
        #expect(s.cleanup == [index("report", s)])
        // The second level stops it too.
        #expect(named(s.handle(.forceCancel), s) == ["stop report"])
    }

    @Test func aForcedCancellationStartsNothingMoreNotEvenCleanup() throws {
        var s = try scheduler("""
            name: p
            steps:
              work: { run: sleep 60 }
              cleanup: { needs: [work], if: "${{ always() }}", run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(named(s.handle(.forceCancel), s) == ["stop work"])
        #expect(finish(&s, "work", .cancelled) == ["cancelled cleanup: run cancelled"])
        #expect(s.isIdle)
        #expect(s.conclusion().status == .cancelled)
    }

    @Test func aCancellationBeforeTheRunBeginsStartsOnlyCleanupSteps() throws {
        var s = try scheduler("""
            name: p
            steps:
              work: { run: "true" }
              cleanup: { if: "${{ always() }}", run: "true" }
            """)
        #expect(named(s.handle(.cancel), s) == [])
        #expect(named(s.handle(.begin), s) == ["cancelled work: run cancelled", "start cleanup"])
    }

    @Test func aStepEndingCancelledCancelsTheRun() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: sleep 60 }
              b: { run: sleep 60 }
              c: { needs: [a], run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(finish(&s, "a", .cancelled) == ["stop b", "cancelled c: run cancelled"])
        #expect(s.cancellation == .requested)
    }

    @Test func stateThatCannotBeRecordedStopsEverythingAndFailsTheRun() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: sleep 60 }
              b: { run: sleep 60 }
              c: { needs: [a], if: "${{ always() }}", run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(named(s.handle(.storageFailed), s) == ["stop a", "stop b"])
        #expect(finish(&s, "a", .cancelled) == [])
        _ = finish(&s, "b", .cancelled)
        #expect(s.isIdle)
        let (status, neverReady) = s.conclusion()
        #expect(status == .failed)
        // Nothing more is recorded once recording failed.
        #expect(neverReady.isEmpty)
    }

    @Test func aStepThatCannotBePreparedFailsAndItsDependentsAreSkipped() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: "true" }
              b: { needs: [a], run: "true" }
            """)
        #expect(named(s.handle(.begin), s) == ["start a"])
        #expect(named(s.handle(.couldNotStart(index("a", s), reason: "expression failed: x")), s) == [
            "failed a: expression failed: x", "skipped b: an upstream step failed",
        ])
        #expect(s.conclusion().status == .failed)
    }

    @Test func aConditionThatCannotBeEvaluatedFailsTheStep() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: "true", outputs: [n] }
              b: { needs: [a], if: "${{ fromJSON(steps.a.outputs.n) > 1 }}", run: "true" }
            """)
        _ = s.handle(.begin)
        let actions = finish(&s, "a", .succeeded, ["n": "{not json"])
        #expect(actions.count == 1)
        #expect(actions[0].hasPrefix("failed b: `if` could not be evaluated: "))
    }

    @Test func conditionsReadFinishedStepsOutputsAndStatus() throws {
        var s = try scheduler("""
            name: p
            steps:
              probe: { run: "true", outputs: [healthy] }
              fix: { needs: [probe], if: "${{ steps.probe.outputs.healthy == 'no' }}", run: "true" }
              done: { needs: [probe], if: "${{ steps.probe.status == 'succeeded' }}", run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(finish(&s, "probe", .succeeded, ["healthy": "yes"]) == [
            "skipped fix: condition is false: steps.probe.outputs.healthy == 'no'", "start done",
        ])
    }

    @Test func aResumedRunKeepsWhatSucceededAndItsOutputs() throws {
        var s = try scheduler("""
            name: p
            steps:
              build: { run: "true", outputs: [ref] }
              push: { needs: [build], if: "${{ steps.build.outputs.ref == 'img@1' }}", run: "true" }
            """, succeeded: ["build": ["ref": "img@1"]])
        #expect(named(s.handle(.begin), s) == ["start push"])
        #expect(s.context(for: index("push", s)).values["steps"] == .object([
            "build": .object(["outputs": .object(["ref": .string("img@1")]), "status": .string("succeeded")]),
        ]))
    }

    @Test func runStatusReadsFailedOnceAStepFailedAndCancelledWhileCancelling() throws {
        var s = try scheduler("""
            name: p
            steps:
              a: { run: "false" }
              b: { run: sleep 60 }
            """)
        _ = s.handle(.begin)
        func runStatus() -> ExpressionValue? {
            guard case .object(let run) = s.context(for: 1).values["run"] else { return nil }
            return run["status"]
        }
        #expect(runStatus() == .string("succeeded"))
        _ = finish(&s, "a", .failed)
        #expect(runStatus() == .string("failed"))
        _ = s.handle(.cancel)
        #expect(runStatus() == .string("cancelled"))
    }
}

/// The retry decision, a pure function of the policy and the failure.
@Suite struct RetryDecisionTests {
    let noJitter: (Double) -> Double = { $0 }

    @Test func retriesWhileTriesAreLeftWithExponentialBackoff() {
        let policy = RetryPolicy(attempts: 3, backoff: Backoff(initial: .seconds(1), factor: 2, max: .seconds(60)))
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: noJitter) == .retry(after: .seconds(1)))
        #expect(policy.decide(afterTry: 2, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: noJitter) == .retry(after: .seconds(2)))
        #expect(policy.decide(afterTry: 3, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: noJitter) == .stop)
    }

    @Test func aTerminalFailureIsNeverRetried() {
        let policy = RetryPolicy(attempts: 5)
        #expect(policy.decide(afterTry: 1, retryable: false, exitCode: 1, elapsed: .seconds(0), jitter: noJitter) == .stop)
    }

    @Test func onlyTheNamedExitCodesAreRetried() {
        let policy = RetryPolicy(attempts: 5, exitCodes: [75])
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: 75, elapsed: .seconds(0), jitter: noJitter) == .retry(after: .seconds(1)))
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: noJitter) == .stop)
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: nil, elapsed: .seconds(0), jitter: noJitter) == .stop)
    }

    @Test func theNextTryMustStartWithinTheDeadline() {
        let policy = RetryPolicy(attempts: 5, backoff: Backoff(initial: .seconds(2)), deadline: .seconds(10))
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(7), jitter: noJitter) == .retry(after: .seconds(2)))
        #expect(policy.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(8), jitter: noJitter) == .stop)
    }

    @Test func jitterAppliesOnlyWhenTheBackoffAsksForIt() {
        let halve: (Double) -> Double = { $0 / 2 }
        let plain = RetryPolicy(attempts: 2, backoff: Backoff(initial: .seconds(4)))
        let jittered = RetryPolicy(attempts: 2, backoff: Backoff(initial: .seconds(4), jitter: true))
        #expect(plain.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: halve) == .retry(after: .seconds(4)))
        #expect(jittered.decide(afterTry: 1, retryable: true, exitCode: 1, elapsed: .seconds(0), jitter: halve) == .retry(after: .seconds(2)))
    }
}
