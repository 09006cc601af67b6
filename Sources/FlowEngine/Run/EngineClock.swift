import Foundation

/// Time as the engine sees it: wall time for records and waits for backoff and heartbeats.
/// Handed in, so tests run retries and backoff without sleeping (a manual clock).
public protocol EngineClock: Sendable {
    func now() -> Date
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}
