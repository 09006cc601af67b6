import Foundation
import Synchronization
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// Records each run a daemon starts, and ends it at once as succeeded.
final class RecordingLauncher: FireLauncher {
    struct Launch: Hashable, Sendable {
        var entry: String
        var scheduledSecond: Int64
        var daemon: String
        var decidedAt: Date
    }

    private let launches = Mutex<[Launch]>([])
    let daemon: String

    init(daemon: String) { self.daemon = daemon }

    func run(_ fire: FireRecord, rule: ScheduleRule) async -> FireEnd {
        launches.withLock { $0.append(Launch(entry: fire.entry, scheduledSecond: fire.scheduledSecond, daemon: daemon, decidedAt: fire.decidedAt)) }
        return FireEnd(outcome: "succeeded")
    }

    var all: [Launch] { launches.withLock { $0 } }
}

/// The events a daemon reported.
final class DaemonEvents: Sendable {
    private let events = Mutex<[ScheduleDaemon.Event]>([])
    func add(_ event: ScheduleDaemon.Event) { events.withLock { $0.append(event) } }
    var all: [ScheduleDaemon.Event] { events.withLock { $0 } }
}

/// A project folder with `pipelines/` and a state database, for daemons under test.
struct ScheduleProject {
    let dir: TemporaryDirectory
    let database: RunDatabase

    init() throws {
        dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.file("pipelines"), withIntermediateDirectories: true)
        database = try RunDatabase(path: dir.file("flow.db").path)
    }

    var pipelines: String { dir.file("pipelines").path }

    func write(_ name: String, _ text: String) throws {
        _ = try dir.write("pipelines/\(name)", text)
    }

    func folder() -> ScheduleFolder {
        ScheduleFolder(folder: pipelines, source: PipelineSource(stepsDirectory: dir.file("steps").path, builtins: .builtins))
    }

    /// A daemon over this project on its own database connection (as a second process would
    /// have), its own clock and a recording launcher.
    func daemon(_ name: String, clock: ManualClock, events: DaemonEvents? = nil) throws -> (ScheduleDaemon, RecordingLauncher) {
        let launcher = RecordingLauncher(daemon: name)
        let connection = try RunDatabase(path: dir.file("flow.db").path)
        let daemon = ScheduleDaemon(folder: folder(), database: connection, clock: clock, launcher: launcher, identity: name) { event in
            events?.add(event)
        }
        return (daemon, launcher)
    }
}

/// The proof: two daemons on one database over a whole simulated day of an
/// every-minute schedule plus hourly and daily ones in America/New_York, on each DST day,
/// with a 3-hour outage of both: no time fired twice, none missed, and the catch-up each
/// policy asks for. The expectations are counted from real time (every minute of the day),
/// not from the timeline code under test.
@Suite struct ScheduleSimulationTests {
    static let pipeline = """
        name: sim
        schedule:
          - cron: "* * * * *"
            timezone: America/New_York
            catchup: all
            catchup-window: 4h
          - cron: "0 * * * *"
            timezone: America/New_York
          - cron: "30 1 * * *"
            timezone: America/New_York
          - cron: "30 2 * * *"
            timezone: America/New_York
        steps:
          a: { run: "true" }
        """

    struct Day: Sendable, CustomTestStringConvertible {
        var name: String
        /// Local midnight and the next one, as instants.
        var start: Int64
        var end: Int64
        /// The instants the two daily entries fire at that day.
        var oneThirty: Int64
        var twoThirty: Int64
        var testDescription: String { name }
    }

    static let days = [
        // 8 March 2026: 00:00 EST = 05:00Z; 9 March 00:00 EDT = 04:00Z; 02:30 does not exist and fires at 03:00 EDT (07:00Z).
        Day(name: "spring forward", start: 1_772_946_000, end: 1_773_028_800, oneThirty: 1_772_951_400, twoThirty: 1_772_953_200),
        // 1 November 2026: 00:00 EDT = 04:00Z; 2 November 00:00 EST = 05:00Z; 01:30 fires at its first occurrence (05:30Z).
        Day(name: "fall back", start: 1_793_505_600, end: 1_793_595_600, oneThirty: 1_793_511_000, twoThirty: 1_793_518_200),
    ]

