import Foundation
import FlowCore

/// A step type: a name and signature (for validation and `flow steps`), a `Decodable` input
/// decoded from the step's evaluated `with:` values, and the work itself.
public protocol StepType: Sendable {
    associatedtype Input: Decodable & Sendable
    var signature: StepTypeSignature { get }
    /// The type's name, known without making its signature (which may cost: see ``StepCatalog``).
    var typeName: String { get }
    /// Whether the type reads the run's expression values through ``RunView/values`` (`remediate`'s
    /// runbooks do); only then are they handed to it.
    static var readsRunValues: Bool { get }
    /// Whether the type uses its step folder (``StepContext/stepDirectory``); only then is the
    /// folder made before an attempt starts. Otherwise it is made with the first byte of the
    /// attempt's log, if any: a `mkdir` on the state's disk is a large share of a short step.
    static var usesStepDirectory: Bool { get }
    func run(_ input: Input, context: StepContext) async throws -> StepOutcome
    /// What a memoized step's key (`cache:`) holds of this type besides the step's inputs: its
    /// version (a change of the type's code is a new key) and the files and folders its result
    /// depends on (a folder stands for every file in it), relative paths from the step's
    /// working directory. `build`: its context and Dockerfile. `input` decodes the step's
    /// inputs (nil when they do not fit), only for a type that asks.
    func cacheKey(workingDirectory: String, input: () -> Input?) -> StepTypeCacheKey
}

/// What a step type puts in a memoized step's key (``StepType/cacheKey(_:workingDirectory:)``).
public struct StepTypeCacheKey: Sendable, Hashable {
    public var version: String
    public var files: [String]

    public init(version: String = FlowVersion.current, files: [String] = []) {
        self.version = version
        self.files = files
    }
}

extension StepType {
    /// Built-in types are versioned with flow and depend on nothing but their inputs unless they say so.
    public func cacheKey(workingDirectory: String, input: () -> Input?) -> StepTypeCacheKey { StepTypeCacheKey() }
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
    /// Checks validation runs on the files literal path inputs name (``InputFileCheck``).
    static var fileChecks: [String: InputFileCheck] { get }
}

extension StepType {
    public var typeName: String { signature.name }
    public static var readsRunValues: Bool { false }
    public static var usesStepDirectory: Bool { true }
}

extension BuiltinStepType {
    public var typeName: String { Self.name }
    public static var script: StepTypeSignature.ScriptInputs? { nil }
    public static var fileChecks: [String: InputFileCheck] { [:] }

    public var signature: StepTypeSignature {
        var inputs = InputSchema.fields(of: Input.self)
        if let script = Self.script, let i = inputs.firstIndex(where: { $0.name == script.script }) {
            inputs[i].kind = .script
        }
        var signature = StepTypeSignature(name: Self.name, summary: Self.summary, inputs: inputs, outputs: Self.outputs,
                                          script: Self.script, example: Self.example)
        signature.fileChecks = Self.fileChecks
        return signature
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
/// be tried again under the retry policy; terminal ones (bad input, auth) are not; `again` says
/// the step changed what it runs on (autofix-retry applied a fix) and must run again at once, as
/// a new attempt that neither waits nor counts against `retry:` (the step bounds its own rounds).
public struct StepError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case retryable, terminal, again }

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
/// process runner, the clock, the services its type needs (``resources``), a place for
/// artifacts, the run's secrets, and a way to run another step type. Nothing else of the world.
public struct StepContext: Sendable {
    public var runID: String
    public var stepID: String
    public var attempt: Int
    public var workingDirectory: String
    /// The complete environment for child processes.
    public var environment: [String: String]
    /// A folder of this attempt's own (its `$FLOW_OUTPUT` file, artifacts, reports), removed
    /// when the attempt ends.
    public var attemptDirectory: String
    /// The step's folder in the run's state (`<state>/<run>/<step>`): kept across attempts and
    /// resumes, for what a step carries from one attempt to the next (autofix-retry's rounds).
    /// It exists when the attempt starts, unless the type says it does not use it
    /// (``StepType/usesStepDirectory``).
    public var stepDirectory: String
    /// This attempt's log file (masked as written), for a step that reads a failed attempt's log.
    public var logPath: String
    /// The run's image map (`images:` of the pipeline, its profile and `--image`): an image name
    /// a pipeline gives → the image to use instead. Container steps apply it and say so in the log.
    public var images: [String: String]
    /// The commit the run builds (`git.sha`), when known.
    public var gitSHA: String?
    /// The names of the variables of ``environment`` the pipeline set (its `env:`, the step's,
    /// `secrets:`, the script's `FLOW_EXPR_n`, `FLOW_RUN_ID`, `FLOW_STEP`), as opposed to what flow
    /// inherited: what a step running in a container passes into it.
    public var declaredEnvironment: [String]
    /// The folder the run works in (relative step paths start here; `working-directory` is under it).
    public var workspace: String
    public var timeout: Duration?
    public var gracePeriod: Duration
    /// The tag that marks this attempt's processes (`FLOW_STEP_ID`).
    public var marker: String
    public var processRunner: any ProcessRunner
    public var clock: any EngineClock
    public var log: StepLog
    /// Services by key (``StepResources``): FlowSteps reads its HTTP and AWS clients here.
    public var resources: StepResources
    /// Files the step keeps after the run (reports, patches), recorded with the run.
    public var artifacts: ArtifactStore
    let secrets: RunSecrets
    let registry: StepRegistry
    /// The run's rerun requests (``requestRerun(_:)``); nil outside a run's coordinator.
    var reruns: RerunLedger?

