import FlowEngine

/// The one place `remediate` asks the engine to run steps of this run again (`flow retry`
/// semantics, after the run's current pass ends): ``StepContext/requestRerun(_:)``.
enum RerunSeam {
    /// Records the request; throws the engine's terminal error for an unknown step or param.
    static func request(steps: [String], params: [String: String], reason: String, context: StepContext) throws {
        try context.requestRerun(RerunRequest(steps: steps, params: params, reason: reason))
    }
}
