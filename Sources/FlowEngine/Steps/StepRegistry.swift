import Foundation
import FlowCore

/// Every step type the engine can run, by name. Built-ins and user step types register the
/// same way; nothing else switches over type names.
public struct StepRegistry: Sendable {
    private var runners: [String: @Sendable (ExpressionValue, StepContext) async throws -> StepOutcome] = [:]
    private var keys: [String: @Sendable (ExpressionValue, String) -> StepTypeCacheKey] = [:]
    public private(set) var catalog = StepCatalog()
    /// The types whose ``StepType/readsRunValues`` is true.
    private var readersOfRunValues: Set<String> = []
    /// The types whose ``StepType/usesStepDirectory`` is false.
    private var withoutStepDirectory: Set<String> = []

    public init() {}

    /// Registers `type`; its signature is made when first asked for (``StepCatalog``).
    public mutating func register<T: StepType>(_ type: T) {
        let name = type.typeName
        catalog.register(name: name) { type.signature }
        if T.readsRunValues { readersOfRunValues.insert(name) }
        if !T.usesStepDirectory { withoutStepDirectory.insert(name) }
        let catalog = self.catalog
        runners[name] = { inputs, context in
            try await type.run(try Self.input(T.self, catalog[name]!, inputs).get(), context: context)
        }
        keys[name] = { inputs, workingDirectory in
            type.cacheKey(workingDirectory: workingDirectory) { try? Self.input(T.self, catalog[name]!, inputs).get() }
        }
    }

    /// A type's typed input from a step's evaluated `with:` values, or why they do not fit.
    private static func input<T: StepType>(_: T.Type, _ signature: StepTypeSignature, _ inputs: ExpressionValue) -> Result<T.Input, StepError> {
        switch signature.prepare(inputs) {
        case .success(let prepared):
            do {
                return .success(try JSONDecoder().decode(T.Input.self, from: Data(prepared.toJSON(pretty: false).utf8)))
            } catch {
                return .failure(StepError("inputs of `\(signature.name)` do not fit: \(DecodingProblem.describe(error))", kind: .terminal))
            }
        case .failure(let problem):
            return .failure(StepError(problem.message, kind: .terminal))
        }
    }

    /// What step type `name` puts in a memoized step's key, given the step's evaluated inputs.
    public func cacheKey(_ name: String, inputs: ExpressionValue, workingDirectory: String) -> StepTypeCacheKey? {
        keys[name]?(inputs, workingDirectory)
    }

    /// Whether step type `name` reads the run's expression values (``RunView/values``).
    public func readsRunValues(_ name: String) -> Bool { readersOfRunValues.contains(name) }

    /// Whether step type `name` uses its step folder, made before each attempt (``StepType/usesStepDirectory``).
    public func usesStepDirectory(_ name: String) -> Bool { !withoutStepDirectory.contains(name) }

    /// The names of every registered type.
    public var names: Set<String> { Set(catalog.names) }

    /// Runs step type `name` with its evaluated `with:` values as a JSON-like object.
    public func run(_ name: String, inputs: ExpressionValue, context: StepContext) async throws -> StepOutcome {
        guard let runner = runners[name] else { throw StepError("unknown step type `\(name)`", kind: .terminal) }
        return try await runner(inputs, context)
    }
}

/// A `DecodingError` told the way a person reads it: the input's path and what was wrong,
/// never the value (it may be a secret).
enum DecodingProblem {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? "the inputs" : "input `\(keys)`"
        }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)) has the wrong kind of value"
        case .keyNotFound(let key, let c): return "\(path(c)) lacks `\(key.stringValue)`"
        case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
