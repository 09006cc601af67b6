#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Step processes a run left behind when its `flow` process died without stopping them
/// (`kill -9`, an OOM kill): every process on this host whose `FLOW_STEP_ID` marker
/// (`<run-id>/<step-id>/<attempt>`) belongs to the run, and every descendant of one. A
/// container engine's `RUN` and `run` processes get the image's environment, not the step's,
/// so they carry no marker: they are found as the engine's descendants.
public enum LeftoverProcesses {
    /// The pids carrying a marker of `runID` and their descendants, this process excluded.
    public static func find(runID: String) -> [Int32] {
        withDescendants(marked(runID: runID))
    }

    /// The pids carrying a marker of `runID`, this process excluded.
    static func marked(runID: String) -> [Int32] {
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

    /// `roots` and every live process below one of them, from one scan of `/proc`.
    static func withDescendants(_ roots: [Int32]) -> [Int32] {
        guard !roots.isEmpty else { return [] }
        var children: [Int32: [Int32]] = [:]
        for pid in ProcFS.processIDs() {
            guard let status = ProcFS.status(of: pid), !status.isGone else { continue }
            children[status.parent, default: []].append(pid)
        }
        let me = getpid()
        var found = Set(roots)
        var queue = roots
        while let pid = queue.popLast() {
            for child in children[pid] ?? [] where child != me && found.insert(child).inserted { queue.append(child) }
        }
        return found.sorted()
    }

    /// Sends SIGTERM to each, gives them `grace` to end, then SIGKILLs whatever is left: the
    /// ones found first that still live (a descendant whose parent died is re-parented and no
    /// longer found below a marked process; a pid is reused only after the kernel has cycled
    /// through `pid_max`, not within the grace) and any found afresh. Returns how many there were.
    @discardableResult
    public static func stop(runID: String, grace: Duration) async -> Int {
        let found = find(runID: runID)
        guard !found.isEmpty else { return 0 }
        func alive(_ pid: Int32) -> Bool { ProcFS.status(of: pid).map { !$0.isGone } ?? false }
        for pid in found { kill(pid, SIGTERM) }
        await Poll.until(deadline: .now + grace, maxInterval: .milliseconds(50)) {
            !found.contains(where: alive) && find(runID: runID).isEmpty
        }
        for pid in Set(found.filter(alive) + find(runID: runID)) { kill(pid, SIGKILL) }
        return found.count
    }
}
