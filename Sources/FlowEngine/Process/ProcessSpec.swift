/// What to run: one attempt of one step, as a child process.
///
/// The child gets exactly `environment` (nothing is inherited implicitly) plus
/// `FLOW_STEP_ID=<marker>`, which the runner uses to find descendants that left the
/// child's process group. Values are never logged or put on a command line by the runner.
public struct ProcessSpec: Sendable, Hashable {
    /// An absolute path, a path relative to `workingDirectory` (when it contains a `/`),
    /// or a bare name looked up in the `PATH` of `environment` (default `/usr/bin:/bin`).
    public var executable: String
    /// The arguments after `argv[0]` (which is the resolved executable path).
    public var arguments: [String]
    /// The complete environment of the child; nothing is inherited implicitly.
    public var environment: [String: String]
    /// The child's working directory; `nil` keeps the current directory of this process.
    public var workingDirectory: String?
    /// A unique tag (e.g. "run-id/step-id/attempt") put into the child's environment as FLOW_STEP_ID; used to find
    /// and kill descendants that escaped the process group (setsid, double fork) by scanning /proc/*/environ.
    /// It wins over a `FLOW_STEP_ID` in `environment` and must not be empty.
    public var marker: String
    /// The wall-clock limit of the attempt; `nil` means no limit.
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL when the attempt is stopped.
    public var gracePeriod: Duration

    /// Creates a spec; see the properties for what each value means.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        workingDirectory: String? = nil,
        marker: String,
        timeout: Duration? = nil,
        gracePeriod: Duration = .seconds(5)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.marker = marker
        self.timeout = timeout
        self.gracePeriod = gracePeriod
    }
}

/// How the direct child ended.
public enum ProcessTermination: Sendable, Hashable {
    /// It called `exit` with this status.
    case exited(Int32)
    /// It was ended by this signal.
    case signaled(Int32)
}

/// The result of one run: how the child ended and what the runner had to do about it.
public struct ProcessOutcome: Sendable, Hashable {
    /// How the direct child ended.
    public var termination: ProcessTermination
    /// We stopped it because `timeout` passed.
    public var timedOut: Bool
    /// We stopped it because the calling Task was cancelled.
    public var cancelled: Bool
    /// Descendants found by marker after the child ended, and killed.
    public var strayProcessesKilled: Int

    /// Creates an outcome (mostly for test doubles of ``ProcessRunner``).
    public init(termination: ProcessTermination, timedOut: Bool = false, cancelled: Bool = false, strayProcessesKilled: Int = 0) {
        self.termination = termination
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.strayProcessesKilled = strayProcessesKilled
    }
}

/// Receives the child's combined stdout+stderr, in the order the child wrote it (ONE pipe shared as fd 1 and fd 2),
/// in chunks of at most 64 KiB. The runner awaits it before handing over more (back-pressure).
public typealias OutputHandler = @Sendable (ArraySlice<UInt8>) async -> Void

/// Runs step attempts as child processes.
public protocol ProcessRunner: Sendable {
    /// Runs to completion (or timeout/cancellation). Throws only when the process could not be started
    /// (executable not found, not executable, bad working directory) with an error whose description says which.
    func run(_ spec: ProcessSpec, output: OutputHandler) async throws -> ProcessOutcome
}
