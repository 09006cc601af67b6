import Foundation
import FlowCore

/// A step type: a name and signature (for validation and `flow steps`), a `Decodable` input
/// decoded from the step's evaluated `with:` values, and the work itself.
public protocol StepType: Sendable {
    associatedtype Input: Decodable & Sendable
    var signature: StepTypeSignature { get }
    func run(_ input: Input, context: StepContext) async throws -> StepOutcome
}

/// A step type built into flow: its typed input is its schema (``StepInputSchema``), so its
/// signature is derived, never written twice.
public protocol BuiltinStepType: StepType where Input: StepInputSchema {
    static var name: String { get }
    static var summary: String { get }
    static var outputs: StepTypeSignature.Outputs { get }
    /// Set by types that take a script whose expressions become variables (`shell`).
    static var script: StepTypeSignature.ScriptInputs? { get }
    /// A step using the type, as YAML under `steps:`, for `flow steps TYPE`.
    static var example: String { get }
}

extension BuiltinStepType {
    public static var script: StepTypeSignature.ScriptInputs? { nil }

    public var signature: StepTypeSignature {
        var inputs = InputSchema.fields(of: Input.self)
        if let script = Self.script, let i = inputs.firstIndex(where: { $0.name == script.script }) {
            inputs[i].kind = .script
        }
        return StepTypeSignature(name: Self.name, summary: Self.summary, inputs: inputs, outputs: Self.outputs,
                                 script: Self.script, example: Self.example)
    }
}

/// What a finished attempt produced.
public struct StepOutcome: Sendable, Hashable {
    public var outputs: [String: String]
    public var exitCode: Int32?

    public init(outputs: [String: String] = [:], exitCode: Int32? = nil) {
        self.outputs = outputs
        self.exitCode = exitCode
    }
}

/// A failed attempt, classified: retryable errors (a non-zero exit, network, throttling) may
/// be tried again under the retry policy; terminal ones (bad input, auth) are not.
public struct StepError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case retryable, terminal }

    public var message: String
    public var kind: Kind
    public var exitCode: Int32?
    /// The attempt ended because its timeout passed.
    public var timedOut: Bool

    public init(_ message: String, kind: Kind = .retryable, exitCode: Int32? = nil, timedOut: Bool = false) {
        self.message = message
        self.kind = kind
        self.exitCode = exitCode
        self.timedOut = timedOut
    }

    public var description: String { message }
}

/// Everything a step attempt is given: who it is, where to work, its environment, a log, the
/// process runner and the clock. Nothing else of the world.
public struct StepContext: Sendable {
    public var runID: String
    public var stepID: String
    public var attempt: Int
    public var workingDirectory: String
    /// The complete environment for child processes.
    public var environment: [String: String]
    /// A folder of this attempt's own (its `$FLOW_OUTPUT` file, artifacts, reports).
    public var attemptDirectory: String
    public var timeout: Duration?
    public var gracePeriod: Duration
    /// The tag that marks this attempt's processes (`FLOW_STEP_ID`).
    public var marker: String
    public var processRunner: any ProcessRunner
    public var clock: any EngineClock
    public var log: StepLog

    /// Runs a process for this attempt: output into the step log, timeout and marker applied.
    /// A non-zero exit, a signal or a timeout is thrown as a retryable `StepError`.
    public func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessOutcome {
        let spec = ProcessSpec(executable: executable, arguments: arguments,
                               environment: environment.merging(extra) { _, new in new },
                               workingDirectory: workingDirectory, marker: marker, timeout: timeout, gracePeriod: gracePeriod)
        let log = self.log
        let outcome: ProcessOutcome
        do {
            outcome = try await processRunner.run(spec) { chunk in log.write(chunk) }
        } catch {
            throw StepError("cannot start \(executable): \(error)", kind: .terminal)
        }
        if outcome.cancelled { throw CancellationError() }
        if outcome.timedOut {
            throw StepError("timed out after \(Self.describe(timeout))", kind: .retryable, timedOut: true)
        }
        switch outcome.termination {
        case .exited(0): return outcome
        case .exited(let code): throw StepError("exited with code \(code)", exitCode: code)
        case .signaled(let signal): throw StepError("killed by signal \(signal)", exitCode: 128 + signal)
        }
    }

    static func describe(_ duration: Duration?) -> String {
        guard let duration else { return "no limit" }
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return DurationValue(milliseconds: ms).description
    }
}

/// The attempt's log: masked, bounded, and the source of the terminal's last line.
public struct StepLog: Sendable {
    let writer: StepLogWriter

    public init(_ writer: StepLogWriter) { self.writer = writer }

    public func write(_ bytes: some Collection<UInt8>) {
        // A log that cannot be written must not kill the step; the error surfaces at close.
        try? writer.write(bytes)
    }

    /// A line of flow's own about this attempt (`▸ retrying in 5s`), masked like the rest.
    public func note(_ text: String) {
        write(Array(("flow: " + text + "\n").utf8))
    }
}
