import Foundation
import FlowCore
import FlowEngine

/// A step type for engine tests that starts no process: each attempt of a step does what the
/// script says for it (succeed with outputs, fail retryably or for good, or wait until it is
/// cancelled), and every attempt is recorded. Registered as `fake`.
public struct FakeStepType: StepType {
    public struct Input: Decodable, Sendable {}

    public enum Behaviour: Sendable, Hashable {
        case succeed([String: String])
        case fail(String, retryable: Bool, exitCode: Int32?)
        /// Waits until the attempt is cancelled (run cancelled, timeout, `fail-fast`).
        case waitUntilCancelled
    }

    public let script: FakeScript

    public init(script: FakeScript) { self.script = script }

    public var signature: StepTypeSignature {
        StepTypeSignature(name: "fake", summary: "a scripted step for tests", outputs: .openEnded([], because: "scripted"))
    }

    public func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
        switch script.next(for: context.stepID, attempt: context.attempt) {
        case .succeed(let outputs):
            return StepOutcome(outputs: outputs, exitCode: 0)
        case .fail(let message, let retryable, let exitCode):
            throw StepError(message, kind: retryable ? .retryable : .terminal, exitCode: exitCode)
        case .waitUntilCancelled:
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    script.park(continuation, for: context.stepID)
                }
            } onCancel: {
                script.release(context.stepID)
            }
            throw CancellationError()
        }
    }

    /// The built-in types plus `fake`.
    public static func registry(_ script: FakeScript) -> StepRegistry {
        var registry = StepRegistry.builtins
        registry.register(FakeStepType(script: script))
        return registry
    }
}

/// What each step's attempts do (the last behaviour repeats), and what was asked of them.
public final class FakeScript: @unchecked Sendable {
    private let lock = NSLock()
    private var behaviours: [String: [FakeStepType.Behaviour]]
    private var calls: [(step: String, attempt: Int)] = []
    private var parked: [String: CheckedContinuation<Void, any Error>] = [:]

    public init(_ behaviours: [String: [FakeStepType.Behaviour]] = [:]) { self.behaviours = behaviours }

    func next(for step: String, attempt: Int) -> FakeStepType.Behaviour {
        lock.withLock {
            calls.append((step, attempt))
            let list = behaviours[step] ?? [.succeed([:])]
            let tries = calls.filter { $0.step == step }.count
            return list[min(tries, list.count) - 1]
        }
    }

    func park(_ continuation: CheckedContinuation<Void, any Error>, for step: String) {
        lock.withLock { parked[step] = continuation }
    }

    func release(_ step: String) {
        let continuation = lock.withLock { parked.removeValue(forKey: step) }
        continuation?.resume(throwing: CancellationError())
    }

    /// Steps waiting to be cancelled now.
    public var waiting: Set<String> { lock.withLock { Set(parked.keys) } }

    /// Every attempt started, in order, as `step#attempt`.
    public var attempts: [String] { lock.withLock { calls.map { "\($0.step)#\($0.attempt)" } } }
}

/// A process runner for engine tests that starts nothing: each run answers with the outcome
/// scripted for the command's last argument, its executable or `*` (the last reply
/// repeats), writing its output to the step's log, and every spec is recorded.
public final class ScriptedRunner: ProcessRunner, @unchecked Sendable {
    public struct Reply: Sendable {
        public var output: String
        public var termination: ProcessTermination

        public init(output: String = "", exit: Int32 = 0) {
            self.output = output
            termination = .exited(exit)
        }
    }

    private let lock = NSLock()
    private var replies: [String: [Reply]]
    private var asked: [ProcessSpec] = []

    public init(_ replies: [String: [Reply]] = [:]) { self.replies = replies }

    public func run(_ spec: ProcessSpec, output: OutputHandler) async throws -> ProcessOutcome {
        let key = spec.arguments.last ?? spec.executable
        let reply = lock.withLock { () -> Reply in
            asked.append(spec)
            let list = replies[key] ?? replies[spec.executable] ?? replies["*"] ?? [Reply()]
            let seen = asked.filter { ($0.arguments.last ?? $0.executable) == key }.count
            return list[min(seen, list.count) - 1]
        }
        if !reply.output.isEmpty { await output(ArraySlice(Array(reply.output.utf8))) }
        return ProcessOutcome(termination: reply.termination)
    }

    /// Every spec asked for, in order.
    public var specs: [ProcessSpec] { lock.withLock { asked } }
}
