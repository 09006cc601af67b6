import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps
import FlowTestSupport

/// Which rule decides, and whether it acts: the matchers, the confidence gate, dry-run,
/// "needs a person", and the audit row every decision leaves — through the real engine.
@Suite("Remediate decisions")
struct RemediateDecisionTests {
    /// A runbook whose every rule writes a marker file named after itself when it acts.
    static let markerRules = """
        rules:
          - id: oom
            when: { step: "tr*", log: "CUDA out of memory" }
            action: { run: "touch acted-oom" }
            confidence: 0.9
          - id: oom-guess
            when: { step: train, log: "out of memory" }
            action: { run: "touch acted-oom-guess" }
            confidence: 0.95
          - id: exit-42
            when: { exit-code: [41, 42], error-class: exit-code }
            action: { run: "touch acted-exit-42" }
            confidence: 0.8
          - id: low
            when: { log: "flaky" }
            action: { run: "touch acted-low" }
            confidence: 0.6
          - id: image
            when: { log: "ErrImagePull" }
            action: { person: { reason: "the image of ${{ evidence.step }} cannot be pulled" } }
            confidence: 1
        """

    /// `train` succeeds and `remediate` always runs after it; `skipped` names a step whose
    /// condition is false, which remediate also waits for.
    static func healthyPipeline(skipped: String? = nil) -> String {
        """
        name: fine
        steps:
        \(skipped.map { "  \($0):\n    if: ${{ false }}\n    run: echo never" } ?? "")
          train:
            run: echo fine
          remediate:
            uses: remediate
            needs: [train\(skipped.map { ", " + $0 } ?? "")]
            if: always()
            with: { runbook: runbook.yml }
        """
    }

    func marker(_ h: RemediateHarness, _ name: String) -> Bool {
        FileManager.default.fileExists(atPath: h.workspace + "/" + name)
    }

