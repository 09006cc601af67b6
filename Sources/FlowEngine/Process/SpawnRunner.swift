import CFlowSystem
import FlowSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// flow's ``ProcessRunner`` on Linux 5.3 and later: `posix_spawn` on the calling task, then
/// that same task reads the output, notices the exit, timeout or cancellation, stops the
/// group, sweeps and reaps, woken by ``ChildReactor`` (one `epoll` thread for every child).
///
/// It behaves exactly as ``SubprocessRunner`` does (the process tests run against both):
/// - the child leads a new session, gets exactly the given environment plus the marker,
///   stdin from /dev/null and one pipe as stdout and stderr, every signal at its default;
/// - timeout or cancellation of the calling task: SIGTERM (and SIGCONT) to the group, up to
///   `gracePeriod` for the whole group to end, SIGKILL; output keeps flowing meanwhile;
/// - then in every case the marker sweep (``StraySweeper``) and a final SIGKILL to the group,
///   both while the child is an unreaped zombie, so its pid (the group's id) cannot be reused;
/// - output in chunks of at most 64 KiB through a fixed buffer, handed to `output` before the
///   next read (back-pressure); after the child exited, what the pipe holds is read (at most
///   ``OutputPump/postExitBudget``) and no more, so a grandchild keeping it open cannot hold
///   `run` up.
///
/// Why not swift-subprocess here: it runs each child through several threads (its spawn
/// thread, I/O and exit monitors, an output stream) and we add our own supervising tasks;
/// `flow-bench spawn` measured those hand-offs at about 340 µs per process, more than
/// flow's whole budget per step. ``SubprocessRunner`` stays as the runner for kernels
/// without pidfds (see ``ProcessRunners/standard``).
public struct SpawnRunner: ProcessRunner {
    public init() {}

    /// Whether this kernel has what the runner needs (`pidfd_open`, Linux 5.3).
    public static let isSupported: Bool = {
        let fd = flow_pidfd_open(getpid())
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()

    public func run(_ spec: ProcessSpec, output: OutputHandler) async throws -> ProcessOutcome {
        let plan = try LaunchPlan(spec)
        let child = try SpawnedChild(plan)
        let watch = ChildReactor.shared.watch()
        var supervision = Supervision(plan: plan, child: child, watch: watch)
        defer {
            // Out of epoll before the numbers are closed (and can be reused).
            watch.end()
            child.closeDescriptors()
            supervision.closeTimer()
        }
        var watched = watch.add(child.output, as: .output) && watch.add(child.pidfd, as: .exited)
        if watched, let timeout = plan.timeout { watched = supervision.setTimer(after: timeout) }
        guard watched else {
            let reason = errnoText(errno)
            child.abandon()
            throw ProcessLaunchError.spawnFailed(executable: plan.executablePath, reason: "cannot watch the child: \(reason)")
        }
        await withTaskCancellationHandler {
            await supervision.run(output)
        } onCancel: {
            watch.post(.cancelled)
        }
        return await supervision.finish()
    }
}

/// The runner ``FlowEngine`` uses unless told otherwise.
public enum ProcessRunners {
    /// ``SpawnRunner`` where the kernel has pidfds (Linux 5.3+), else ``SubprocessRunner``.
    public static var standard: any ProcessRunner {
        SpawnRunner.isSupported ? SpawnRunner() : SubprocessRunner()
    }
}

/// A spawned child with its pipe's read end and its pidfd; not yet reaped.
private final class SpawnedChild: Sendable {
    let pid: pid_t
    /// The read end of the child's stdout+stderr pipe, non-blocking.
    let output: Int32
    let pidfd: Int32

    init(_ plan: LaunchPlan) throws(ProcessLaunchError) {
        var ends: [Int32] = [-1, -1]
        guard flow_output_pipe(&ends) == 0 else {
            throw .spawnFailed(executable: plan.executablePath, reason: "pipe: \(errnoText(errno))")
        }
        let read = ends[0], write = ends[1]
        var pid: pid_t = 0
        let error = Self.spawn(plan, pid: &pid, output: write)
        close(write)
        guard error == 0 else {
            close(read)
            throw Self.launchError(error, plan: plan)
        }
        let pidfd = flow_pidfd_open(pid)
        guard pidfd >= 0 else {
            let reason = errnoText(errno)
            close(read)
            _ = kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            ChildSpawn.reaped(pid)
            throw .spawnFailed(executable: plan.executablePath, reason: "pidfd_open: \(reason)")
        }
        self.pid = pid
        self.output = read
        self.pidfd = pidfd
    }

