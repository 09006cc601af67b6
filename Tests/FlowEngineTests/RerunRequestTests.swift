import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// A step asks for steps of its run to run again (`StepContext.requestRerun`): the request is
/// committed before the step goes on, and once the pass ends the launcher carries it out as
/// `flow retry` would, with the run's params changed, up to the pass bound.
@Suite struct RerunRequestTests {
    /// Asks for a rerun of `steps` with `params` (while `rerunCount` of itself is below `max`,
    /// when given); outputs the count it read.
    struct AskRerun: BuiltinStepType {
        struct Input: StepInputSchema {
            var steps: [String]
            var params: [String: String]?
            var reason: String
            var max: Int?
            static let help: [String: InputHelp] = [
                "steps": InputHelp("the steps to run again"), "params": InputHelp("params to change"),
                "reason": InputHelp("why"), "max": InputHelp("ask only while fewer reruns than this were asked by this step"),
            ]
        }
        static let name = "ask-rerun"
        static let summary = "asks for a rerun"
        static let outputs = StepTypeSignature.Outputs.fixed([StepOutput("count")])
        static let example = "a: { uses: ask-rerun, with: { steps: [x], reason: why } }"

        func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
            let count = try context.rerunCount(requestedBy: context.stepID)
            if input.max.map({ count < $0 }) ?? true {
                try context.requestRerun(RerunRequest(steps: input.steps, params: input.params ?? [:], reason: input.reason))
            }
            return StepOutcome(outputs: ["count": String(count)])
        }
    }

    /// Runs `yaml` as `flow run` does (``EngineHarness/runWithReruns``), with ``AskRerun``
    /// registered; returns the final status, the run id and the events.
    static func run(_ yaml: String, in h: EngineHarness,
                    cancelAfter: (@Sendable (String) async throws -> Void)? = nil) async throws -> (RunStatus, String, [RunEvent]) {
        var registry = StepRegistry.builtins
        registry.register(AskRerun())
        let outcome = try await h.runWithReruns(yaml, registry: registry, cancelAfter: cancelAfter)
        return (outcome.status, outcome.runID, outcome.events)
    }

    /// The lines steps appended to `ledger` in the run's working directory.
    static func ledger(_ h: EngineHarness) -> [String] {
        ((try? String(contentsOf: h.directory.file("ledger"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static let trainAndRemediate = """
        name: p
        params:
          batch-size: { type: number, default: 32 }
          token: { type: string, secret: true, default: tok-5e3c9a7f }
        steps:
          train:
            run: |
              echo "batch ${{ params.batch-size }}" >> ledger
              test "${{ params.batch-size }}" -le 16
          remediate:
            needs: [train]
            if: failure()
            uses: ask-rerun
            with: { steps: [train], params: { batch-size: "16" }, reason: "out of memory (token tok-5e3c9a7f)" }
        """

    @Test func aFailedStepRunsAgainWithTheParamTheRequestFixedAndTheRunSucceeds() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let (status, id, events) = try await Self.run(Self.trainAndRemediate, in: h)
        #expect(status == .succeeded)
        #expect(Self.ledger(h) == ["batch 32", "batch 16"])
        let run = try #require(try h.database.run(id))
        #expect(run.status == .succeeded)
        #expect(run.params.contains("\"batch-size\":16"))
        #expect(!run.params.contains("tok-5e3c9a7f"))
        let steps = Dictionary(uniqueKeysWithValues: try h.database.steps(of: id).map { ($0.stepId, $0) })
        #expect(steps["train"]?.status == .succeeded)
        #expect(steps["train"]?.attempts == 2)
        // remediate ran in the first pass and, downstream of train, again in the second, where `failure()` is false.
        #expect(steps["remediate"]?.status == .skipped)

        let reruns = try h.database.reruns(of: id)
        #expect(reruns.count == 1)
        #expect(reruns.first?.status == .carriedOut)
        #expect(reruns.first?.pass == 1)
        #expect(reruns.first?.stepId == "remediate")
        #expect(reruns.first?.reason == "out of memory (token ***)")

        let passes = events.compactMap { if case .runRerun(_, let pass) = $0 { pass } else { nil } }
        #expect(passes.count == 1)
        #expect(passes.first?.summary == "rerun requested by remediate: train, batch-size 32 → 16 (out of memory (token ***))")
        #expect(passes.first?.rerunning == ["train", "remediate"])
        #expect(events.filter { if case .runFinished = $0 { true } else { false } }.count == 2)

        let recorded = try h.database.events(of: id)
        let rerun = try #require(recorded.first { $0.kind == .runRerun })
        #expect(rerun.data?.contains("batch-size 32 → 16") == true)
        #expect(recorded.contains { $0.kind == .rerunRequested && $0.stepId == "remediate" })
        #expect(!recorded.contains { $0.data?.contains("tok-5e3c9a7f") == true })
        // The requesting step's log says what it asked for.
        let log = try String(contentsOfFile: h.statePath + "/\(id)/remediate/attempt-1.log", encoding: .utf8)
        #expect(log.contains("flow: rerun requested: train, batch-size 32 → 16"))
    }

    @Test func thePassBoundStopsAStepThatAsksForeverAndFailsTheRun() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let (status, id, events) = try await Self.run("""
            name: p
            steps:
              train: { run: 'echo run >> ledger; exit 1' }
              remediate: { needs: [train], if: failure(), uses: ask-rerun, with: { steps: [train], reason: "try again" } }
            """, in: h)
        #expect(status == .failed)
        #expect(Self.ledger(h).count == RerunRequest.maxPasses)
        let reruns = try h.database.reruns(of: id)
        #expect(reruns.map(\.status) == Array(repeating: .carriedOut, count: RerunRequest.maxPasses - 1) + [.refused])
        #expect(reruns.compactMap(\.pass) == Array(1..<RerunRequest.maxPasses))
        let refused = events.compactMap { if case .rerunRefused(_, let message) = $0 { message } else { nil } }
        #expect(refused.count == 1)
        #expect(refused.first?.contains("has been rerun 4 times on request, the most a run may be (5 passes in all)") == true)
        #expect(try h.database.run(id)?.status == .failed)
    }

    /// The step that asks bounds itself with `rerunCount` (as remediate's per-rule `max` does).
    @Test func rerunCountTellsTheAskingStepHowManyReruns() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let (status, id, events) = try await Self.run("""
            name: p
            steps:
              train: { run: 'echo run >> ledger; exit 1' }
              remediate: { needs: [train], if: failure(), uses: ask-rerun, with: { steps: [train], reason: "again", max: 2 } }
            """, in: h)
        #expect(status == .failed)
        #expect(Self.ledger(h).count == 3)
        #expect(try h.database.reruns(of: id).map(\.status) == [.carriedOut, .carriedOut])
        #expect(try h.database.steps(of: id).first { $0.stepId == "remediate" }?.outputs == ["count": "2"])
        #expect(!events.contains { if case .rerunRefused = $0 { true } else { false } })
    }

    @Test(arguments: [
        ("[deploy]", "", "a rerun request names `deploy`, which is not a step of this run; its steps are `train`, `remediate`"),
        ("[trian]", "", "(did you mean `train`?)"),
        ("[train]", "{ batchsize: '8' }", "a rerun request sets param `batchsize`, which the pipeline does not declare (did you mean `batch-size`?)"),
        ("[train]", "{ token: x }", "a rerun request cannot set param `token`: it is secret"),
        ("[train]", "{ batch-size: many }", "a rerun request's params do not fit"),
        ("[]", "", "a rerun request must name at least one step of the run"),
    ])
    func aRequestForAnUnknownStepOrParamIsATerminalErrorOfTheAskingStep(steps: String, params: String, message: String) async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let (status, id, _) = try await Self.run("""
            name: p
            params:
              batch-size: { type: number, default: 32 }
              token: { type: string, secret: true, default: tok-5e3c9a7f }
            steps:
              train: { run: 'echo run >> ledger; exit 1' }
              remediate:
                needs: [train]
                if: failure()
                retry: 3
                uses: ask-rerun
                with: { steps: \(steps), reason: why\(params.isEmpty ? "" : ", params: \(params)") }
            """, in: h)
        #expect(status == .failed)
        let remediate = try #require(try h.database.steps(of: id).first { $0.stepId == "remediate" })
        #expect(remediate.status == .failed)
        #expect(remediate.attempts == 1, "terminal: not retried")
        #expect(remediate.error?.contains(message) == true, "\(remediate.error ?? "")")
        #expect(try h.database.reruns(of: id).isEmpty)
        #expect(Self.ledger(h).count == 1)
    }

    @Test func aCancelledRunDoesNotRerunAndDropsItsRequests() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let (status, id, events) = try await Self.run("""
            name: p
            steps:
              ask: { uses: ask-rerun, with: { steps: [slow], reason: "again" } }
              slow: { run: 'echo run >> ledger; sleep 30' }
            """, in: h) { id in
            // Cancelled once the request is committed and the slow step runs.
            for _ in 0..<1000 where (try? h.database.pendingReruns(of: id))?.isEmpty != false || Self.ledger(h).isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try h.database.pendingReruns(of: id).count == 1)
        }
        #expect(status == .cancelled)
        #expect(Self.ledger(h) == ["run"])
        #expect(try h.database.reruns(of: id).map(\.status) == [.dropped])
        #expect(!events.contains { if case .runRerun = $0 { true } else { false } })
        #expect(events.contains { if case .rerunRefused(_, let message) = $0 { message.contains("run cancelled") } else { false } })
    }

    /// A run that no launcher carries reruns out for refuses requests, since nothing would act on them.
    @Test func aRunWithoutALauncherRefusesRequests() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        var registry = StepRegistry.builtins
        registry.register(AskRerun())
        let outcome = try await h.run("name: p\nsteps:\n  a: { uses: ask-rerun, with: { steps: [a], reason: why } }\n", registry: registry)
        #expect(outcome.status == .failed)
        #expect(outcome.steps["a"]?.error?.contains("this run cannot re-run steps on request") == true)
    }
}