    @Test func theMostConfidentMatchingRuleActsAndIsAudited() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "RuntimeError: CUDA out of memory. Tried to allocate 2 GiB", with: "runbook: runbook.yml"))
        #expect(r.status == .failed)
        #expect(r.steps["remediate"]?.status == .succeeded)
        #expect(r.outputs == ["outcome": "acted", "action": "run", "rule": "oom-guess", "decisions": "1"])
        #expect(marker(h, "acted-oom-guess") && !marker(h, "acted-oom"))
        let row = try #require(r.audit.first)
        #expect(r.audit.count == 1)
        #expect(row.runId == r.runID && row.stepId == "remediate" && row.rule == "oom-guess")
        #expect(row.confidence == 0.95 && row.minConfidence == 0.8 && row.dryRun == false)
        #expect(row.outcome == "acted" && row.detail == "ran `touch acted-oom-guess`: exit 0")
        #expect(row.action == #"{"run":"touch acted-oom-guess"}"#)
        let evidence = try ExpressionValue(json: try #require(row.evidence))
        #expect(evidence.member("step") == "train" && evidence.member("status") == "failed")
        #expect(evidence.member("error-class") == "exit-code" && evidence.member("exit-code") == 1)
        #expect(r.log.contains("flow: rule oom-guess (confidence 0.95) decides: run `touch acted-oom-guess`"), "\(r.log)")
    }

    @Test func onATieTheEarlierRuleDecides() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: first
                when: { step: train }
                action: { run: "touch acted-first" }
                confidence: 0.9
              - id: second
                when: { step: train }
                action: { run: "touch acted-second" }
                confidence: 0.9
            """)
        let r = try await h.run(failingPipeline(with: "runbook: runbook.yml"))
        #expect(r.outputs["rule"] == "first")
        #expect(marker(h, "acted-first") && !marker(h, "acted-second"))
    }

    @Test func exitCodesAndErrorClassesMatch() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(code: 42, with: "runbook: runbook.yml"))
        #expect(r.outputs["rule"] == "exit-42")
        #expect(marker(h, "acted-exit-42"))
    }

    @Test func aTimedOutStepIsOfClassTimeout() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: stalled
                when: { step: train, error-class: timeout }
                action: { run: "echo restart" }
                confidence: 0.8
            """)
        let r = try await h.run("""
            name: stall
            steps:
              train:
                timeout: 1s
                run: sleep 30
              remediate:
                uses: remediate
                needs: [train]
                if: failure()
                with: { runbook: runbook.yml }
            """)
        #expect(r.outputs["rule"] == "stalled", "\(r.log)")
        let evidence = try ExpressionValue(json: try #require(r.audit.first?.evidence))
        #expect(evidence.member("error-class") == "timeout")
    }

    @Test func belowMinConfidenceNothingIsDoneAndAPersonIsNeeded() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "a flaky test\\nline two", with: "runbook: runbook.yml"))
        #expect(r.steps["remediate"]?.status == .succeeded)
        #expect(r.outputs == ["outcome": "needs-person", "action": "run", "rule": "low", "decisions": "1"])
        #expect(!marker(h, "acted-low"))
        let row = try #require(r.audit.first)
        #expect(row.outcome == "needs-person" && row.confidence == 0.6 && row.minConfidence == 0.8)
        #expect(row.detail == "needs a person: rule low (confidence 0.6) is below min-confidence 0.8; it would run `touch acted-low`")
        #expect(r.log.contains("  | a flaky test"), "the evidence's log is shown: \(r.log)")
    }

    @Test func aLowerMinConfidenceLetsTheSameRuleAct() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "flaky", with: "runbook: runbook.yml\nmin-confidence: 0.5"))
        #expect(r.outputs["outcome"] == "acted")
        #expect(marker(h, "acted-low"))
        #expect(r.audit.first?.minConfidence == 0.5)
    }

    @Test func aDryRunDecidesAndRecordsButDoesNothing() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "CUDA out of memory", with: "runbook: runbook.yml\ndry-run: true"))
        #expect(r.outputs["outcome"] == "needs-person")
        #expect(!marker(h, "acted-oom-guess") && !marker(h, "acted-oom"))
        let row = try #require(r.audit.first)
        #expect(row.dryRun && row.rule == "oom-guess" && row.outcome == "needs-person")
        #expect(row.detail == "needs a person: dry run; rule oom-guess (confidence 0.95) would run `touch acted-oom-guess`")
    }

    @Test func aPersonActionAlwaysNeedsAPerson() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "Failed to pull image: ErrImagePull", with: "runbook: runbook.yml"))
        #expect(r.outputs == ["outcome": "needs-person", "action": "person", "rule": "image", "decisions": "1"])
        #expect(r.audit.first?.detail == "needs a person: the image of train cannot be pulled")
    }

    @Test func evidenceNoRuleMatchesNeedsAPerson() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "something new", with: "runbook: runbook.yml"))
        #expect(r.outputs == ["outcome": "needs-person", "action": "", "rule": "", "decisions": "1"])
        let row = try #require(r.audit.first)
        #expect(row.rule == nil && row.action == nil && row.confidence == nil)
        #expect(row.detail == "needs a person: no rule of the runbook matches step train failed (exit-code, exit 1): exited with code 1")
    }

    @Test func noEvidenceIsNothingToDoAndStillAudited() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(Self.healthyPipeline())
        #expect(r.status == .succeeded)
        #expect(r.outputs == ["outcome": "nothing-to-do", "action": "", "rule": "", "decisions": "1"])
        let row = try #require(r.audit.first)
        #expect(row.outcome == "nothing-to-do" && row.evidence == nil && row.rule == nil)
    }

    /// Skipped steps are evidence only for rules that ask for them: one skipped because its
    /// condition was false, or because something upstream failed, is no decision of its own.
    @Test func skippedStepsNoRuleAsksAboutAreNoDecision() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let healthy = try await h.run(Self.healthyPipeline(skipped: "local-only"))
        #expect(healthy.outputs == ["outcome": "nothing-to-do", "action": "", "rule": "", "decisions": "1"], "\(healthy.log)")
        #expect(healthy.audit.map(\.detail) == ["no step of this run failed and no alarm was given; 1 skipped step(s), which no rule asks about"])

        let failing = try await h.run(failingPipeline(log: "something new", with: "runbook: runbook.yml", extraSteps: """
              after:
                needs: [train]
                run: echo never
            """).replacingOccurrences(of: "needs: [train]\n    if: failure()", with: "needs: [after]\n    if: always()"))
        #expect(failing.steps["after"]?.status == .skipped)
        #expect(failing.audit.map(\.detail) == ["needs a person: no rule of the runbook matches step train failed (exit-code, exit 1): exited with code 1"],
                "\(failing.audit.map(\.detail))")
    }

    @Test func anActionThatFailsFailsTheStepAfterItIsAudited() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: broken
                when: { step: train }
                action: { run: "echo trying; exit 3" }
                confidence: 1
            """)
        let r = try await h.run(failingPipeline(with: "runbook: runbook.yml"))
        #expect(r.steps["remediate"]?.status == .failed)
        #expect(r.steps["remediate"]?.error == "remediation failed: rule broken: exited with code 3")
        #expect(r.steps["remediate"]?.attempts == 1, "a failed remediation is not retried")
        #expect(r.audit.map(\.outcome) == ["failed"])
        #expect(r.log.contains("trying"))
    }

    @Test func aRunbookWithMistakesFailsTheStepBeforeAnythingIsDone() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: good
                when: { step: train }
                action: { run: "touch acted-good" }
                confidence: 1
              - id: bad
                when: { stpe: train }
                action: { rerun: {} }
                confidence: 2
            """)
        let r = try await h.run(failingPipeline(with: "runbook: runbook.yml"))
        #expect(r.steps["remediate"]?.status == .failed)
        let error = r.steps["remediate"]?.error ?? ""
        #expect(error.contains("runbook.yml:7:13: error: unknown key `stpe` in `when` of rule `bad`"), "\(error)")
        #expect(error.contains("runbook.yml:8:22: error: `rerun` is missing the required key `step`"), "\(error)")
        #expect(error.contains("runbook.yml:9:17: error: `confidence` is 2.0, outside 0…1"), "\(error)")
        #expect(!marker(h, "acted-good"))
        #expect(r.audit.isEmpty)
    }

    @Test func aValueFromAnExpressionNeverBecomesShellCode() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: echo
                when: { step: train }
                action: { run: "echo got ${{ params.note }} for ${{ evidence.step }}; echo '${{ params.note }}' > note.txt" }
                confidence: 1
            """)
        let hostile = "$(touch pwned) `touch pwned2`; touch pwned3 'x"
        let r = try await h.run(failingPipeline(with: "runbook: runbook.yml", params: "  note: { type: string }"), params: ["note": hostile])
        #expect(r.outputs["outcome"] == "acted", "\(r.log)")
        #expect(!marker(h, "pwned") && !marker(h, "pwned2") && !marker(h, "pwned3"))
        #expect(try String(contentsOfFile: h.workspace + "/note.txt", encoding: .utf8) == hostile + "\n")
        #expect(r.log.contains("got \(hostile) for train"))
    }

    @Test func aReportListsEveryDecision() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.markerRules)
        let r = try await h.run(failingPipeline(log: "flaky", with: "runbook: runbook.yml"))
        let artifacts = try h.engine.database.artifacts(of: r.runID, step: "remediate")
        let report = try #require(artifacts.first { $0.name == "remediation.json" })
        let value = try ExpressionValue(json: try String(contentsOfFile: report.path, encoding: .utf8))
        guard case .array(let decisions)? = value.member("decisions") else { Issue.record("no decisions"); return }
        #expect(decisions.count == 1)
        #expect(decisions[0].member("rule") == "low" && decisions[0].member("outcome") == "needs-person")
    }
}
