import FlowEngine

/// The one place `remediate` asks the engine to run steps of this run again (`flow retry`
/// semantics, after the run's current pass ends).
enum RerunSeam {
    /// Whether this build of flow can re-run a step from inside a run.
    static let available = false

    /// Records the request; throws the engine's terminal error for an unknown step or param.
    static func request(steps: [String], params: [String: String], reason: String, context: StepContext) throws {
        throw StepError("this build of flow cannot re-run a step from inside a run", kind: .terminal)
    }
}
