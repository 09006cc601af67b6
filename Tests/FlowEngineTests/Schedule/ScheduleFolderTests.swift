import Foundation
import Synchronization
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// The daemon's view of `pipelines/`: edits, additions and removals without a restart; a bad
/// edit keeps the last good version.
@Suite struct ScheduleFolderTests {
    static func pipeline(_ name: String, _ crons: [String]) -> String {
        "name: \(name)\nschedule:\n" + crons.map { "  - cron: \"\($0)\"\n" }.joined() + "steps:\n  a: { run: \"true\" }\n"
    }

    @Test func editsAdditionsAndRemovalsTakeEffectAndABadEditKeepsTheLastGoodVersion() throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("a.yml", Self.pipeline("a", ["0 2 * * *"]))
        var folder = project.folder()
        var changes = folder.refresh()
        #expect(changes.count == 1)
        #expect(folder.rules.map(\.key) == ["0 2 * * * UTC"])
        // Nothing changed: nothing to say.
        #expect(folder.refresh().isEmpty)

        // An edit, and a new file.
        try project.write("a.yml", Self.pipeline("a", ["0 2 * * *", "*/5 * * * *"]))
        try project.write("b.yaml", Self.pipeline("b", ["@daily"]))
        changes = folder.refresh()
        #expect(changes.count == 2)
        #expect(folder.rules.map { "\($0.pipeline) \($0.key)" } == ["a 0 2 * * * UTC", "a */5 * * * * UTC", "b @daily UTC"])

        // A broken edit: located problems, the last good version stays in force.
        try project.write("a.yml", Self.pipeline("a", ["0 25 * * *", "*/5 * * * *"]))
        changes = folder.refresh()
        guard case .invalid(let file, let diagnostics, let keeping)? = changes.first else {
            Issue.record("expected the file to be reported invalid: \(changes)")
            return
        }
        #expect(file.hasSuffix("pipelines/a.yml") && keeping == 2)
        #expect(diagnostics.contains { $0.location.line == 3 && $0.message.contains("out of range") })
        #expect(folder.rules.count == 3)
        // Said once, not on every look.
        #expect(folder.refresh().isEmpty)

