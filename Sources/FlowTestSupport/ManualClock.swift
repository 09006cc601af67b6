import Foundation
import FlowEngine

/// A clock that only moves when a test says so. `sleep` suspends until `advance` passes its
/// deadline, so retries and backoff are tested without waiting. With `autoAdvance`, every
/// sleep instead moves time forward by its duration at once (recorded in `sleeps`).
public final class ManualClock: EngineClock, @unchecked Sendable {
    private let lock = NSLock()
    private let autoAdvance: Bool
    private var current: Date
    private var sleepers: [(id: Int, deadline: Date, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0
    /// Every duration anyone slept for, in order.
    public private(set) var sleeps: [Duration] = []

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000), autoAdvance: Bool = false) {
        current = start
        self.autoAdvance = autoAdvance
    }

    public func now() -> Date { lock.withLock { current } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let seconds = duration.inSeconds
        if autoAdvance {
            lock.withLock {
                sleeps.append(duration)
                current = current.addingTimeInterval(seconds)
            }
            return
        }
        let id = lock.withLock { () -> Int in nextID += 1; return nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelledAlready = lock.withLock { () -> Bool in
                    // A cancellation that came before this append found nothing to wake.
                    if Task.isCancelled { return true }
                    sleeps.append(duration)
                    sleepers.append((id, current.addingTimeInterval(seconds), continuation))
                    return false
                }
                if cancelledAlready { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let cancelled = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
                guard let i = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: i).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// How many sleeps are waiting.
    public var waiting: Int { lock.withLock { sleepers.count } }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by seconds: TimeInterval) {
        let due = lock.withLock { () -> [CheckedContinuation<Void, any Error>] in
            current = current.addingTimeInterval(seconds)
            let now = current
            let ready = sleepers.filter { $0.deadline <= now }.map(\.continuation)
            sleepers.removeAll { $0.deadline <= now }
            return ready
        }
        for c in due { c.resume() }
    }
}
