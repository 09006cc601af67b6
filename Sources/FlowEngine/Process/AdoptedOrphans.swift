import CFlowSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Step processes that shed every mark flow finds strays by: their environment (`env -i`, so
/// no `FLOW_STEP_ID`), their process group and their session (`setsid`), and their parent
/// (a double fork). Such a daemon outlived its step and its run before.
///
/// What a step cannot shed is where it sits in the process tree. Each step's leader is started
/// as a child subreaper (``ChildSpawn/spawn(_:_:environment:directory:input:output:error:newSession:subreaper:pid:)``),
/// so while it lives, whatever its descendants orphan is re-parented to it; and `flow` itself
/// becomes a subreaper (``adopt()``), so when a leader ends, what is left of its tree comes to
/// `flow` rather than to init. Every child of `flow` that `flow` did not start itself is
/// therefore what remains of a step whose leader has ended, whichever step that was: it
/// cannot belong to a running step, whose leader would have taken it. ``sweep()`` kills those
/// and reaps them; it runs at the end of every attempt (after the marker sweep) and once more
/// when a run ends.
///
/// What remains possible, documented in docs/running.md: a step process that clears its own
/// leader's subreaper bit (`prctl`, which a shell cannot call) lets its orphans go to `flow`
/// while the step runs, where the next sweep of any attempt kills them; and when `flow` is
/// killed with SIGKILL nothing is left to adopt them, so a takeover finds only marker carriers.
public enum AdoptedOrphans {
    private static let adopting = Atomic<Bool>(false)

    /// Makes this process a child subreaper and turns ``sweep()`` on. For the `flow` command
    /// running a run, with ``SpawnRunner`` (every child it starts is recorded as its own;
    /// swift-subprocess's are not, so with ``SubprocessRunner`` this must stay off). Returns
    /// whether the kernel agreed.
    @discardableResult
    public static func adopt() -> Bool {
        guard SpawnRunner.isSupported, flow_become_subreaper() == 0 else { return false }
        adopting.store(true, ordering: .releasing)
        return true
    }

    /// Whether ``adopt()`` succeeded in this process.
    public static var isAdopting: Bool { adopting.load(ordering: .acquiring) }

    /// Kills (SIGKILL) every child of this process that it did not start itself and reaps it,
    /// until none is left (a killed orphan's own children come to us next) or two seconds
    /// pass. Returns how many it killed. Does nothing unless ``adopt()`` was called.
    ///
    /// The kernel hands an adopted orphan to the main thread, so after each attempt only its
    /// list of children is read (one small read per attempt); `everyThread` (the run's last
    /// sweep) reads every thread's, in case a kernel does otherwise.
    @discardableResult
    public static func sweep(everyThread: Bool = false) async -> Int {
        guard isAdopting else { return 0 }
        var killed = Set<pid_t>()
        await Poll.until(deadline: .now + .seconds(2), maxInterval: .milliseconds(10), ignoringCancellation: true) {
            var alive = false
            for pid in ProcFS.childrenOfThisProcess(allThreads: everyThread) where flow_child_is_ours(pid) == 0 {
                guard let status = ProcFS.status(of: pid), status.parent == getpid() else { continue }
                if status.isGone {
                    var code: Int32 = 0
                    _ = waitpid(pid, &code, WNOHANG)
                } else {
                    alive = true
                    if kill(pid, SIGKILL) == 0 { killed.insert(pid) }
                }
            }
            return !alive
        }
        return killed.count
    }
}
