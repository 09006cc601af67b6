/// Re-checks a cheap condition with a growing interval. Used where the kernel offers no
/// event we could await without taking over the child's reaping (swift-subprocess owns it)
/// or spending a thread per step: the child's exit, a process group emptying, strays dying.
enum Poll {
    /// The first wait; it doubles up to the caller's `maxInterval`.
    static let firstInterval: Duration = .milliseconds(1)

    /// Evaluates `condition` until it holds, `deadline` passes (nil: no deadline) or, unless
    /// `ignoringCancellation`, the task is cancelled. Returns whether it held.
    ///
    /// The exit poller of ``SubprocessRunner`` is cancelled, and that is how it stops. The
    /// stray sweep must run to its end even in a cancelled task (``SpawnRunner`` sweeps in the
    /// task of the step that Ctrl-C cancelled), so it ignores cancellation.
    @discardableResult
    static func until(
        deadline: ContinuousClock.Instant?,
        maxInterval: Duration = .milliseconds(20),
        ignoringCancellation: Bool = false,
        _ condition: () -> Bool
    ) async -> Bool {
        var interval = firstInterval
        while true {
            if condition() { return true }
            let now = ContinuousClock.now
            if let deadline, now >= deadline { return false }
            var wait = interval
            if let deadline { wait = min(wait, deadline - now) }
            do {
                if ignoringCancellation {
                    // A detached task does not inherit the caller's cancellation.
                    try await Task.detached { try await Task.sleep(for: wait) }.value
                } else {
                    try await Task.sleep(for: wait)
                }
            } catch {
                return false
            }
            interval = min(interval * 2, maxInterval)
        }
    }
}
