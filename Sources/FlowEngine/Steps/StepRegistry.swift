import Foundation
import FlowCore

/// Every step type the engine can run, by name. Built-ins and user step types register the
/// same way; nothing else switches over type names.
public struct StepRegistry: Sendable {
    private var runners: [String: @Sendable (ExpressionValue, StepContext) async throws -> StepOutcome] = [:]
    public private(set) var catalog = StepCatalog()

    public init() {}

    /// The registry with flow's built-in step types.
    public static var builtins: StepRegistry {
        var registry = StepRegistry()
        registry.register(ShellStep())
        return registry
    }

    public mutating func register<T: StepType>(_ type: T) {
        catalog.register(type.signature)
        runners[type.signature.name] = { inputs, context in
            let input: T.Input
            do {
                input = try JSONDecoder().decode(T.Input.self, from: Data(inputs.toJSON(pretty: false).utf8))
            } catch {
                throw StepError("inputs of `\(type.signature.name)` do not fit: \(error)", kind: .terminal)
            }
            return try await type.run(input, context: context)
        }
    }

    /// Runs step type `name` with its evaluated `with:` values as a JSON-like object.
    public func run(_ name: String, inputs: ExpressionValue, context: StepContext) async throws -> StepOutcome {
        guard let runner = runners[name] else { throw StepError("unknown step type `\(name)`", kind: .terminal) }
        return try await runner(inputs, context)
    }
}
