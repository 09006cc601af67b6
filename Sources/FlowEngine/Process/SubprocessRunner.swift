import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The portable ``ProcessRunner``, built on swift-subprocess: runs each attempt as a child
/// process in its own session (so it leads a new process group), with stdin from /dev/null and
/// stdout and stderr sharing one pipe. flow uses it where ``SpawnRunner`` cannot run (a kernel
/// without pidfds, see ``ProcessRunners/standard``); both pass the same process tests.
///
/// - Timeout or cancellation of the calling task: SIGTERM to the group, up to `gracePeriod`
///   for it to end, SIGKILL to the group.
/// - Then, in every case: every process whose environment carries `FLOW_STEP_ID=<marker>`
///   (descendants that escaped the group with `setsid` or a double fork, or were left behind)
///   is SIGKILLed and counted in ``ProcessOutcome/strayProcessesKilled``, and the group gets
///   a final SIGKILL. The direct child is always reaped.
/// - Output is streamed in chunks of at most 64 KiB; memory does not grow with its size.
///   Once the child has exited, the runner takes what the pipe holds and stops: a
///   grandchild keeping the pipe open cannot hold `run` up.
/// - Linux only: descendants are found through `/proc`.
///
/// swift-subprocess does the spawning (`createSession`, the exact environment, the working
/// directory, stdin from /dev/null, one pipe for fds 1 and 2 via `.combinedWithOutput`), the
/// non-blocking reads (which end once the child has exited even if a grandchild holds the
/// pipe) and the reaping. Done directly with Glibc, and why:
/// - the teardown (``ProcessGroup``): swift-subprocess's teardown sequence waits for the direct
///   child only and skips its final SIGKILL once that child has exited, so group members that
///   ignore SIGTERM would survive it; ours waits for the whole group and always SIGKILLs it;
/// - noticing the child's exit while the body runs (``ChildProbe``, `waitid` with `WNOWAIT`):
///   swift-subprocess offers no public notification, and must stay the one that reaps;
/// - the marker sweep (``StraySweeper``, ``ProcFS``), which swift-subprocess has no notion of;
/// - executable lookup (``LaunchPlan``): swift-subprocess falls back to this process's `PATH`.
public struct SubprocessRunner: ProcessRunner {
    public init() {}

    public func run(_ spec: ProcessSpec, output: OutputHandler) async throws -> ProcessOutcome {
        let plan = try LaunchPlan(spec)
        let channel = OutputChannel()
        let (events, sink) = AsyncStream.makeStream(of: SupervisorEvent.self)
        // An unstructured task is not cancelled with the caller: the teardown (with its grace
        // period) and the sweep must run to the end whatever happens to the caller. The caller's
        // cancellation reaches it as an event instead.
        let worker = Task {
            defer {
                channel.finish()
                sink.finish()
            }
            return try await Self.execute(plan, supervisor: StepSupervisor(plan: plan, channel: channel, events: events, sink: sink))
        }
        return try await withTaskCancellationHandler {
            while let chunk = await channel.next() {
                await output(chunk)
            }
            return try await worker.value
        } onCancel: {
            sink.yield(.cancelled)
        }
    }

    private static func execute(_ plan: LaunchPlan, supervisor: StepSupervisor) async throws -> ProcessOutcome {
        var options = PlatformOptions()
        options.createSession = true
        // Used by swift-subprocess only if our body threw or our task were cancelled, neither of
        // which happens (see `run`); kept consistent with our own teardown anyway.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: plan.gracePeriod)]
        do {
            let result = try await Subprocess.run(
                .path(.init(plan.executablePath)),
                arguments: Arguments(plan.arguments),
                // The `[Key: String]` form: in 1.0.2 the raw-bytes form `strdup`s entries that
                // carry no NUL terminator, so the child saw garbage after some values.
                environment: .custom(Dictionary(uniqueKeysWithValues: plan.environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
                workingDirectory: plan.workingDirectory.map { .init($0) },
                platformOptions: options,
                input: .none,
                output: .sequence,
                error: .combinedWithOutput
            ) { execution in
                await supervisor.supervise(pid: execution.processIdentifier.value, output: execution.standardOutput)
            }
            let report = result.closureResult
            return ProcessOutcome(
                termination: ProcessTermination(result.terminationStatus),
                timedOut: report.timedOut,
                cancelled: report.cancelled,
                strayProcessesKilled: report.strayProcessesKilled
            )
        } catch let error as SubprocessError {
            throw ProcessLaunchError(error, plan: plan)
        }
    }
}

extension ProcessTermination {
    init(_ status: TerminationStatus) {
        switch status {
        case .exited(let code): self = .exited(code)
        case .signaled(let signal): self = .signaled(signal)
        }
    }
}

extension ProcessLaunchError {
    /// Maps swift-subprocess's error for a spawn that failed despite our checks (a race with
    /// the file system, resource limits). Its description carries no environment or arguments.
    init(_ error: SubprocessError, plan: LaunchPlan) {
        switch error.code {
        case .executableNotFound:
            self = .executableNotFound(name: plan.executablePath)
        case .failedToChangeWorkingDirectory:
            self = .badWorkingDirectory(path: plan.workingDirectory ?? "", reason: error.description)
        default:
            self = .spawnFailed(executable: plan.executablePath, reason: error.description)
        }
    }
}
