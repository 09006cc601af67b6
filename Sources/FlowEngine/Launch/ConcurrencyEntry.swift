import Foundation
import FlowCore

/// Takes a run's concurrency group before the run starts or is taken over, following the
/// group's policy when another process holds it:
/// - `forbid`: the holder is named and nothing is created (``Outcome/forbidden(_:)``);
/// - `queue`: wait until the holder ends (``Notice/waiting(_:)``);
/// - `replace`: cancel the holder's run as `flow cancel` does, then wait for it to end.
/// The group is held (an flock) until this process ends; see `GroupLock`. Prints nothing: the
/// caller hears of waiting and replacing through `notice`, and decides what the outcome means.
public enum ConcurrencyEntry {
    /// How often a waiting process tries the lock again.
    static let pollInterval: Duration = .milliseconds(100)

    /// What happened while entering.
    public enum Notice: Sendable {
        /// The group is held by this (a description of the holder); waiting (policy queue).
        case waiting(String)
        /// Cancelling the holder's run (policy replace).
        case replacing(runID: String, group: String)
        /// The holder's run could not be cancelled; waiting for it instead.
        case cannotCancel(runID: String, reason: String)
    }

    public enum Outcome: Sendable {
        /// The group is ours (nil when the plan has no group).
        case entered(GroupLock?)
        /// Policy forbid and the group is held by this (a description of the holder).
        case forbidden(String)
        /// The caller was cancelled while waiting; nothing was started.
        case cancelled(group: String)
    }

    /// `clock` dates a replaced run's cancellation and paces the waiting.
    public static func enter(_ group: ConcurrencyGroup?, stateDirectory: String, database: RunDatabase, clock: any EngineClock,
                             isCancelled: @Sendable () -> Bool, notice: (Notice) -> Void) async throws -> Outcome {
        guard let group else { return .entered(nil) }
        let lock = try GroupLock(stateDirectory: stateDirectory, group: group.name)
        if try lock.tryLock() { return .entered(lock) }

        let name = group.name
        switch group.policy {
        case .forbid:
            return .forbidden(describe(lock.holder(), group: name))
        case .queue:
            notice(.waiting(describe(lock.holder(), group: name)))
        case .replace:
            break
        }
        var cancelled = Set<String>()
        while true {
            if group.policy == .replace, let holder = lock.holder().runID, !cancelled.contains(holder) {
                cancelled.insert(holder)
                notice(.replacing(runID: holder, group: name))
                let reason = "replaced by a newer run of concurrency group \(name)"
                do {
                    let now = clock.now()
                    _ = try RunCancellation.local(database, now: now, reason: reason).cancel(holder, at: now)
                } catch {
                    notice(.cannotCancel(runID: holder, reason: "\(error)"))
                }
            }
            if isCancelled() { return .cancelled(group: name) }
            try? await clock.sleep(for: pollInterval)
            if try lock.tryLock() { return .entered(lock) }
        }
    }

    /// "run R of concurrency group G", or who is about to start one.
    public static func describe(_ holder: GroupLock.Holder, group: String) -> String {
        if let run = holder.runID { return "run \(run) of concurrency group \(group)" }
        return "a run of concurrency group \(group)" + (holder.pid.map { " (pid \($0), starting)" } ?? "")
    }
}
