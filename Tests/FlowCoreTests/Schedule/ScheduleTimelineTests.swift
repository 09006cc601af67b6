import Foundation
import Testing
import FlowCore

/// Fire times in a time zone, with Vixie/ISC cron's DST rules. New York's 2026 changes: on
/// 8 March 02:00 EST becomes 03:00 EDT (07:00Z); on 1 November 02:00 EDT becomes 01:00 EST (06:00Z).
@Suite struct ScheduleTimelineTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func timeline(_ cron: String, _ zone: TimeZone = newYork) throws -> ScheduleTimeline {
        ScheduleTimeline(cron: try CronExpression.parse(cron), zone: zone)
    }

    /// `2026-03-08T07:00:00Z` → Date.
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    /// The fires in (from, to], formatted in the timeline's zone.
    static func fires(_ timeline: ScheduleTimeline, from: String, to: String) -> [String] {
        timeline.instants(after: instant(from), through: instant(to), limit: 10_000).map(timeline.format)
    }

    @Test func aFixedTimeInTheSkippedHourFiresOnceWhenTheGapEnds() throws {
        let t = try Self.timeline("30 2 * * *")
        #expect(Self.fires(t, from: "2026-03-07T00:00:00Z", to: "2026-03-10T00:00:00Z") == [
            "2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00",
        ])
    }

    @Test func severalSkippedTimesCollapseIntoOneFire() throws {
        // 02:00, 02:15, 02:30 and 02:45 do not exist on 8 March; 03:00 is also a time of its own.
        let t = try Self.timeline("0,15,30,45 2,3 * * *")
        #expect(Self.fires(t, from: "2026-03-08T05:00:00Z", to: "2026-03-08T09:00:00Z") == [
            "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00", "2026-03-08T03:30:00-04:00", "2026-03-08T03:45:00-04:00",
        ])
        // Every minute of the skipped hour, with a fixed hour, is one fire too.
        let everyMinute = try Self.timeline("* 2 * * *")
        #expect(Self.fires(everyMinute, from: "2026-03-08T05:00:00Z", to: "2026-03-08T09:00:00Z") == ["2026-03-08T03:00:00-04:00"])
    }

    @Test func aFixedTimeInTheRepeatedHourFiresOnceAtItsFirstOccurrence() throws {
        let t = try Self.timeline("30 1 * * *")
        #expect(Self.fires(t, from: "2026-10-31T12:00:00Z", to: "2026-11-02T12:00:00Z") == [
            "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
        ])
        let everyMinute = try Self.timeline("* 1 * * *")
        let repeated = Self.fires(everyMinute, from: "2026-11-01T04:00:00Z", to: "2026-11-01T08:00:00Z")
        #expect(repeated.count == 60)
        #expect(repeated.allSatisfy { $0.hasSuffix("-04:00") })
    }

    @Test func aWildcardHourFollowsRealTimeAcrossBothChanges() throws {
        let t = try Self.timeline("*/15 * * * *")
        // Spring: no 02:xx local; 03:00 EDT comes 15 minutes after 01:45 EST.
        #expect(Self.fires(t, from: "2026-03-08T06:30:00Z", to: "2026-03-08T07:30:00Z") == [
            "2026-03-08T01:45:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:15:00-04:00", "2026-03-08T03:30:00-04:00",
        ])
        // Autumn: 01:00-01:45 fire in both occurrences, still every 15 minutes of real time.
        #expect(Self.fires(t, from: "2026-11-01T04:50:00Z", to: "2026-11-01T07:00:00Z") == [
            "2026-11-01T01:00:00-04:00", "2026-11-01T01:15:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:45:00-04:00",
            "2026-11-01T01:00:00-05:00", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-05:00", "2026-11-01T01:45:00-05:00",
            "2026-11-01T02:00:00-05:00",
        ])
        // Whole local days: 23 hours in March, 25 in November.
        #expect(Self.fires(t, from: "2026-03-08T04:59:59Z", to: "2026-03-09T03:59:59Z").count == 23 * 4)
        #expect(Self.fires(t, from: "2026-11-01T03:59:59Z", to: "2026-11-02T04:59:59Z").count == 25 * 4)
        let hourly = try Self.timeline("@hourly")
        #expect(Self.fires(hourly, from: "2026-11-01T03:59:59Z", to: "2026-11-02T04:59:59Z").count == 25)
        #expect(Self.fires(hourly, from: "2026-03-08T04:59:59Z", to: "2026-03-09T03:59:59Z").count == 23)
    }

    @Test func dayOfMonthAndDayOfWeekCombineWithOr() throws {
        // The 1st, the 15th and every Monday of March 2026 (Mondays: 2, 9, 16, 23, 30).
        let t = try Self.timeline("0 12 1,15 * mon", TimeZone(identifier: "UTC")!)
        let days = Self.fires(t, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z").map { String($0.prefix(10)) }
        #expect(days == ["2026-03-01", "2026-03-02", "2026-03-09", "2026-03-15", "2026-03-16", "2026-03-23", "2026-03-30"])
        // With `*` in one day field only the other counts.
        let mondays = try Self.timeline("0 12 * * 1", TimeZone(identifier: "UTC")!)
        #expect(Self.fires(mondays, from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z").count == 5)
    }

    @Test func nextFindsLeapDaysAndSaysWhenNothingEverFires() throws {
        let utc = TimeZone(identifier: "UTC")!
        let leap = try Self.timeline("0 0 29 2 *", utc)
        #expect(leap.next(after: Self.instant("2026-12-07T00:00:00Z")).map(leap.format) == "2028-02-29T00:00:00+00:00")
        #expect(try Self.timeline("0 0 30 2 *", utc).next(after: Self.instant("2026-12-07T00:00:00Z")) == nil)
        // Strictly after: a fire at exactly the start is not returned.
        let daily = try Self.timeline("@daily", utc)
        #expect(daily.next(after: Self.instant("2026-12-07T00:00:00Z")).map(daily.format) == "2026-12-08T00:00:00+00:00")
    }

    @Test func formatUsesTheZonesOffsetAtThatInstant() throws {
        let kolkata = try Self.timeline("0 9 * * *", TimeZone(identifier: "Asia/Kolkata")!)
        #expect(kolkata.next(after: Self.instant("2026-12-07T00:00:00Z")).map(kolkata.format) == "2026-12-07T09:00:00+05:30")
        let utc = try Self.timeline("0 2 * * *", TimeZone(identifier: "UTC")!)
        #expect(utc.next(after: Self.instant("2026-12-07T00:00:00Z")).map(utc.format) == "2026-12-07T02:00:00+00:00")
        // Lord Howe moves by 30 minutes: 02:00 local does not exist on 4 October 2026 and fires at 02:30.
        let lordHowe = try Self.timeline("0 2 * * *", TimeZone(identifier: "Australia/Lord_Howe")!)
        #expect(Self.fires(lordHowe, from: "2026-10-03T12:00:00Z", to: "2026-10-04T12:00:00Z") == ["2026-10-04T02:30:00+11:00"])
    }

    @Test func limitAndOrderHold() throws {
        let t = try Self.timeline("* * * * *")
        let first = t.instants(after: Self.instant("2026-11-01T05:58:30Z"), through: nil, limit: 3)
        #expect(first.map(t.format) == ["2026-11-01T01:59:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:01:00-05:00"])
        #expect(first == first.sorted())
    }
}

