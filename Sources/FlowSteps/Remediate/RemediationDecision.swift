import Foundation
import FlowCore
import FlowEngine

/// What a decision came to.
public enum RemediationOutcome: String, Sendable, Hashable {
    /// The rule's action ran and succeeded (a rerun: it was requested).
    case acted
    /// The rule's action ran and failed: the step fails.
    case failed
    /// Nothing was done: below `min-confidence`, `dry-run`, a `person` action, a rerun past its
    /// `max`, a stack with no earlier template, or no rule matching.
    case needsPerson = "needs-person"
    /// There was no evidence: nothing failed and no alarm was given.
    case nothingToDo = "nothing-to-do"
}

/// One decision: the evidence, the rule that decided (the matching one with the highest
/// confidence; ties go to the earlier rule), its action as rendered, and what came of it.
struct RemediationDecision {
    var evidence: Evidence?
    var rule: RunbookRule?
    var action: RenderedAction?
    var outcome: RemediationOutcome
    var detail: String

    /// One object of `remediation.json` (also what a webhook receives about its own decision).
    func json(run: String, minConfidence: Double, dryRun: Bool) -> ExpressionValue {
        .object([
            "run": .string(run),
            "rule": rule.map { .string($0.id) } ?? .null,
            "evidence": evidence?.value ?? .null,
            "action": action?.json ?? .null,
            "confidence": rule.map { .number($0.confidence) } ?? .null,
            "min-confidence": .number(minConfidence),
            "dry-run": .bool(dryRun),
            "outcome": .string(outcome.rawValue),
            "detail": .string(detail),
        ])
    }
}

extension Runbook {
    /// The rule that decides about `evidence`: of those matching, the most confident, the
    /// earliest on a tie. `log` is read only when a rule asks for it.
    func decidingRule(for evidence: Evidence, log: () -> String) -> RunbookRule? {
        var best: RunbookRule?
        var logText: String?
        for rule in rules where rule.when.matches(evidence, log: { logText = logText ?? log(); return logText! }) {
            if best == nil || rule.confidence > best!.confidence { best = rule }
        }
        return best
    }
}

extension RuleCondition {
    func matches(_ evidence: Evidence, log: () -> String) -> Bool {
        switch evidence {
        case .step(let s):
            guard alarm == nil else { return false }
            if let step, !step.matches(s.step) { return false }
            guard statuses.contains(where: { $0.rawValue == s.status.rawValue }) else { return false }
            if let errorClass, !errorClass.contains(where: { $0 == s.errorClass }) { return false }
            if let exitCodes, !exitCodes.contains(where: { $0 == s.exitCode }) { return false }
            if let pattern = self.log, !pattern.matches(log()) { return false }
            return true
        case .alarm(let a):
            guard let alarm else { return false }
            if let name = alarm.name, !name.matches(a.name) { return false }
            if let metric = alarm.metric, metric != a.metric { return false }
            if let namespace = alarm.namespace, namespace != a.namespace { return false }
            if let state = alarm.state, state != a.state { return false }
            return alarm.dimensions.allSatisfy { a.dimensions[$0.key] == $0.value }
        }
    }
}

/// A rule's action with its values rendered for one piece of evidence.
enum RenderedAction {
    case rollbackStack(stack: String, region: String?)
    case deleteStack(stack: String, region: String?)
    case rerun(step: String, params: [String: String], max: Int)
    case run(command: String)
    case webhook(url: String, headers: [(name: String, value: String)], body: ExpressionValue?)
    case person(reason: String)

    static func render(_ action: RuleAction, in scope: RunbookScope) throws -> RenderedAction {
        switch action {
        case .rollbackStack(let stack, let region):
            return .rollbackStack(stack: try scope.render(stack), region: try region.map(scope.render).flatMap { $0.isEmpty ? nil : $0 })
        case .deleteStack(let stack, let region):
            return .deleteStack(stack: try scope.render(stack), region: try region.map(scope.render).flatMap { $0.isEmpty ? nil : $0 })
        case .rerun(let step, let params, let max):
            var rendered: [String: String] = [:]
            for (name, value) in params { rendered[name] = try scope.render(value) }
            return .rerun(step: try scope.render(step), params: rendered, max: max)
        case .run(let command):
            // Not rendered: its expressions become environment variables when it runs.
            return .run(command: command)
        case .webhook(let url, let headers, let body):
            return .webhook(url: try scope.render(url), headers: try headers.map { ($0.name, try scope.render($0.value)) },
                            body: try body.map(scope.evaluate))
        case .person(let reason):
            return .person(reason: try scope.render(reason))
        }
    }

    var kind: String {
        switch self {
        case .rollbackStack: "rollback-stack"
        case .deleteStack: "delete-stack"
        case .rerun: "rerun"
        case .run: "run"
        case .webhook: "webhook"
        case .person: "person"
        }
    }

    /// As the audit table and the report store it. A webhook's header values are left out (they
    /// carry tokens); everything is masked again when stored.
    var json: ExpressionValue {
        switch self {
        case .rollbackStack(let stack, let region), .deleteStack(let stack, let region):
            return .object([kind: .object(["stack": .string(stack), "region": region.map(ExpressionValue.string) ?? .null])])
        case .rerun(let step, let params, let max):
            return .object([kind: .object(["step": .string(step), "params": .object(params.mapValues(ExpressionValue.string)),
                                           "max": .number(Double(max))])])
        case .run(let command):
            return .object([kind: .string(command)])
        case .webhook(let url, let headers, let body):
            return .object([kind: .object(["url": .string(url), "headers": .array(headers.map { .string($0.name) }),
                                           "body": body ?? .null])])
        case .person(let reason):
            return .object([kind: .object(["reason": .string(reason)])])
        }
    }

    /// In words, for the log: `rerun train with batch-size=16`.
    var summary: String {
        switch self {
        case .rollbackStack(let stack, _): return "roll stack \(stack) back"
        case .deleteStack(let stack, _): return "delete stack \(stack)"
        case .rerun(let step, let params, _):
            return "re-run \(step)" + (params.isEmpty ? "" : " with " + params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        case .run(let command): return "run `\(command)`"
        case .webhook(let url, _, _): return "POST to \(url)"
        case .person(let reason): return "call a person: \(reason)"
        }
    }
}
