import FlowCore
import FlowEngine
import FlowHTTP

/// The `environmentVariablesOverride` of a step's build: the variables the pipeline set for the
/// step (its `env:`, the step's, the script's `FLOW_EXPR_n`, `FLOW_RUN_ID`, `FLOW_STEP`) as
/// `PLAINTEXT`, and every secret as `PARAMETER_STORE` or `SECRETS_MANAGER` from
/// `runs-on.codebuild.secrets`. A value that holds a secret is never sent as text: a variable
/// whose value the run masks and that has no source is refused, before any call.
enum CodeBuildEnvironment {
    static func variables(context: StepContext, secrets: [String: String]) throws -> [CodeBuildClient.EnvironmentVariable] {
        var sources: [String: CodeBuildSecretSource] = [:]
        for (name, text) in secrets {
            guard let source = CodeBuildSecretSource(text) else {
                throw StepError(Messages.runsOnSecretReference(name, text), kind: .terminal)
            }
            sources[name] = source
        }
        var variables: [CodeBuildClient.EnvironmentVariable] = []
        for name in Set(context.declaredEnvironment).union(sources.keys).sorted() {
            if name.hasPrefix("CODEBUILD_") {
                throw StepError("variable `\(name)` cannot be passed to CodeBuild: names starting with CODEBUILD_ are CodeBuild's own; rename it",
                                kind: .terminal)
            }
            switch sources[name] {
            case .parameterStore(let parameter)?:
                variables.append(.init(name: name, value: parameter, type: .parameterStore))
            case .secretsManager(let reference)?:
                variables.append(.init(name: name, value: reference, type: .secretsManager))
            case CodeBuildSecretSource.none?:
                continue
            case nil:
                guard let value = context.environment[name] else { continue }
                if context.mask(value) != value {
                    throw StepError("variable `\(name)` holds a secret value and would reach CodeBuild as plain text; give it a source under `runs-on.codebuild.secrets` (`\(name): parameter-store:/PATH`), or `\(name): none` to leave it out",
                                    kind: .terminal)
                }
                variables.append(.init(name: name, value: value, type: .plaintext))
            }
        }
        return variables
    }
}