/// What a schedule does with the times that came due while nobody looked.
@Suite struct CatchupDecisionTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)
    /// Due times every hour for `count` hours, the last at `base`.
    static func hourly(_ count: Int) -> [Date] {
        (0..<count).map { base.addingTimeInterval(TimeInterval(-3600 * (count - 1 - $0))) }
    }

    @Test func latestRunsTheMostRecentAndRecordsTheRestAsOneSkippedRange() {
        let due = Self.hourly(4)
        let decided = CatchupDecision.decide(due, now: Self.base.addingTimeInterval(20), policy: .init())
        #expect(decided.map(\.kind) == [.skipped, .fire])
        #expect(decided[0].scheduled == due[0] && decided[0].through == due[2] && decided[0].count == 3)
        #expect(decided[0].reason == "catchup: latest runs only the most recent missed time")
        #expect(decided[1].scheduled == due[3] && decided[1].count == 1)
    }

    @Test func allRunsEveryTimeInsideTheWindow() {
        let due = Self.hourly(5)
        let decided = CatchupDecision.decide(due, now: Self.base, policy: .init(catchup: .all, window: 2.5 * 3600))
        #expect(decided.map(\.kind) == [.skipped, .fire, .fire, .fire])
        #expect(decided[0].count == 2 && decided[0].reason == "older than catchup-window 2h30m")
        // Without a window, a day.
        #expect(CatchupDecision.decide(due, now: Self.base, policy: .init(catchup: .all)).allSatisfy { $0.kind == .fire })
    }

    @Test func noneRunsOnlyAnOnTimeFire() {
        let due = Self.hourly(3)
        let onTime = CatchupDecision.decide(due, now: Self.base.addingTimeInterval(59), policy: .init(catchup: .none))
        #expect(onTime.map(\.kind) == [.skipped, .fire])
        let late = CatchupDecision.decide(due, now: Self.base.addingTimeInterval(61), policy: .init(catchup: .none))
        #expect(late.map(\.kind) == [.skipped])
        #expect(late[0].count == 3 && late[0].reason == "catchup: none runs no missed time")
    }

    @Test func aFirePastItsDeadlineIsRecordedAsMissed() {
        let due = Self.hourly(3)
        let decided = CatchupDecision.decide(due, now: Self.base.addingTimeInterval(600),
                                             policy: .init(catchup: .all, deadline: 3600))
        // 2h10m and 1h10m late: missed (one range); 10m late: runs.
        #expect(decided.map(\.kind) == [.missed, .fire])
        #expect(decided[0].count == 2 && decided[0].reason == "past its starting-deadline 1h")
        let latest = CatchupDecision.decide([Self.base], now: Self.base.addingTimeInterval(301), policy: .init(deadline: 300))
        #expect(latest.map(\.kind) == [.missed])
        #expect(CatchupDecision.decide([], now: Self.base, policy: .init()).isEmpty)
    }
}