    @Test(arguments: days) func twoDaemonsFireEachTimeOnceAndMissNone(day: Day) async throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("sim.yml", Self.pipeline)
        // Both clocks start just after local midnight; the entries are new, so the catch-up
        // starts a minute before (the midnight fire is due).
        let clockA = ManualClock(Date(timeIntervalSince1970: TimeInterval(day.start) + 1))
        let clockB = ManualClock(Date(timeIntervalSince1970: TimeInterval(day.start) + 1))
        let (a, launchedA) = try project.daemon("A", clock: clockA)
        let (b, launchedB) = try project.daemon("B", clock: clockB)

        // Each daemon wakes at its own uneven pace (a seeded generator: the same run every time).
        var random = SeededGenerator(seed: UInt64(day.start))
        var nextA = Double(day.start) + 1
        var nextB = Double(day.start) + 1.5
        let outage = (Double(day.start) + 10 * 3600 + 30)...(Double(day.start) + 13 * 3600 + 40)
        let last = Double(day.end) - 0.5
        while min(nextA, nextB) <= last {
            let (daemon, clock, isA) = nextA <= nextB ? (a, clockA, true) : (b, clockB, false)
            let at = isA ? nextA : nextB
            if !outage.contains(at) {
                clock.advance(by: at - clock.now().timeIntervalSince1970)
                await daemon.tick()
                await daemon.waitForRuns()
            }
            // After a wake-up that falls in the outage, the daemon comes back when it ends (B 7 s later).
            let wake = at + Double.random(in: 3...50, using: &random)
            let next = outage.contains(wake) ? outage.upperBound + (isA ? 0 : 7) : wake
            if isA { nextA = next } else { nextB = next }
        }

        let launches = launchedA.all + launchedB.all
        let keys = launches.map { "\($0.entry)@\($0.scheduledSecond)" }
        let duplicates = keys.count - Set(keys).count
        #expect(duplicates == 0)
        #expect(Set(launches.map(\.daemon)) == ["A", "B"])

        let fires = try project.database.fires(pipeline: "sim")
        let missed = fires.filter { $0.decision == "missed" }
        #expect(missed.isEmpty)

        // Every minute of real time from local midnight to the next, each exactly once.
        let minute = launches.filter { $0.entry.hasPrefix("* * * * *") }.map(\.scheduledSecond).sorted()
        #expect(minute == Array(stride(from: day.start, to: day.end, by: 60)))
        // Catch-up after the outage (catchup: all): 10:01 to 13:00 all ran, late, at the return.
        let returned = launches.filter { $0.entry.hasPrefix("* * * * *") && $0.scheduledSecond > day.start + 10 * 3600
            && $0.scheduledSecond <= day.start + 13 * 3600 }
        #expect(returned.count == 180)
        #expect(returned.allSatisfy { $0.decidedAt.timeIntervalSince1970 >= outage.upperBound })

        // Hourly: every hour of the day (23 or 25), except 11:00 and 12:00 during the outage,
        // which `catchup: latest` records as one skipped range while 13:00 runs.
        let hourly = launches.filter { $0.entry.hasPrefix("0 * * * *") }.map(\.scheduledSecond).sorted()
        let everyHour = Array(stride(from: day.start, to: day.end, by: 3600))
        let outageHours = [day.start + 11 * 3600, day.start + 12 * 3600]
        #expect(hourly == everyHour.filter { !outageHours.contains($0) })
        let skipped = fires.filter { $0.entry.hasPrefix("0 * * * *") && $0.decision == "skipped" }
        #expect(skipped.map(\.scheduledSecond) == [outageHours[0]])
        #expect(skipped.first?.throughSecond == outageHours[1] && skipped.first?.count == 2)

        // The daily ones: once each, at the DST rule's instant.
        #expect(launches.filter { $0.entry.hasPrefix("30 1 ") }.map(\.scheduledSecond) == [day.oneThirty])
        #expect(launches.filter { $0.entry.hasPrefix("30 2 ") }.map(\.scheduledSecond) == [day.twoThirty])

        // Every time the timeline holds is accounted for: a run or a recorded decision.
        let recordedTimes = fires.map(\.count).reduce(0, +)
        #expect(recordedTimes == minute.count + everyHour.count + 2)
    }
}
