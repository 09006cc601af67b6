import Foundation
import FlowCore
import FlowEngine

/// `remediate`: takes what went wrong in this run (its failed steps, CloudWatch alarms) and a
/// runbook of rules, decides per piece of evidence which rule applies, acts when the rule is
/// sure enough (and not in a dry run), and records every decision in the audit table
/// (`flow audit`). See `docs/remediate.md`.
public struct RemediateStep: BuiltinStepType {
    public typealias Input = RemediateInput

    public static let name = "remediate"
    /// Its runbooks' expressions read `steps`, `params` and the rest (``RunView/values``).
    public static let readsRunValues = true
    public static let summary = "Decides what to do about failed steps or CloudWatch alarms from a runbook of rules (re-run a step, run a command, POST a webhook, roll a stack back), acts at or above min-confidence, and audits every decision"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("outcome", "`acted`, `failed`, `needs-person` or `nothing-to-do`: the most serious of the decisions"),
        StepOutput("action", "the action of the decision that gave `outcome` (`rerun`, `run`, …), empty when none"),
        StepOutput("rule", "the rule of that decision, empty when none"),
        StepOutput("decisions", "how many decisions were made (one per piece of evidence)"),
    ])
    public static let example = """
        remediate:
          uses: remediate
          needs: [health]
          if: failure()
          with:
            runbook: examples/fsdp/runbook.yml
            min-confidence: 0.8
        """

    /// `flow validate` checks a literal `runbook` as the step would.
    public static var fileChecks: [String: InputFileCheck] {
        ["runbook": InputFileCheck { path, workingDirectory in
            var shown = path
            if !path.hasPrefix("/"), let wd = workingDirectory { shown = wd.hasSuffix("/") ? wd + path : wd + "/" + path }
            return RunbookLoader.load(path: shown, shown: shown).diagnostics
        }]
    }

    public init() {}

    public func run(_ input: RemediateInput, context: StepContext) async throws -> StepOutcome {
        guard (0...1).contains(input.minConfidence) else {
            throw StepError("input `min-confidence` is \(input.minConfidence); give a number from 0 to 1", kind: .terminal)
        }
        let path = input.runbook.path.hasPrefix("/") ? input.runbook.path : context.workingDirectory + "/" + input.runbook.path
        let (loaded, diagnostics) = RunbookLoader.load(path: path, shown: input.runbook.path)
        guard let runbook = loaded else {
            let text = DiagnosticRenderer(color: false).text(diagnostics)
            context.log.write(Array(text.utf8))
            throw StepError("the runbook \(input.runbook.path) has \(diagnostics.filter { $0.severity == .error }.count) error(s); nothing was done:\n" + text,
                            kind: .terminal)
        }
        let view = try context.runView()
        let evidence = try await gather(input, view: view, context: context)
        let scope = RunbookScope(view: view, context: context)
        context.log.note("runbook \(input.runbook.path): \(runbook.rules.count) rule(s); \(evidence.count) piece(s) of evidence; min-confidence \(input.minConfidence)\(input.dryRun ? "; dry run" : "")")

        var decisions: [RemediationDecision] = []
        var passed = 0
        for item in evidence {
            guard let decision = await decide(item, runbook: runbook, input: input, scope: scope.with(item), view: view, context: context) else {
                passed += 1
                continue
            }
            decisions.append(decision)
        }
        if decisions.isEmpty {
            let skipped = passed == 0 ? "" : "; \(passed) skipped step(s), which no rule asks about"
            decisions.append(RemediationDecision(evidence: nil, rule: nil, action: nil, outcome: .nothingToDo,
                                                 detail: "no step of this run failed and no alarm was given" + skipped))
        }
        for decision in decisions {
            try view.recordAudit(AuditRecord(
                runId: context.runID, stepId: context.stepID, rule: decision.rule?.id, evidence: decision.evidence?.value.toJSON(pretty: false),
                action: decision.action?.json.toJSON(pretty: false), confidence: decision.rule?.confidence,
                minConfidence: input.minConfidence, dryRun: input.dryRun, outcome: decision.outcome.rawValue, detail: decision.detail,
                at: context.clock.now()))
        }
        let report = ExpressionValue.object([
            "run": .string(context.runID), "step": .string(context.stepID), "runbook": .string(input.runbook.path),
            "min-confidence": .number(input.minConfidence), "dry-run": .bool(input.dryRun),
            "decisions": .array(decisions.map { $0.json(run: context.runID, minConfidence: input.minConfidence, dryRun: input.dryRun) }),
        ])
        try context.artifacts.keep("remediation.json", kind: "json", bytes: Array((report.toJSON(pretty: true) + "\n").utf8))

        let order: [RemediationOutcome] = [.failed, .needsPerson, .acted, .nothingToDo]
        let overall = order.first { o in decisions.contains { $0.outcome == o } } ?? .nothingToDo
        let deciding = decisions.first { $0.outcome == overall }
        let outputs = [
            "outcome": overall.rawValue, "action": deciding?.action?.kind ?? "", "rule": deciding?.rule?.id ?? "",
            "decisions": String(decisions.count),
        ]
        context.log.note("outcome: \(overall.rawValue)")
        if overall == .failed {
            let failures = decisions.filter { $0.outcome == .failed }.map { "rule \($0.rule?.id ?? "?"): \($0.detail)" }
            throw StepError("remediation failed: " + failures.joined(separator: "; "), kind: .terminal)
        }
        return StepOutcome(outputs: outputs)
    }

    /// The failed steps of this run, then the alarms given, without repeats.
    func gather(_ input: RemediateInput, view: RunView, context: StepContext) async throws -> [Evidence] {
        var evidence = try StepEvidence.gather(view, excluding: context.stepID).map(Evidence.step)
        var alarms: [AlarmEvidence] = []
        if let alarm = input.alarm { alarms += try Self.alarms(from: alarm, context: context) }
        if input.alarms == .describe {
            do {
                alarms += try await AlarmEvents.describe(try context.network().aws(region: input.region))
            } catch let error as StepError {
                throw error
            } catch {
                throw StepError("CloudWatch DescribeAlarms: \(context.mask("\(error)"))", kind: .retryable)
            }
        }
        var seen = Set<String>()
        for alarm in alarms where seen.insert(alarm.identity).inserted { evidence.append(.alarm(alarm)) }
        return evidence
    }

    static func alarms(from input: AlarmInput, context: StepContext) throws -> [AlarmEvidence] {
        let value: ExpressionValue
        let shown: String
        switch input.form {
        case .inline(let v):
            value = v
            shown = "input `alarm`"
        case .text(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
                shown = "input `alarm`"
                do { value = try ExpressionValue(json: trimmed) } catch {
                    throw StepError("\(shown) is not valid JSON: \(error.message)", kind: .terminal)
                }
            } else {
                shown = "alarm file \(text)"
                let path = text.hasPrefix("/") ? text : context.workingDirectory + "/" + text
                let bytes: [UInt8]
                do { bytes = try UntrustedFile.read(path, limit: 1 << 20, links: .follow) } catch {
                    throw StepError("input `alarm`: \(error)", kind: .terminal)
                }
                do { value = try ExpressionValue(json: String(decoding: bytes, as: UTF8.self)) } catch {
                    throw StepError("\(shown) is not valid JSON: \(error.message)", kind: .terminal)
                }
            }
        }
        do {
            return try AlarmEvents.alarms(from: value)
        } catch {
            throw StepError("\(shown) holds no CloudWatch alarm: \(error)", kind: .terminal)
        }
    }

    /// Decides about one piece of evidence and, when the gate allows, acts. A skipped step that no
    /// rule asks about is no decision (nil): it did not run because its condition was false, or
    /// because something upstream failed, which is evidence of its own.
    func decide(_ evidence: Evidence, runbook: Runbook, input: RemediateInput, scope: RunbookScope, view: RunView,
                context: StepContext) async -> RemediationDecision? {
        var logTail: String?
        let readLog: () -> String = {
            if let logTail { return logTail }
            if case .step(let s) = evidence { logTail = s.logTail() } else { logTail = "" }
            return logTail!
        }
        context.log.note("evidence: \(evidence.summary)")
        guard let rule = runbook.decidingRule(for: evidence, log: readLog) else {
            if case .step(let step) = evidence, step.status == .skipped {
                context.log.note("no rule asks about skipped step \(step.step); not a decision")
                return nil
            }
            var decision = RemediationDecision(evidence: evidence, rule: nil, action: nil, outcome: .needsPerson,
                                               detail: "needs a person: no rule of the runbook matches \(evidence.summary)")
            note(&decision, log: readLog(), context: context)
            return decision
        }
        var decision = RemediationDecision(evidence: evidence, rule: rule, action: nil, outcome: .needsPerson, detail: "")
        let action: RenderedAction
        do {
            action = try RenderedAction.render(rule.action, in: scope)
        } catch {
            decision.outcome = .failed
            decision.detail = "rule \(rule.id): its action's values cannot be computed: \(error)"
            context.log.note(decision.detail)
            return decision
        }
        decision.action = action
        let sure = "rule \(rule.id) (confidence \(rule.confidence))"
        if input.dryRun {
            decision.detail = "needs a person: dry run; \(sure) would \(action.summary)"
        } else if rule.confidence < input.minConfidence {
            decision.detail = "needs a person: \(sure) is below min-confidence \(input.minConfidence); it would \(action.summary)"
        } else {
            context.log.note("\(sure) decides: \(action.summary)")
            let (outcome, detail) = await RemediationActions(context: context, view: view, scope: scope)
                .perform(action, rule: rule, evidence: evidence, decision: decision)
            decision.outcome = outcome
            decision.detail = outcome == .needsPerson ? "needs a person: \(detail)" : detail
            context.log.note("\(outcome.rawValue): \(decision.detail)")
            if outcome == .needsPerson { note(&decision, log: readLog(), context: context, quiet: true) }
            return decision
        }
        note(&decision, log: readLog(), context: context)
        return decision
    }

    /// Says "needs a person" in the log with the rule and the evidence, and the evidence's last log lines.
    func note(_ decision: inout RemediationDecision, log: String, context: StepContext, quiet: Bool = false) {
        if !quiet { context.log.note(decision.detail) }
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).suffix(21).drop { $0.isEmpty }
        guard !lines.isEmpty, case .step(let s)? = decision.evidence else { return }
        context.log.note("the last lines of \(s.step)'s log (\(s.logPath ?? "")):")
        context.log.write(Array((lines.map { "  | " + $0 }.joined(separator: "\n") + "\n").utf8))
    }
}
