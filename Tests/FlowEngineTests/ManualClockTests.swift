import Foundation
import Testing
import FlowTestSupport

/// The test clock itself: sleepers wake exactly when time passes their deadline.
@Suite struct ManualClockTests {
    @Test func sleepersWakeWhenAdvancedPastTheirDeadline() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let task = Task { try await clock.sleep(for: .seconds(10)); return clock.now() }
        while clock.waiting == 0 { await Task.yield() }
        clock.advance(by: 5)
        #expect(clock.waiting == 1)
        clock.advance(by: 5)
        #expect(try await task.value == start.addingTimeInterval(10))
        #expect(clock.sleeps == [.seconds(10)])
    }

    @Test func cancellingASleeperWakesOnlyIt() async throws {
        let clock = ManualClock()
        let a = Task { try await clock.sleep(for: .seconds(1)) }
        let b = Task { try await clock.sleep(for: .seconds(1)) }
        while clock.waiting < 2 { await Task.yield() }
        a.cancel()
        await #expect(throws: CancellationError.self) { try await a.value }
        #expect(clock.waiting == 1)
        clock.advance(by: 1)
        try await b.value
    }

    @Test func autoAdvanceMovesTimeWithoutWaiting() async throws {
        let clock = ManualClock(autoAdvance: true)
        let start = clock.now()
        try await clock.sleep(for: .seconds(5))
        try await clock.sleep(for: .milliseconds(500))
        #expect(clock.now() == start.addingTimeInterval(5.5))
        #expect(clock.sleeps == [.seconds(5), .milliseconds(500)])
    }
}
