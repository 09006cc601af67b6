import Dispatch
import Foundation
import FlowEngine
import FlowSystem
import Synchronization

/// Starts each fire's run as a child `flow run` (this same binary), so a run that crashes or
/// hangs never takes the daemon with it, and every run is recorded exactly as a hand-started
/// one is. The child's output goes nowhere (the run's logs are in the state directory); its
/// standard error is the daemon's, so a pipeline that no longer loads says why in the daemon's
/// log. Cancelling the waiting task sends the child SIGTERM: it cancels its steps, records the
/// run `cancelled` and exits 130.
struct ScheduleFireLauncher: FireLauncher {
    var executable: String
    var stateDirectory: String
    var stepsDirectory: String
    var environment: [String: String]

    func arguments(_ fire: FireRecord, rule: ScheduleRule) -> [String] {
        var arguments = ["run", rule.file, "--state-dir", stateDirectory, "--steps-dir", stepsDirectory,
                         "--scheduled-entry", rule.key, "--scheduled-at", String(fire.scheduledSecond)]
        if let profile = rule.profile { arguments += ["--profile", profile] }
        for param in rule.params { arguments += ["--param", param] }
        return arguments
    }

    func run(_ fire: FireRecord, rule: ScheduleRule) async -> FireEnd {
        let errorCopy = fcntl(2, F_DUPFD_CLOEXEC, 3)
        defer { if errorCopy >= 0 { close(errorCopy) } }
        var pid: pid_t = 0
        let failure = ChildSpawn.spawn(executable, arguments(fire, rule: rule), name: "flow", environment: environment, directory: nil,
                                       input: -1, output: -1, error: errorCopy, newSession: false, pid: &pid)
        guard failure == 0 else {
            return FireEnd(outcome: "error", reason: "cannot start \(executable): \(String(cString: strerror(failure)))")
        }
        let child = ReapedChild(pid: pid)
        let status = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: child.wait()) }
            }
        } onCancel: {
            child.terminate()
        }
        let end = Self.end(status)
        // Stopped by the daemon before `flow run` could catch the signal (and record a run).
        if child.wasTerminated, end.outcome == "error" {
            return FireEnd(outcome: "cancelled", reason: "the daemon stopped before the run started")
        }
        return end
    }

    /// The fire's outcome from `flow run`'s wait status.
    static func end(_ status: Int32) -> FireEnd {
        let signalled = status & 0x7f
        guard signalled == 0 else { return FireEnd(outcome: "error", reason: "flow run was killed by signal \(signalled)") }
        switch (status >> 8) & 0xff {
        case ExitStatus.success.rawValue: return FireEnd(outcome: "succeeded")
        case ExitStatus.cancelled.rawValue: return FireEnd(outcome: "cancelled")
        case ExitStatus.invalidInput.rawValue:
            return FireEnd(outcome: "error", reason: "flow run exited 2 (invalid input or state; its message is in the daemon's output)")
        default: return FireEnd(outcome: "failed")
        }
    }
}

/// A child process waited for on another thread; `terminate` signals it only while it has not
/// been reaped, so a pid the system has given to someone else is never signalled.
private final class ReapedChild: Sendable {
    private let pid: pid_t
    private let reaped = Mutex(false)
    private let terminated = Mutex(false)

    init(pid: pid_t) { self.pid = pid }

    func wait() -> Int32 {
        var status: Int32 = 0
        var info = siginfo_t()
        // Wait without reaping, so `terminate` cannot race a reused pid; then reap.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        reaped.withLock { done in
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            done = true
        }
        ChildSpawn.reaped(pid)
        return status
    }

    func terminate() {
        terminated.withLock { $0 = true }
        reaped.withLock { done in
            if !done { kill(pid, SIGTERM) }
        }
    }

    /// Whether ``terminate()`` was called.
    var wasTerminated: Bool { terminated.withLock { $0 } }
}
