#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process group the child leads (it was started with `setsid`, so pgid == its pid).
///
/// Signalling by pgid is safe for as long as the leader has not been reaped: a pid that
/// names a live process group is never handed to a new process. The runner only signals
/// the group before swift-subprocess reaps the child.
struct ProcessGroup: Sendable {
    let id: pid_t

    /// `killpg`, or the leader itself when the group does not exist yet (right after the spawn,
    /// before the child's `setsid` has run). Never both: a leader whose SIGTERM trap is already
    /// running would run it again for a second signal. Never for 0 or 1 (that would hit
    /// ourselves or everything).
    func signal(_ signal: Int32) {
        guard id > 1 else { return }
        if kill(-id, signal) != 0 {
            _ = kill(id, signal)
        }
    }

    /// Whether the leader or any member is still running (zombies, such as our reaped-later
    /// leader, do not count).
    func hasLiveMembers() -> Bool {
        guard id > 1 else { return false }
        if let leader = ProcFS.status(of: id), !leader.isGone { return true }
        // Fast path: no member at all, not even a zombie.
        if kill(-id, 0) != 0, errno == ESRCH { return false }
        return !ProcFS.liveMembers(ofGroup: id).isEmpty
    }

    /// SIGTERM (and SIGCONT, so stopped members can act on it) to the whole group, wait up to
    /// `gracePeriod` for every member to end, then SIGKILL to the group and wait (briefly) until
    /// the killed members are gone, so that the stray sweep afterwards sees only real escapees.
    func terminate(gracePeriod: Duration) async {
        signal(SIGTERM)
        signal(SIGCONT)
        await Poll.until(deadline: .now + gracePeriod) { !hasLiveMembers() }
        signal(SIGKILL)
        await Poll.until(deadline: .now + Self.killSettleLimit) { !hasLiveMembers() }
    }

    /// How long to wait for SIGKILLed members to disappear (D-state processes may linger).
    static let killSettleLimit: Duration = .seconds(1)
}
