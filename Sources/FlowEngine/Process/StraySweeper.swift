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

    /// `child`: pass the step's process only if it lived briefly (see ``StepSupervisor``).
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
        await Poll.until(deadline: deadline, maxInterval: .milliseconds(10)) {
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
