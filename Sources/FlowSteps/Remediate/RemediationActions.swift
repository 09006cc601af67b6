import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// Carries out a decided action. Returns the outcome and a detail in words; an action that
/// cannot be done for a reason a person must look at is `needs-person`, one that was tried and
/// went wrong is `failed`.
struct RemediationActions {
    let context: StepContext
    let view: RunView
    let scope: RunbookScope

    func perform(_ action: RenderedAction, rule: RunbookRule, evidence: Evidence, decision: RemediationDecision) async -> (RemediationOutcome, String) {
        do {
            switch action {
            case .person(let reason):
                return (.needsPerson, reason)
            case .rerun(let step, let params, let max):
                return try rerun(step: step, params: params, max: max, rule: rule, evidence: evidence)
            case .run(let command):
                return try await run(command)
            case .webhook(let url, let headers, let body):
                return try await webhook(url: url, headers: headers, body: body, decision: decision)
            case .rollbackStack(let stack, let region):
                return try await StackRemediation(context: context).rollback(stack: stack, region: region)
            case .deleteStack(let stack, let region):
                return try await StackRemediation(context: context).delete(stack: stack, region: region)
            }
        } catch is CancellationError {
            return (.failed, "cancelled")
        } catch let error as StepError {
            return (.failed, error.message)
        } catch {
            return (.failed, "\(error)")
        }
    }

    /// Asks the engine to run `step` again after this pass, at most `max` times per rule over
    /// the run (counted in the audit table, so across passes and resumes).
    func rerun(step: String, params: [String: String], max: Int, rule: RunbookRule, evidence: Evidence) throws -> (RemediationOutcome, String) {
        let done = try view.audits().filter { $0.rule == rule.id && $0.outcome == RemediationOutcome.acted.rawValue }.count
        guard done < max else {
            return (.needsPerson, "rule \(rule.id) already re-ran \(step) \(done) time\(done == 1 ? "" : "s") in this run (max \(max))")
        }
        try RerunSeam.request(steps: [step], params: params, reason: "remediate: rule \(rule.id): \(evidence.summary)", context: context)
        let with = params.isEmpty ? "" : " with " + params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return (.acted, "re-run of \(step)\(with) requested (\(done + 1) of \(max)); it starts when this pass of the run ends")
    }

    /// Runs `command` as a `run:` step runs it: bash -eo pipefail, the step's environment, the
    /// log masked, and each `${{ }}` an environment variable (`FLOW_EXPR_n`), never shell text.
    func run(_ command: String) async throws -> (RemediationOutcome, String) {
        let substitution: ShellSubstitution
        do { substitution = try ShellSubstitution.substitute(command) } catch {
            throw StepError("the `run` command cannot take its expressions safely: \(error.message)", kind: .terminal)
        }
        var child = context
        for variable in substitution.variables {
            let value = try variable.expression.evaluate(in: scope.evaluationContext(for: [variable.expression]))
            child.environment[variable.name] = value.stringValue
            child.declaredEnvironment.append(variable.name)
        }
        let outcome = try await child.runStep("shell", inputs: .object([
            "script": .string(substitution.script), "shell": .string(ScriptShell.defaultShell),
        ]))
        return (.acted, "ran `\(command)`: exit \(outcome.exitCode ?? 0)")
    }

    /// POSTs JSON to `url` (the decision, or the rule's own `body`), masked; header values go as
    /// given (they may carry a token) and are never recorded.
    func webhook(url: String, headers: [(name: String, value: String)], body: ExpressionValue?,
                 decision: RemediationDecision) async throws -> (RemediationOutcome, String) {
        let shown = HTTPRequest(url: context.mask(url)).displayURL
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            return (.failed, "webhook URL \(shown) is not http(s)")
        }
        var payload = body ?? decision.json(run: context.runID, minConfidence: 0, dryRun: false)
        if body == nil, case .object(var o) = payload {
            o.removeValue(forKey: "min-confidence")
            o.removeValue(forKey: "dry-run")
            o.removeValue(forKey: "detail")
            o["outcome"] = .string(RemediationOutcome.acted.rawValue)
            o["step"] = .string(context.stepID)
            payload = .object(o)
        }
        let text = context.mask(payload.toJSON(pretty: false))
        var fields = HTTPHeaders()
        fields.set("Content-Type", "application/json")
        for (name, value) in headers { fields.set(name, value) }
        let request = HTTPRequest(method: "POST", url: url, headers: fields, body: .bytes(Data(text.utf8)),
                                  timeout: .seconds(30), maxRedirects: 0)
        let response: HTTPResponse
        do {
            response = try await context.network().http.send(request)
        } catch let error as StepError {
            throw error
        } catch {
            return (.failed, "webhook \(shown): \(context.mask("\(error)"))")
        }
        guard (200..<300).contains(response.status) else {
            return (.failed, "webhook \(shown) answered HTTP \(response.status)")
        }
        return (.acted, "POSTed to \(shown): HTTP \(response.status)")
    }
}
