import Foundation

/// Time as flow's code sees it: wall time for records and expiry checks, and waits for
/// backoff and heartbeats. Handed in (the CLI passes the real clock), so tests run retries,
/// backoff and credential expiry without sleeping (a manual clock). FlowCore only declares it.
public protocol FlowClock: Sendable {
    func now() -> Date
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}
