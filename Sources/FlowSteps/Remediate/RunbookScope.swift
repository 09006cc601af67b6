import Foundation
import FlowCore
import FlowEngine

/// What a runbook's `${{ }}` read, with flow's own evaluator (the one a step's `with:` goes
/// through): the run's `params`, `env`, `run`, `pipeline`, `git` and `steps` as the engine had
/// them when the remediate step started, `evidence` (the failed step or the alarm a rule
/// decides about), and `secrets.NAME`, the environment variable NAME, which becomes one of the
/// run's secrets as it is read (masked in every log, row and report from then on).
struct RunbookScope {
    var values: [String: ExpressionValue]
    let environment: [String: String]
    let context: StepContext

    init(view: RunView, context: StepContext) {
        values = view.values
        environment = context.environment
        self.context = context
    }

    func with(_ evidence: Evidence) -> RunbookScope {
        var scope = self
        scope.values["evidence"] = evidence.value
        return scope
    }

    /// The context for `expressions`, with the secrets they name learnt first.
    func evaluationContext(for expressions: [FlowCore.Expression]) -> EvaluationContext {
        var secrets: [String: ExpressionValue] = [:]
        for expression in expressions {
            for reference in expression.references where reference.path.first == "secrets" && reference.path.count >= 2 {
                let name = reference.path[1]
                guard let value = environment[name] else { continue }
                context.addSecret(value)
                secrets[name] = .string(value)
            }
        }
        var values = self.values
        values["secrets"] = .object(secrets)
        return EvaluationContext(values: values, status: StatusContext(anyUpstreamFailed: true))
    }

    func render(_ template: Template) throws -> String {
        try template.render(in: evaluationContext(for: template.expressions.map(\.0)))
    }

    func evaluate(_ value: RunbookValue) throws -> ExpressionValue {
        try value.evaluate(in: evaluationContext(for: value.expressions))
    }
}

extension RunbookValue {
    var expressions: [FlowCore.Expression] {
        switch self {
        case .null, .bool, .number: []
        case .text(let t): t.expressions.map(\.0)
        case .list(let items): items.flatMap(\.expressions)
        case .mapping(let pairs): pairs.flatMap(\.1.expressions)
        }
    }
}
