import Foundation
import FlowEngine

/// The real clock, handed to the engine by the CLI (the engine never reads time itself).
struct SystemClock: EngineClock {
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
