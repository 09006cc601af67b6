import Foundation

/// Cancelling a run from another process (`flow cancel`, a `replace` concurrency policy). A run
/// owned by a live `flow` on this host is sent SIGTERM, and that process cancels its steps and
/// records the cancellation itself, as it does for Ctrl-C. A run nobody owns any more (its owner
/// died, or it had failed) is recorded `cancelled` here with a compare-and-set, after its
/// leftover step processes are stopped. It stays resumable.
public struct RunCancellation: Sendable {
    public var database: RunDatabase
    public var ownership: RunOwnership
    /// Whether `pid` on this host is the flow process that took the run at the given time.
    public var isOwner: @Sendable (Int32, Date) -> Bool
    /// Sends SIGTERM; false when there is no such process.
    public var terminate: @Sendable (Int32) -> Bool
    public var reason: String

    public static let defaultReason = "cancelled by flow cancel"

    public init(database: RunDatabase, ownership: RunOwnership, reason: String = RunCancellation.defaultReason,
                isOwner: @escaping @Sendable (Int32, Date) -> Bool = { pid, takenAt in OwnerProcess.read(pid)?.isOwner(takenAt: takenAt) ?? false },
                terminate: @escaping @Sendable (Int32) -> Bool = { kill($0, SIGTERM) == 0 }) {
        self.database = database
        self.ownership = ownership
        self.reason = reason
        self.isOwner = isOwner
        self.terminate = terminate
    }

    /// The local host, `kill(2)` and `/proc`. A live owner is sent SIGTERM, or SIGUSR1 when
    /// `force` asks it to stop its cleanup steps too.
    public static func local(_ database: RunDatabase, now: Date, reason: String = RunCancellation.defaultReason,
                             force: Bool = false) -> RunCancellation {
        RunCancellation(database: database, ownership: .local(now: now), reason: reason,
                        terminate: { kill($0, force ? SIGUSR1 : SIGTERM) == 0 })
    }

    public enum Outcome: Sendable, Equatable {
        /// The live owner, this pid, was sent SIGTERM; it records the cancellation when its steps have stopped.
        case signalled(pid: Int32)
        /// Nobody owned the run any more; it is now recorded `cancelled` (it was `from`).
        case recorded(from: RunStatus)
        /// It was cancelled already.
        case alreadyCancelled
        /// It succeeded: there is nothing left to cancel.
        case succeeded
        /// A live process on another host owns it; it can only be cancelled there.
        case elsewhere(pid: Int32?, host: String?)
    }

    /// Cancels `runID` as described above. Unknown ids are the caller's to report.
    public func cancel(_ runID: String, at now: Date) throws -> Outcome {
        // A compare-and-set that loses to another process means the run moved: look again.
        for _ in 0..<5 {
            guard let run = try database.run(runID) else { throw UnknownRun(runID: runID) }
            switch ownership.verdict(for: run) {
            case .ownedByLiveProcess(let pid, let host):
                guard host == ownership.host, let pid else { return .elsewhere(pid: pid, host: host) }
                let takenAt = try database.takenAt(runID) ?? run.createdAt
                if isOwner(pid, takenAt) {
                    try database.noteCancelRequest(runID, ownerPid: pid, reason: reason, at: now)
                    if terminate(pid) { return .signalled(pid: pid) }
                }
                // The pid is gone or now belongs to another process: the owner died.
                if try database.cancelRun(runID, from: .running, reason: reason, at: now) { return .recorded(from: .interrupted) }
            case .ownerGone:
                if try database.cancelRun(runID, from: .running, reason: reason, at: now) { return .recorded(from: .interrupted) }
            case .notRunning:
                switch run.status {
                case .cancelled: return .alreadyCancelled
                case .succeeded: return .succeeded
                default:
                    if try database.cancelRun(runID, from: run.status, reason: reason, at: now) { return .recorded(from: run.status) }
                }
            }
        }
        throw Contended(runID: runID)
    }

    public struct UnknownRun: Error, CustomStringConvertible, Sendable {
        public var runID: String
        public var description: String { "no run `\(runID)`" }
    }

    /// Thrown when the run kept changing state under us.
    public struct Contended: Error, CustomStringConvertible, Sendable {
        public var runID: String
        public var description: String { "run \(runID) kept changing while it was being cancelled; try again" }
    }
}
