import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// The run's scheduling decisions as a pure state machine: events in, actions out. No process
/// starts and no database is opened here; `RunCoordinatorTests` and the CLI's signal tests run
/// the same decisions through real processes.
@Suite struct RunSchedulerTests {
    /// A scheduler for `yaml`, planned exactly as `flow run` plans it.
    func scheduler(_ yaml: String, succeeded: [String: [String: String]] = [:], includes: [String: String] = [:],
                   environment: [String: String] = [:]) throws -> RunScheduler {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "test.yml", options: testValidationOptions(includes: includes))
        guard let pipeline, !diagnostics.hasErrors else { throw HarnessError(DiagnosticRenderer(color: false).text(diagnostics)) }
        let (plan, problems) = RunPlanner.plan(pipeline, params: [])
        guard let plan else { throw HarnessError(DiagnosticRenderer(color: false).text(problems)) }
        let kept = Dictionary(uniqueKeysWithValues: succeeded.map { id, outputs in (plan.steps.firstIndex { $0.id == id }!, outputs) })
        let params = ExpressionValue.object(Dictionary(plan.params.map { ($0.name, $0.value) }) { a, _ in a })
        return RunScheduler(plan: plan, values: ["run": .object(["id": .string("r"), "status": .string("running")]), "params": params],
                            processEnvironment: environment, succeeded: kept)
    }

    /// The actions with step ids in place of indices, for readable expectations.
    func named(_ actions: [RunScheduler.Action], _ s: RunScheduler) -> [String] {
        actions.map { action in
            switch action {
            case .start(let i): return "start \(s.steps[i].id)"
            case .stop(let i): return "stop \(s.steps[i].id)"
            case .settle(let i, let status, let reason): return "\(status.rawValue) \(s.steps[i].id): \(reason)"
            case .expand(let gate, let instances, _, _): return "expand \(s.steps[gate].id) into \(instances.count)"
            case .finishGate(let gate, let status, _, let outputs):
                return "\(status.rawValue) \(s.steps[gate].id) (its \(s.steps[gate].call == nil ? "instances" : "steps") ended)"
                    + (outputs.isEmpty ? "" : " " + outputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
            case .enter(let call, _): return "enter \(s.steps[call].id)"
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

/// Fan-out over runtime data: a matrix computed when the run reaches its step.
@Suite struct RuntimeMatrixSchedulerTests {
    let base = RunSchedulerTests()

    static let pipeline = """
        name: p
        steps:
          setup: { run: "true", outputs: [versions, matrix] }
          test:
            needs: [setup]
            matrix:
              python: ${{ fromJSON(steps.setup.outputs.versions) }}
              os: [linux]
              max-parallel: 2
            run: "true"
          report: { needs: [test], run: "true" }
        """

    @Test func anAxisFromAnOutputFansOutWhenItsStepFinishes() throws {
        var s = try base.scheduler(Self.pipeline)
        #expect(base.named(s.handle(.begin), s) == ["start setup"])
        let actions = s.handle(.finished(0, .succeeded, outputs: ["versions": #"["3.11", 3.12, "3.13"]"#]))
        guard case .expand(let gate, let instances, let combinations, let reused) = actions.first else {
            Issue.record("no expansion: \(actions)")
            return
        }
        #expect(s.steps[gate].id == "test" && !reused)
        #expect(instances.map { s.steps[$0].id } == ["test[python=3.11,os=linux]", "test[python=3.12,os=linux]", "test[python=3.13,os=linux]"])
        #expect(combinations.map { $0["python"] } == ["3.11", "3.12", "3.13"])
        // `max-parallel: 2` of the matrix: two start, the third waits.
        #expect(base.named(Array(actions.dropFirst()), s) == ["start test[python=3.11,os=linux]", "start test[python=3.12,os=linux]"])
        #expect(base.finish(&s, "test[python=3.11,os=linux]", .succeeded) == ["start test[python=3.13,os=linux]"])
        #expect(base.finish(&s, "test[python=3.12,os=linux]", .succeeded) == [])
        // The gate ends when its last instance has, and releases what needs it.
        let last = s.handle(.finished(base.index("test[python=3.13,os=linux]", s), .succeeded, outputs: [:]))
        #expect(last == [.finishGate(gate, .succeeded, reason: nil, outputs: [:]), .start(base.index("report", s))])
    }

    @Test func theWholeMatrixFromOneExpressionWithIncludeAndExclude() throws {
        var s = try base.scheduler("""
            name: p
            steps:
              setup: { run: "true", outputs: [m] }
              build: { needs: [setup], matrix: "${{ fromJSON(steps.setup.outputs.m) }}", run: "true" }
            """)
        _ = s.handle(.begin)
        let json = #"{"os": ["linux", "mac"], "arch": ["x86", "arm"], "exclude": [{"os": "mac", "arch": "x86"}], "include": [{"os": "linux", "gpu": "a100"}]}"#
        let actions = s.handle(.finished(0, .succeeded, outputs: ["m": json]))
        guard case .expand(_, let instances, _, _) = actions.first else { Issue.record("\(actions)"); return }
        // Axes in key order (flow's objects keep sorted keys); `include` extends what it matches.
        #expect(instances.map { s.steps[$0].id } == [
            "build[arch=x86,os=linux,gpu=a100]", "build[arch=arm,os=linux,gpu=a100]", "build[arch=arm,os=mac]",
        ])
    }

    @Test(arguments: [
        (#"{not json"#, "the matrix could not be computed: `fromJSON`: the text is not valid JSON"),
        (#""3.11""#, "matrix axis `python` is text (use `fromJSON` to read JSON text); it must be a list of values"),
        (#"[]"#, "the matrix has no combinations: there is nothing to run"),
        (#"[["a"]]"#, "a value of matrix axis `python` is a list or mapping; values are strings, numbers or booleans"),
        (#"[1, 1]"#, "the matrix gives `test[python=1,os=linux]` twice; its combinations must differ"),
    ])
    func aMatrixThatCannotBeComputedFailsItsStepAndSaysWhy(versions: String, message: String) throws {
        var s = try base.scheduler(Self.pipeline)
        _ = s.handle(.begin)
        let actions = base.named(s.handle(.finished(0, .succeeded, outputs: ["versions": versions])), s)
        #expect(actions.count == 2)
        #expect(actions.first?.hasPrefix("failed test: " + message) == true, "\(actions)")
        #expect(actions.last == "skipped report: an upstream step failed")
        #expect(s.conclusion().status == .failed)
    }

    @Test func aMatrixOfMoreThan256IsRefused() throws {
        var s = try base.scheduler(Self.pipeline)
        _ = s.handle(.begin)
        let many = "[" + (1...257).map(String.init).joined(separator: ",") + "]"
        let actions = base.named(s.handle(.finished(0, .succeeded, outputs: ["versions": many])), s)
        #expect(actions.first == "failed test: the matrix has 257 combinations; a matrix runs at most 256")
    }

    @Test func aGateWhoseUpstreamFailedIsSkippedWithoutComputingAnything() throws {
        var s = try base.scheduler(Self.pipeline)
        _ = s.handle(.begin)
        #expect(base.finish(&s, "setup", .failed) == ["skipped test: an upstream step failed", "skipped report: an upstream step failed"])
    }

    @Test func failFastStopsTheRunningInstancesAndCancelsTheWaitingOnes() throws {
        var s = try base.scheduler("""
            name: p
            steps:
              test:
                matrix: { n: [1, 2, 3, 4], fail-fast: true, max-parallel: 2 }
                run: "true"
              other: { run: "true" }
            """)
        #expect(base.named(s.handle(.begin), s) == ["start test[n=1]", "start test[n=2]", "start other"])
        #expect(base.finish(&s, "test[n=1]", .failed) == [
            "stop test[n=2]", "cancelled test[n=3]: fail-fast: `test[n=1]` failed", "cancelled test[n=4]: fail-fast: `test[n=1]` failed",
        ])
        // Only the matrix is stopped: the run goes on.
        #expect(s.cancellation == .none)
        #expect(s.running == [base.index("test[n=2]", s), base.index("other", s)])
        // The stopped instance's end does not cancel the run.
        #expect(base.finish(&s, "test[n=2]", .cancelled) == [])
        #expect(s.cancellation == .none)
    }

    @Test func withoutFailFastTheOtherInstancesRunOn() throws {
        var s = try base.scheduler("""
            name: p
            steps:
              test: { matrix: { n: [1, 2] }, run: "true" }
            """)
        _ = s.handle(.begin)
        #expect(base.finish(&s, "test[n=1]", .failed) == [])
        #expect(s.running == [base.index("test[n=2]", s)])
    }

    @Test func aResumedRunReusesTheRecordedInstancesAndKeepsTheOnesThatSucceeded() throws {
        let yaml = Self.pipeline
        let (pipeline, _) = PipelineCheck.check(Array(yaml.utf8), file: "test.yml", options: testValidationOptions())
        let plan = try #require(RunPlanner.plan(pipeline!, params: []).plan)
        let recorded = [MatrixCombination([("python", "3.11"), ("os", "linux")]), MatrixCombination([("python", "3.12"), ("os", "linux")])]
        var s = RunScheduler(plan: plan, values: [:], succeeded: [0: ["versions": #"["3.11", "3.12"]"#]],
                             expansions: ["test": recorded], keptInstances: ["test[python=3.11,os=linux]": ["k": "v"]])
        let actions = s.handle(.begin)
        guard case .expand(let gate, let instances, let combinations, let reused) = actions.first else { Issue.record("\(actions)"); return }
        #expect(reused && combinations == recorded && s.steps[gate].id == "test")
        #expect(instances.map { s.status[$0] } == [.succeeded, .running])
        #expect(base.named(Array(actions.dropFirst()), s) == ["start test[python=3.12,os=linux]"])
        #expect(s.context(for: base.index("report", s)).values["steps"].map { "\($0)" }?.contains("\"k\"") == true)
    }

    @Test func whenWhatTheGateNeedsRunsAgainTheMatrixIsComputedAfresh() throws {
        let (pipeline, _) = PipelineCheck.check(Array(Self.pipeline.utf8), file: "test.yml", options: testValidationOptions())
        let plan = try #require(RunPlanner.plan(pipeline!, params: []).plan)
        var s = RunScheduler(plan: plan, values: [:], expansions: ["test": [MatrixCombination([("python", "2.7"), ("os", "linux")])]])
        _ = s.handle(.begin)
        let actions = s.handle(.finished(0, .succeeded, outputs: ["versions": #"["3.13"]"#]))
        guard case .expand(_, let instances, _, let reused) = actions.first else { Issue.record("\(actions)"); return }
        #expect(!reused)
        #expect(instances.map { s.steps[$0].id } == ["test[python=3.13,os=linux]"])
    }
}
