#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Finds and SIGKILLs every process whose environment carries `FLOW_STEP_ID=<marker>`:
/// descendants that outlived the child, including those that left its process group
/// (`setsid`, double fork) and are therefore out of reach of `killpg`.
struct StraySweeper: Sendable {
    /// The exact environ entry, `FLOW_STEP_ID=<marker>`.
    let entry: [UInt8]
    /// How long to keep re-scanning while killed processes are still dying or new ones appear.
    var limit: Duration = .seconds(2)
    /// The step's own process, when only pids allocated after it need reading (see
    /// ``ProcFS/pidsAllocated(from:)``); nil to read every process.
    let child: pid_t?

    /// How long a step may run and still be swept by pid range (see ``ProcFS/pidsAllocated(from:)``).
    static let briefLife: Duration = .seconds(1)

    /// The end of every attempt, in both runners, while `child` is an unreaped zombie (so its
    /// pid, the group's id, cannot have been reused): kills whatever still carries `marker`
    /// (escaped the group, or left behind), then whatever is left in the group without it (a
    /// member that scrubbed its environment), then, when `flow` adopts orphans, whatever of the
    /// step's tree shed all three. Returns the number of processes killed.
    ///
    /// For a step that lived less than ``briefLife`` only the pids allocated since its process
    /// are read: the pid space (at least 32,768) cannot be cycled in that time.
    static func sweepAfter(_ child: pid_t, marker: String, started: ContinuousClock.Instant) async -> Int {
        let brief = ContinuousClock.now - started < briefLife
        let killed = await StraySweeper(marker: marker, child: brief ? child : nil).sweep()
        ProcessGroup(id: child).signal(SIGKILL)
        // What is left of the step's tree without the marker, group or session came to flow
        // when the step's leader ended (both are subreapers; see ``AdoptedOrphans``).
        return killed + (await AdoptedOrphans.sweep())
    }

    /// `child`: pass the step's process only if it lived briefly (see ``sweepAfter(_:marker:started:)``).
    init(marker: String, child: pid_t? = nil) {
        self.entry = Array("\(LaunchPlan.markerVariable)=\(marker)".utf8)
        self.child = child
    }

    /// Scans and kills until a scan finds no live carrier of the marker (a process forked by
    /// one being killed shows up in the next scan), or until `limit`. Returns the number of
    /// distinct processes it killed. Processes we may not signal (EPERM) are skipped.
    func sweep() async -> Int {
        var killed = Set<pid_t>()
        var refused = Set<pid_t>()
        let deadline = ContinuousClock.now + limit
        await Poll.until(deadline: deadline, maxInterval: .milliseconds(10), ignoringCancellation: true) {
            var found = false
            ProcFS.forEachProcess(withEnvironmentEntry: entry, within: child.flatMap(ProcFS.pidsAllocated(from:))) { pid in
                guard !refused.contains(pid) else { return }
                found = true
                if kill(pid, SIGKILL) == 0 {
                    killed.insert(pid)
                } else if errno == EPERM {
                    refused.insert(pid)
                }
            }
            return !found
        }
        return killed.count
    }
}
