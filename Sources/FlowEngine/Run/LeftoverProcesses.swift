#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Step processes a run left behind when its `flow` process died without stopping them
/// (`kill -9`, an OOM kill): every process on this host whose `FLOW_STEP_ID` marker
/// (`<run-id>/<step-id>/<attempt>`) belongs to the run.
public enum LeftoverProcesses {
    /// The pids carrying a marker of `runID`, this process excluded.
    public static func find(runID: String) -> [Int32] {
        let prefix = Array("FLOW_STEP_ID=\(runID)/".utf8)
        let me = getpid()
        return ProcFS.processIDs().filter { pid in
            guard pid != me, pid > 1 else { return false }
            var environ: [UInt8] = []
            ProcFS.readFile("/proc/\(pid)/environ", chunkSize: 16 * 1024) { chunk in
                environ.append(contentsOf: chunk)
                return environ.count < 8 << 20
            }
            return environ.split(separator: 0).contains { $0.starts(with: prefix) }
        }
    }

    /// Sends SIGTERM to each, gives them `grace` to end, then SIGKILLs whatever is left (found
    /// afresh, so a pid that ended is never signalled again). Returns how many there were.
    @discardableResult
    public static func stop(runID: String, grace: Duration) async -> Int {
        let found = find(runID: runID)
        guard !found.isEmpty else { return 0 }
        for pid in found { kill(pid, SIGTERM) }
        await Poll.until(deadline: .now + grace, maxInterval: .milliseconds(50)) { find(runID: runID).isEmpty }
        for pid in find(runID: runID) { kill(pid, SIGKILL) }
        return found.count
    }
}
