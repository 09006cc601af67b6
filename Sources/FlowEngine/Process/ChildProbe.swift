#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Checks whether our direct child has ended, without reaping it.
///
/// swift-subprocess reaps the child after its `run` body returns, so during the body the
/// ended child stays a zombie and its pid (also the pgid of its group) cannot be reused.
/// `waitid(..., WNOWAIT)` looks at that state without consuming it.
struct ChildProbe: Sendable {
    let pid: pid_t

    /// True once the child has exited or been killed (it is a zombie, or already reaped).
    func hasExited() -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                // Linux zeroes si_signo when no child is waitable under WNOHANG.
                return info.si_signo == SIGCHLD
            }
            if errno == EINTR { continue }
            // ECHILD: no longer our waitable child, i.e. it ended and was reaped.
            return true
        }
    }

    /// Returns once the child has ended, or at `deadline`; returns whether it ended.
    @discardableResult
    func waitForExit(deadline: ContinuousClock.Instant? = nil) async -> Bool {
        await Poll.until(deadline: deadline, maxInterval: .milliseconds(25)) { hasExited() }
    }
}
