import Foundation

/// Whether the process that owns a `running` run is still alive. On the owner's own host the
/// pid decides; elsewhere (a shared state directory) the heartbeat does, and a run whose
/// heartbeat is older than `staleAfter` (counting from its start when it has none) is taken
/// as interrupted. The probes are handed in, so the rule is tested without processes.
public struct RunOwnership: Sendable {
    public var host: String
    public var now: Date
    public var staleAfter: TimeInterval
    /// Whether a pid on this host is alive.
    public var processAlive: @Sendable (Int32) -> Bool

    public init(host: String, now: Date, staleAfter: TimeInterval = 60, processAlive: @escaping @Sendable (Int32) -> Bool) {
        self.host = host
        self.now = now
        self.staleAfter = staleAfter
        self.processAlive = processAlive
    }

    /// The local host and `kill(pid, 0)`, with a zombie counted as dead: a `flow` killed with
    /// SIGKILL stays a zombie until its parent reaps it, which may be much later (a container
    /// whose PID 1 reaps seldom or never), and it will never write to its run again.
    public static func local(now: Date) -> RunOwnership {
        RunOwnership(host: Host.name(), now: now) { pid in
            guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
            return ProcFS.status(of: pid).map { !$0.isGone } ?? (kill(pid, 0) == 0 || errno == EPERM)
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// Not running: nothing owns it.
        case notRunning
        /// A live process owns it; nobody else may touch it.
        case ownedByLiveProcess(pid: Int32?, host: String?)
        /// Its owner is gone: it is interrupted.
        case ownerGone
    }

    public func verdict(for run: RunRecord) -> Verdict {
        guard run.status == .running else { return .notRunning }
        if let owner = run.ownerHost, owner == host, let pid = run.ownerPid {
            return processAlive(pid) ? .ownedByLiveProcess(pid: pid, host: owner) : .ownerGone
        }
        let lastSign = run.heartbeatAt ?? run.createdAt
        return now.timeIntervalSince(lastSign) > staleAfter ? .ownerGone : .ownedByLiveProcess(pid: run.ownerPid, host: run.ownerHost)
    }
}
