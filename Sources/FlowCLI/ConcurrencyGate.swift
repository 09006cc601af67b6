import Foundation
import FlowCore
import FlowEngine

/// Takes a run's concurrency group before the run starts or is taken over, following the
/// group's policy when another process holds it:
/// - `forbid`: say which run holds it and exit 1, creating nothing;
/// - `queue`: say so and wait until the holder ends (Ctrl-C exits 130, creating nothing);
/// - `replace`: cancel the holder's run as `flow cancel` does, then wait for it to end.
/// The group is held (an flock) until this process ends; see `GroupLock`.
enum ConcurrencyGate {
    /// How often a waiting process tries the lock again.
    static let pollInterval: Duration = .milliseconds(100)

    static func enter(_ group: ConcurrencyGroup?, stateDirectory: String, database: RunDatabase, signals: CommandSignals) async throws -> GroupLock? {
        guard let group else { return nil }
        let lock: GroupLock
        do { lock = try GroupLock(stateDirectory: stateDirectory, group: group.name) } catch { throw CLIError("\(error)") }
        if try lock.tryLock() { return lock }

        let name = group.name
        switch group.policy {
        case .forbid:
            Terminal.standardError.write("flow: \(describe(lock.holder(), group: name)) is still running (policy forbid)\n")
            throw CommandExit(status: .failure)
        case .queue:
            Terminal.standardError.write("waiting for \(describe(lock.holder(), group: name)) to finish (policy queue)\n")
        case .replace:
            break
        }
        var cancelled = Set<String>()
        while true {
            if group.policy == .replace, let holder = lock.holder().runID, !cancelled.contains(holder) {
                cancelled.insert(holder)
                Terminal.standardError.write("replacing run \(holder) of concurrency group \(name) (policy replace): cancelling it\n")
                let reason = "replaced by a newer run of concurrency group \(name)"
                do {
                    _ = try RunCancellation.local(database, now: Date(), reason: reason).cancel(holder, at: Date())
                } catch {
                    Terminal.standardError.write("flow: cannot cancel run \(holder): \(error); waiting for it instead\n")
                }
            }
            if signals.isCancelled {
                Terminal.standardError.write("cancelled while waiting for concurrency group \(name); no run was started\n")
                throw CommandExit(status: .cancelled)
            }
            try? await Task.sleep(for: pollInterval)
            if try lock.tryLock() { return lock }
        }
    }

    /// "run R of concurrency group G", or who is about to start one.
    static func describe(_ holder: GroupLock.Holder, group: String) -> String {
        if let run = holder.runID { return "run \(run) of concurrency group \(group)" }
        return "a run of concurrency group \(group)" + (holder.pid.map { " (pid \($0), starting)" } ?? "")
    }
}
