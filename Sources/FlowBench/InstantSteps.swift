import FlowCore
import FlowEngine

/// A process runner whose processes exit 0 at once, printing nothing: what is left of a step
/// is the engine's own work.
struct InstantRunner: ProcessRunner {
    func run(_ spec: ProcessSpec, output: OutputHandler) async throws -> ProcessOutcome {
        ProcessOutcome(termination: .exited(0))
    }
}

/// `uses: noop`: a step type that returns at once, registered like any other.
struct NoopStep: StepType {
    struct Input: Decodable, Sendable {}

    var signature: StepTypeSignature { StepTypeSignature(name: "noop", summary: "Returns at once (flow-bench).") }

    func run(_ input: Input, context: StepContext) async throws -> StepOutcome { StepOutcome(exitCode: 0) }
}
