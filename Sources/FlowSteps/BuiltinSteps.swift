import FlowCore
import FlowEngine

/// The one list of flow's built-in step types. Validation reads their signatures from the
/// registry this fills, and the engine runs them from it; nothing else names them.
public enum BuiltinSteps {
    public static func register(into registry: inout StepRegistry) {
        registry.register(ShellStep())
        registry.register(AnalyzeStep())
        registry.register(BuildStep())
        registry.register(PushStep())
        registry.register(SmokeTestStep())
        registry.register(AutofixRetryStep())
        registry.register(DeployStackStep())
        registry.register(HealthCheckStep())
        registry.register(RemediateStep())
    }

    /// A registry holding the built-ins (user step types are added to it by the caller).
    public static var registry: StepRegistry {
        var registry = StepRegistry()
        register(into: &registry)
        return registry
    }
}