        // Fixed; then removed.
        try project.write("a.yml", Self.pipeline("a", ["0 3 * * *"]))
        _ = folder.refresh()
        #expect(folder.rules.map(\.key) == ["0 3 * * * UTC", "@daily UTC"])
        try FileManager.default.removeItem(at: project.dir.file("pipelines/a.yml"))
        changes = folder.refresh()
        guard case .removed? = changes.first else {
            Issue.record("expected a removal: \(changes)")
            return
        }
        #expect(folder.rules.map(\.pipeline) == ["b"])
    }

    @Test func aFileThatNeverCheckedHasNoEntriesAndAFifoDoesNotBlock() throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("bad.yml", "name: bad\nschedule: [{ cron: \"0 2 * * *\", timezone: Mars/Olympus }]\nsteps:\n  a: { run: \"true\" }\n")
        #expect(mkfifo(project.dir.file("pipelines/pipe.yml").path, 0o600) == 0)
        var folder = project.folder()
        let changes = folder.refresh()
        #expect(changes.count == 2)
        for change in changes {
            guard case .invalid(_, let diagnostics, let keeping) = change else {
                Issue.record("expected invalid: \(change)")
                continue
            }
            #expect(keeping == nil && !diagnostics.isEmpty)
        }
        #expect(folder.rules.isEmpty)
    }

    @Test func aSecondFileWithTheSameNameIsRefused() throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("a.yml", Self.pipeline("same", ["0 2 * * *"]))
        try project.write("b.yml", Self.pipeline("same", ["0 3 * * *"]))
        var folder = project.folder()
        let changes = folder.refresh()
        #expect(folder.rules.map(\.key) == ["0 2 * * * UTC"])
        #expect(changes.contains { change in
            if case .invalid(let file, let diagnostics, _) = change {
                return file.hasSuffix("b.yml") && diagnostics.first?.message.contains("already used by") == true
            }
            return false
        })
    }

    @Test func anEntryKeyIsWhatItSaysNotWhereItIs() throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", """
            name: p
            params: { region: { type: string, default: us-east-1 } }
            profiles: { prod: { region: eu-west-1 } }
            schedule:
              - cron: "0 2 * * *"
                timezone: Europe/Berlin
                profile: prod
                params: { region: eu-central-1 }
            steps:
              a: { run: "true" }
            """)
        var folder = project.folder()
        _ = folder.refresh()
        let rule = try #require(folder.rules.first)
        #expect(rule.key.hasPrefix("0 2 * * * Europe/Berlin profile=prod params="))
        #expect(!rule.key.contains("eu-central-1"))
        #expect(rule.params == ["region=eu-central-1"] && rule.profile == "prod")
    }
}

/// The daemon's bookkeeping through the real database: catch-up from when an entry was first
/// seen, forgetting a removed entry, deadlines and the outcome of each run.
@Suite struct ScheduleDaemonTests {
    @Test func aNewEntryCatchesUpOnlyFromAMinuteBeforeItWasFirstSeen() async throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", ScheduleFolderTests.pipeline("p", ["*/10 * * * *"]))
        // 12:00:30 UTC: the 12:00 fire is within the minute before; 11:50 is not.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_030))
        let (daemon, launcher) = try project.daemon("A", clock: clock)
        await daemon.tick()
        await daemon.waitForRuns()
        #expect(launcher.all.map(\.scheduledSecond) == [1_800_000_000])
        clock.advance(by: 600)
        await daemon.tick()
        await daemon.waitForRuns()
        #expect(launcher.all.map(\.scheduledSecond) == [1_800_000_000, 1_800_000_600])
        #expect(try project.database.fires().map(\.outcome) == ["succeeded", "succeeded"])
    }

    @Test func aRemovedEntryDoesNotCatchUpWhenItComesBack() async throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", ScheduleFolderTests.pipeline("p", ["0 * * * *"]))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_030))
        let (daemon, launcher) = try project.daemon("A", clock: clock)
        await daemon.tick()
        try FileManager.default.removeItem(at: project.dir.file("pipelines/p.yml"))
        clock.advance(by: 3 * 3600)
        await daemon.tick()
        try project.write("p.yml", ScheduleFolderTests.pipeline("p", ["0 * * * *"]))
        clock.advance(by: 600)
        await daemon.tick()
        await daemon.waitForRuns()
        // Only the first fire: the hours it was gone are not caught up, and nothing is recorded for them.
        #expect(launcher.all.map(\.scheduledSecond) == [1_800_000_000])
        #expect(try project.database.fires().count == 1)
    }

    @Test func aDaemonThatWasDownRecordsWhatItMissedAndWhy() async throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", """
            name: p
            schedule:
              - cron: "*/15 * * * *"
                catchup: all
                catchup-window: 1h
                starting-deadline: 20m
            steps:
              a: { run: "true" }
            """)
        let events = DaemonEvents()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_030))
        let (daemon, launcher) = try project.daemon("A", clock: clock, events: events)
        await daemon.tick()
        // Down for two hours (08:00:30 to 10:00:30 UTC): 8 times came due. 08:15-09:00 are
        // older than the 1h window (skipped), 09:15 and 09:30 are past the 20m deadline
        // (missed), 09:45 (15m30s late) and 10:00 run.
        clock.advance(by: 2 * 3600)
        let recorded = await daemon.tick()
        await daemon.waitForRuns()
        #expect(recorded.map(\.decision) == ["skipped", "missed", "fire", "fire"])
        #expect(recorded.map(\.count) == [4, 2, 1, 1])
        #expect(recorded[0].reason == "older than catchup-window 1h")
        #expect(recorded[1].reason == "past its starting-deadline 20m")
        #expect(recorded[1].scheduledSecond == 1_800_004_500 && recorded[1].throughSecond == 1_800_005_400)
        #expect(launcher.all.map(\.scheduledSecond) == [1_800_000_000, 1_800_006_300, 1_800_007_200])
        let decided = events.all.filter { if case .decided = $0 { true } else { false } }
        #expect(decided.count == 2)
    }

    @Test func aLongOutageIsDecidedInBatchesAndLatestStillRunsTheMostRecentTime() throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", ScheduleFolderTests.pipeline("p", ["* * * * *"]))
        var folder = project.folder()
        _ = folder.refresh()
        let rule = try #require(folder.rules.first)
        let start = Date(timeIntervalSince1970: 1_800_000_030)
        #expect(try project.database.claimFires(rule, now: start, by: "A").map(\.scheduledSecond) == [1_800_000_000])
        // 30 minutes later, decided 7 at a time: 29 older times skipped (in batch-sized ranges), 12:30 runs.
        let rows = try project.database.claimFires(rule, now: start.addingTimeInterval(1800), by: "A", limit: 7)
        #expect(rows.filter { $0.decision == "fire" }.map(\.scheduledSecond) == [1_800_001_800])
        #expect(rows.filter { $0.decision == "skipped" }.map(\.count).reduce(0, +) == 29)
        #expect(rows.allSatisfy { $0.decision != "missed" })
    }

    @Test func aFireClaimedWhileStoppingIsRecordedCancelledNotStarted() async throws {
        let project = try ScheduleProject()
        defer { project.dir.remove() }
        try project.write("p.yml", ScheduleFolderTests.pipeline("p", ["* * * * *"]))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_030))
        let (daemon, launcher) = try project.daemon("A", clock: clock)
        await daemon.stop()
        await daemon.tick()
        await daemon.waitForRuns()
        #expect(launcher.all.isEmpty)
        let fires = try project.database.fires()
        #expect(fires.map(\.outcome) == ["cancelled"])
        #expect(fires.first?.reason == "the daemon was stopping")
    }
}