    private static func spawn(_ plan: LaunchPlan, pid: inout pid_t, output: Int32) -> Int32 {
        ChildSpawn.spawn(plan.executablePath, plan.arguments, environment: plan.environment, directory: plan.workingDirectory,
                         input: -1, output: output, error: output, newSession: true, subreaper: true, pid: &pid)
    }

    /// The error for a spawn that failed despite ``LaunchPlan``'s checks (a race with the file
    /// system, resource limits); glibc reports the exec's and the chdir's errno.
    private static func launchError(_ error: Int32, plan: LaunchPlan) -> ProcessLaunchError {
        switch error {
        case ENOENT where plan.workingDirectory == nil:
            return .executableNotFound(name: plan.executablePath)
        case EACCES, ENOEXEC:
            return .notExecutable(path: plan.executablePath, reason: errnoText(error))
        default:
            return .spawnFailed(executable: plan.executablePath, reason: errnoText(error))
        }
    }

    /// Whether the child has exited (a zombie now), without reaping it.
    func hasExited() -> Bool { ChildProbe(pid: pid).hasExited() }

    /// Reaps the child (it has exited: the caller saw its pidfd fire, or killed it).
    func reap() -> ProcessTermination {
        var status: Int32 = 0
        defer { ChildSpawn.reaped(pid) }
        while waitpid(pid, &status, 0) < 0 {
            if errno == EINTR { continue }
            // ECHILD cannot happen (we are the only ones reaping this pid); report a kill.
            return .signaled(SIGKILL)
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// For a child we cannot supervise: kill its group, reap it.
    func abandon() {
        ProcessGroup(id: pid).signal(SIGKILL)
        _ = reap()
    }

    func closeDescriptors() {
        close(output)
        close(pidfd)
    }
}

/// The supervision of one child, run by the task that called ``SpawnRunner/run(_:output:)``.
private struct Supervision {
    private enum Phase {
        /// Running on its own.
        case running
        /// SIGTERM sent; SIGKILL at `killAt` unless the whole group is gone first.
        case terminating(killAt: ContinuousClock.Instant)
        /// SIGKILL sent; waiting (at most until `giveUpAt`) for the group to disappear.
        case killing(giveUpAt: ContinuousClock.Instant)
        /// Teardown over; only the exit and the last output are awaited.
        case stopped
    }

    let plan: LaunchPlan
    let child: SpawnedChild
    let watch: ChildWatch
    let started = ContinuousClock.now
    private var phase = Phase.running
    private var report = SupervisionReport()
    private var exited = false
    private var outputOpen = true
    private var readable = true
    /// Bytes still to read once the child has exited; nil until it has.
    private var afterExit: Int? = nil
    private var pollInterval = Poll.firstInterval
    /// The watch's timerfd, made on first use (a timeout or a teardown); -1 until then.
    private var timer: Int32 = -1

    init(plan: LaunchPlan, child: SpawnedChild, watch: ChildWatch) {
        self.plan = plan
        self.child = child
        self.watch = watch
    }

    /// Until the child has exited, its teardown (if any) is over and its output is read.
    mutating func run(_ output: OutputHandler) async {
        var buffer = [UInt8](repeating: 0, count: OutputPump.maxChunk)
        while true {
            if readable && outputOpen {
                await readOutput(into: &buffer, output)
            }
            if exited && !outputOpen && !tearingDown { return }
            let events = readable && outputOpen ? watch.poll() : await watch.next()
            handle(events)
        }
    }

    /// Between SIGTERM and the group's end (or giving up on it).
    private var tearingDown: Bool {
        switch phase {
        case .terminating, .killing: true
        case .running, .stopped: false
        }
    }

    /// Reads until the pipe is empty (then waits for the next edge) or after 16 chunks (then
    /// looks at the other events before reading on).
    private mutating func readOutput(into buffer: inout [UInt8], _ output: OutputHandler) async {
        readable = false
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
            if count > 0 {
                await output(buffer[0..<count])
                if let remaining = afterExit {
                    afterExit = remaining - count
                    if remaining - count <= 0 { outputOpen = false; return }
                }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                // Empty. Once the child has exited, what it wrote is all read: stop here.
                if exited { outputOpen = false }
                return
            }
            // End of file, or a failed pipe: nothing more can be read.
            outputOpen = false
            return
        }
        readable = true
    }

    private mutating func handle(_ events: ChildEvents) {
        if events.contains(.output) { readable = true }
        if events.contains(.exited), !exited {
            exited = true
            afterExit = OutputPump.postExitBudget
            readable = true
        }
        if events.contains(.timer) {
            // A timerfd that reads nothing expired before it was re-armed: not a real expiry.
            var ticks: UInt64 = 0
            if timer >= 0, read(timer, &ticks, 8) == 8 { tick() }
        }
        if events.contains(.cancelled) { stop(because: .cancelled) }
    }

    /// A timer expiry: the timeout while running, the next look during a teardown.
    private mutating func tick() {
        let now = ContinuousClock.now
        switch phase {
        case .running:
            stop(because: .timer)
        case .terminating(let killAt):
            if !ProcessGroup(id: child.pid).hasLiveMembers() {
                phase = .stopped
            } else if now >= killAt {
                ProcessGroup(id: child.pid).signal(SIGKILL)
                phase = .killing(giveUpAt: now + ProcessGroup.killSettleLimit)
                pollInterval = Poll.firstInterval
                scheduleLook(before: now + ProcessGroup.killSettleLimit)
            } else {
                scheduleLook(before: killAt)
            }
        case .killing(let giveUpAt):
            // SIGKILL cannot be ignored; the limit only guards against a member stuck in D state.
            if !ProcessGroup(id: child.pid).hasLiveMembers() || now >= giveUpAt {
                phase = .stopped
            } else {
                scheduleLook(before: giveUpAt)
            }
        case .stopped:
            break
        }
    }

    /// Starts the teardown for a timeout (`.timer`) or a cancellation, unless the child has
    /// just ended on its own (then it was neither timed out nor cancelled).
    mutating func stop(because reason: ChildEvents) {
        guard case .running = phase, !exited, !child.hasExited() else { return }
        report.timedOut = reason == .timer
        report.cancelled = reason == .cancelled
        let group = ProcessGroup(id: child.pid)
        group.signal(SIGTERM)
        group.signal(SIGCONT)
        let killAt = ContinuousClock.now + plan.gracePeriod
        phase = .terminating(killAt: killAt)
        pollInterval = Poll.firstInterval
        if !scheduleLook(before: killAt) {
            // No timer: skip the grace period rather than wait for nothing.
            group.signal(SIGKILL)
            phase = .stopped
        }
    }

    /// Arms the timer for the next look at the group: the poll interval (doubling up to
    /// 20 ms), but never past `deadline`.
    @discardableResult
    private mutating func scheduleLook(before deadline: ContinuousClock.Instant) -> Bool {
        let wait = min(pollInterval, max(deadline - .now, .zero))
        pollInterval = min(pollInterval * 2, .milliseconds(20))
        return setTimer(after: wait)
    }

    /// Arms the timer `duration` from now, adding it to the watch when first made.
    mutating func setTimer(after duration: Duration) -> Bool {
        if timer < 0 {
            timer = flow_timer_create()
            guard timer >= 0, watch.add(timer, as: .timer) else { return false }
        }
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds >= Int64.max / 1_000_000_000 ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return flow_timer_arm(timer, nanoseconds) == 0
    }

    /// Closes the timer, if one was made (after the watch has ended).
    func closeTimer() {
        if timer >= 0 { close(timer) }
    }

    /// Waits for the exit if a teardown gave up early, sweeps, kills what is left of the group
    /// and reaps the child, all without regard to the task's cancellation.
    mutating func finish() async -> ProcessOutcome {
        while !exited {
            if watch.poll().contains(.exited) || child.hasExited() { break }
            // A member in D state after SIGKILL: it will go; wait for its pidfd (other events
            // no longer matter).
            if (await watch.next()).contains(.exited) { break }
        }
        report.strayProcessesKilled = await StraySweeper.sweepAfter(child.pid, marker: plan.marker, started: started)
        return ProcessOutcome(
            termination: child.reap(),
            timedOut: report.timedOut,
            cancelled: report.cancelled,
            strayProcessesKilled: report.strayProcessesKilled
        )
    }
}
