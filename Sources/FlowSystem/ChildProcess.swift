import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs one short-lived program to completion and captures what it prints: a profile's
/// `credential_process`, `git rev-parse`, a container engine's `info`. Not for steps (those
/// stream their output through FlowEngine's runners).
///
/// - The program is found by ``ExecutableLookup`` in the `PATH` of the given environment, and
///   started by ``ChildSpawn`` with exactly that environment, standard input `/dev/null` and
///   every other descriptor closed, as the leader of a process group of its own.
/// - Standard output is kept up to a limit (``Output/outputTruncated`` says it was cut);
///   of standard error only the end is kept (where programs say why they failed). Both are
///   read to their end while the program runs, so a chatty program never stalls on a full pipe.
/// - At the timeout, or when the calling task is cancelled, the whole group is killed
///   (SIGKILL), so whatever the program started in it goes too, and ``Failure/timedOut(after:)``
///   or ``Failure/cancelled`` is thrown. The group is only ever signalled while its leader is
///   unreaped, so its id cannot have been reused by then.
///
/// The timeout is waited for by a `sleep` closure rather than FlowCore's `FlowClock`:
/// FlowSystem sits below every other target and depends on CFlowSystem only (FlowCore brings
/// Yams and Foundation with it). Callers holding a clock pass `{ try await clock.sleep(for: $0) }`;
/// a test's manual clock then decides when the timeout comes. The closure must throw when its
/// task is cancelled (as `Task.sleep` does), or `run` waits for it to return.
public enum ChildProcess {
    /// How a finished program ended and what it printed.
    public struct Output: Sendable, Hashable {
        /// The exit status, or nil when a signal ended it (see ``signal``).
        public var exitStatus: Int32?
        /// The signal that ended it, or nil when it exited.
        public var signal: Int32?
        /// Standard output, at most the `outputLimit` given to ``ChildProcess/run(_:environment:directory:timeout:outputLimit:errorLimit:sleep:)``.
        public var standardOutput: [UInt8]
        /// The end of standard error: its last `errorLimit` bytes at most.
        public var standardError: [UInt8]
        /// Standard output was longer than the limit and was cut.
        public var outputTruncated: Bool

        /// Creates an output record (the runner's, or a test's).
        public init(exitStatus: Int32?, signal: Int32?, standardOutput: [UInt8], standardError: [UInt8], outputTruncated: Bool) {
            self.exitStatus = exitStatus
            self.signal = signal
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.outputTruncated = outputTruncated
        }

        /// Whether it exited with status 0.
        public var succeeded: Bool { exitStatus == 0 }
        /// Standard output decoded as UTF-8 (invalid bytes replaced).
        public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
        /// Standard error's kept end decoded as UTF-8 (invalid bytes replaced).
        public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// Why a program did not run to completion. The description names the program, never its
    /// arguments or environment.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The command cannot be passed to a program: no program, or a NUL byte or a bad
        /// environment variable name.
        case invalidCommand(reason: String)
        /// The program was not found or cannot be executed.
        case lookup(ExecutableLookupError)
        /// The operating system refused to start it (the reason is its error text).
        case spawnFailed(path: String, reason: String)
        /// It was still running at the timeout; its process group was killed.
        case timedOut(after: Duration)
        /// The calling task was cancelled; its process group was killed.
        case cancelled

        /// What went wrong, naming the program.
        public var description: String {
            switch self {
            case .invalidCommand(let reason): "cannot run the command: \(reason)"
            case .lookup(let error): error.description
            case .spawnFailed(let path, let reason): "could not start '\(path)': \(reason)"
            case .timedOut(let timeout): "did not finish within \(timeout) and was killed"
            case .cancelled: "cancelled; the process was killed"
            }
        }
    }

    /// How much standard output ``run(_:environment:directory:timeout:outputLimit:errorLimit:sleep:)`` keeps unless told otherwise (1 MiB).
    public static let defaultOutputLimit = 1 << 20
    /// How much of the end of standard error it keeps unless told otherwise (16 KiB).
    public static let defaultErrorLimit = 16 << 10

    /// Runs `command[0]` (looked up on the `PATH` of `environment` when it has no `/`; argv[0]
    /// is the word as given) with the rest as its arguments and exactly `environment`, in
    /// `directory` (nil: ours), until it exits, `timeout` passes on `sleep` (nil: no limit) or
    /// the calling task is cancelled.
    public static func run(
        _ command: [String], environment: [String: String], directory: String? = nil, timeout: Duration?,
        outputLimit: Int = defaultOutputLimit, errorLimit: Int = defaultErrorLimit,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws(Failure) -> Output {
        guard let program = command.first else { throw .invalidCommand(reason: "no program given") }
        try check(command, environment: environment)
        let path: String
        do {
            path = try ExecutableLookup.resolve(program, environment: environment, relativeTo: directory)
        } catch {
            throw .lookup(error)
        }
        if Task.isCancelled { throw .cancelled }
        let child = try RunningChild.start(path, Array(command.dropFirst()), name: program, environment: environment,
                                           directory: directory)
        let limits = (output: max(0, outputLimit), error: max(0, errorLimit))
        let output = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self, returning: Output.self) { group in
                if let timeout {
                    group.addTask {
                        do {
                            try await sleep(timeout)
                            child.stop(.timedOut)
                        } catch {
                            // Cancelled because the program ended first (or the caller was cancelled).
                        }
                    }
                }
                let output = await withCheckedContinuation { continuation in
                    // `collect` blocks in poll(2) and waitid(2): off the cooperative pool.
                    DispatchQueue.global().async {
                        continuation.resume(returning: child.collect(outputLimit: limits.output, errorLimit: limits.error))
                    }
                }
                group.cancelAll()
                return output
            }
        } onCancel: {
            child.stop(.cancelled)
        }
        switch child.stopReason {
        case .timedOut?: throw .timedOut(after: timeout ?? .zero)
        case .cancelled?: throw .cancelled
        case nil: return output
        }
    }

    /// Refuses what `execve` cannot carry: NUL bytes, and environment names that are empty or hold `=`.
    private static func check(_ command: [String], environment: [String: String]) throws(Failure) {
        if command.contains(where: { $0.utf8.contains(0) }) {
            throw .invalidCommand(reason: "an argument contains a NUL byte")
        }
        for (name, value) in environment {
            guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "=")), !name.utf8.contains(0) else {
                throw .invalidCommand(reason: "environment variable names must be non-empty and contain no '=' or NUL")
            }
            guard !value.utf8.contains(0) else {
                throw .invalidCommand(reason: "the value of environment variable \(name) contains a NUL byte")
            }
        }
    }
}