    public init(runID: String, stepID: String, attempt: Int, workingDirectory: String, environment: [String: String],
                attemptDirectory: String, timeout: Duration?, gracePeriod: Duration, marker: String,
                processRunner: any ProcessRunner, clock: any EngineClock, log: StepLog, resources: StepResources,
                artifacts: ArtifactStore, secrets: RunSecrets, registry: StepRegistry,
                stepDirectory: String = "", logPath: String = "", images: [String: String] = [:], gitSHA: String? = nil,
                declaredEnvironment: [String] = [], workspace: String? = nil) {
        self.gitSHA = gitSHA
        self.declaredEnvironment = declaredEnvironment
        self.workspace = workspace ?? workingDirectory
        self.stepDirectory = stepDirectory
        self.logPath = logPath
        self.images = images
        self.runID = runID
        self.stepID = stepID
        self.attempt = attempt
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.attemptDirectory = attemptDirectory
        self.timeout = timeout
        self.gracePeriod = gracePeriod
        self.marker = marker
        self.processRunner = processRunner
        self.clock = clock
        self.log = log
        self.resources = resources
        self.artifacts = artifacts
        self.secrets = secrets
        self.registry = registry
    }

    /// Adds a value learnt at run time (a registry token, a session password) to the run's
    /// secrets: from now on every log, output, error and artifact masks it.
    public func addSecret(_ value: String) {
        secrets.learn([value])
    }

    /// Masks the run's secrets in `text` (for messages a step builds from what it read).
    public func mask(_ text: String) -> String { secrets.mask(text) }

    /// Runs another step type within this attempt (for wrappers such as `autofix-retry`): same
    /// log, folders, timeout and resources; its inputs checked and coerced as any step's are.
    public func runStep(_ type: String, inputs: ExpressionValue) async throws -> StepOutcome {
        try await registry.run(type, inputs: inputs, context: self)
    }

    /// The signature of a registered step type (for wrappers that check what they wrap).
    public func signature(of type: String) -> StepTypeSignature? { registry.catalog[type] }

    /// Runs a process for this attempt: output into the step log, timeout and marker applied.
    /// A non-zero exit, a signal or a timeout is thrown as a retryable `StepError`.
    @discardableResult
    public func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessOutcome {
        try await runProcess(executable, arguments, environment: extra, capture: nil)
    }

    /// Runs a process as ``runProcess(_:_:environment:)`` does and also hands back its output
    /// (stdout and stderr together, as the log has them; the last `limit` bytes), for a step that
    /// parses what a tool printed. A failed exit is thrown, with the output still in the log.
    public func captureProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                               limit: Int = 4 << 20) async throws -> CapturedProcess {
        let buffer = CaptureBuffer(limit: limit)
        let outcome = try await runProcess(executable, arguments, environment: extra, capture: buffer)
        return CapturedProcess(outcome: outcome, output: buffer.bytes)
    }

    private func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String],
                            capture: CaptureBuffer?) async throws -> ProcessOutcome {
        let spec = ProcessSpec(executable: executable, arguments: arguments,
                               environment: environment.merging(extra) { _, new in new },
                               workingDirectory: workingDirectory, marker: marker, timeout: timeout, gracePeriod: gracePeriod)
        let log = self.log
        let outcome: ProcessOutcome
        do {
            outcome = try await processRunner.run(spec) { chunk in
                log.write(chunk)
                capture?.append(chunk)
            }
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

    /// The attempt's last `n` lines so far, masked (what a wrapper reads to classify a failure).
    public func tail(lines n: Int) -> [String] { writer.tail(lines: n) }
}

/// What ``StepContext/captureProcess(_:_:environment:limit:)`` hands back.
public struct CapturedProcess: Sendable {
    public var outcome: ProcessOutcome
    /// The last bytes of stdout and stderr together, unmasked (the log has the masked copy).
    public var output: [UInt8]
    public var text: String { String(decoding: output, as: UTF8.self) }
}

/// Keeps the last `limit` bytes a process wrote. One process writes it, from the runner's
/// output handler, which is called one chunk at a time; the lock covers the read after it ends.
final class CaptureBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    let limit: Int

    init(limit: Int) { self.limit = max(limit, 0) }

    func append(_ chunk: ArraySlice<UInt8>) {
        lock.withLock {
            storage.append(contentsOf: chunk)
            if storage.count > limit * 2 { storage.removeFirst(storage.count - limit) }
        }
    }

    var bytes: [UInt8] {
        lock.withLock { storage.count > limit ? Array(storage.suffix(limit)) : storage }
    }
}
