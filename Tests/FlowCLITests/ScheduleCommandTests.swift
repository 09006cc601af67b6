import Foundation
import Testing
import FlowTestSupport

/// `flow schedule` through the binary: real `flow run` children, the real clock moved by the
/// hidden `--clock-offset` (the schedule's clock, not the machine's), signals.
@Suite struct ScheduleCommandTests {
    /// An every-minute entry whose one step runs `script`.
    static func everyMinute(_ script: String, name: String = "tick", extra: String = "") -> String {
        """
        name: \(name)
        \(extra)
        schedule:
          - cron: "* * * * *"
        steps:
          work: { run: '\(script)' }
        """
    }

    static func project(_ pipeline: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.file("pipelines"), withIntermediateDirectories: true)
        _ = try dir.write("pipelines/p.yml", pipeline)
        return dir
    }

    /// `flow schedule list --json`, one object per entry.
    static func entries(_ dir: TemporaryDirectory) async throws -> [[String: Any]] {
        let list = try await runFlow(["schedule", "list", "--json"], currentDirectory: dir.url)
        #expect(list.status == 0, "\(list.stderr)")
        return try list.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func theDaemonRunsARealPipelineFromARealClockAndStopsCleanlyOnSigterm() async throws {
        let dir = try Self.project(Self.everyMinute("echo ran >> ledger"))
        defer { dir.remove() }
        // Move the schedule's clock to second 57 of a minute: the new entry fires that minute's
        // time at once (it came due within the minute before the entry was seen), and the next
        // minute's when the clock reaches it, three seconds later.
        let second = Int(Date().timeIntervalSince1970) % 60
        let offset = (57 - second + 60) % 60
        let daemon = try await startFlow(["schedule", "--clock-offset", String(offset)], currentDirectory: dir.url,
                                         waitingFor: "flow schedule: watching pipelines")
        // Two runs succeeded: under load the daemon may start after the minute turned, and the
        // second fire is then a minute later; allow three minutes of real time.
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline, ((try? await Runs.list(in: dir)) ?? []).filter({ $0["status"] as? String == "succeeded" }).count < 2 {
            try await Task.sleep(for: .milliseconds(200))
        }
        daemon.terminate()
        await daemon.exited()
        #expect(daemon.terminationStatus == 0)
        // Read after the daemon stopped: a third fire may have started meanwhile (and been cancelled).
        let runs = try await Runs.list(in: dir)
        let succeeded = runs.filter { $0["status"] as? String == "succeeded" }
        #expect(succeeded.count >= 2)
        #expect(runs.allSatisfy { ["succeeded", "cancelled"].contains($0["status"] as? String ?? "") })
        let triggers = runs.compactMap { $0["trigger"] as? [String: String] }
        #expect(triggers.count == runs.count)
        #expect(triggers.allSatisfy { $0["kind"] == "schedule" && $0["entry"] == "* * * * * UTC" })
        #expect(Set(triggers.compactMap { $0["scheduledAt"] }).count == runs.count)
        #expect((succeeded.count...runs.count).contains(dir.lines("ledger").count))
        let entry = try #require(try await Self.entries(dir).first)
        let last = try #require(entry["last"] as? [String: Any])
        #expect(last["decision"] as? String == "fire")
        #expect(last["runId"] as? String != nil)
    }

    @Test func sigtermCancelsTheRunsItStartedAndRecordsThem() async throws {
        let dir = try Self.project(Self.everyMinute("touch started; sleep 600"))
        defer { dir.remove() }
        let daemon = try await startFlow(["schedule"], currentDirectory: dir.url, waitingFor: "fire tick")
        // The fire is said before its `flow run` has started the step; under load that can take
        // a while, so wait for the step's own mark (at most two minutes), not for a time.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !FileManager.default.fileExists(atPath: dir.file("started").path) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(FileManager.default.fileExists(atPath: dir.file("started").path))
        daemon.terminate()
        await daemon.exited()
        #expect(daemon.terminationStatus == 0)
        let run = try #require(try await Runs.list(in: dir).first)
        let id = try #require(run["id"] as? String)
        #expect(run["status"] as? String == "cancelled")
        #expect(stepProcesses(ofRun: id).isEmpty)
        // The last fire is this run's, or one a minute later stopped before its run began:
        // either way it is recorded cancelled.
        let last = try #require(try await Self.entries(dir).first?["last"] as? [String: Any])
        #expect(last["outcome"] as? String == "cancelled")
        if let fired = last["runId"] as? String { #expect(fired == id) }
    }

    @Test func sigtermDuringOnceCancelsItsRunsAndExits130() async throws {
        let dir = try Self.project(Self.everyMinute("touch started; sleep 600"))
        defer { dir.remove() }
        let once = try await startFlow(["schedule", "--once"], currentDirectory: dir.url, waitingFor: "fire tick")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !FileManager.default.fileExists(atPath: dir.file("started").path) {
            try await Task.sleep(for: .milliseconds(100))
        }
        once.terminate()
        await once.exited()
        #expect(once.terminationStatus == 130)
        let run = try #require(try await Runs.list(in: dir).first)
        #expect(run["status"] as? String == "cancelled")
        #expect(stepProcesses(ofRun: try #require(run["id"] as? String)).isEmpty)
    }

    @Test func onceFiresWhatIsDueWaitsAndSaysHowItEnded() async throws {
        let dir = try Self.project(Self.everyMinute("test -e ok"))
        defer { dir.remove() }
        // A new entry's most recent time (within the minute before) is due; the run fails.
        let failed = try await runFlow(["schedule", "--once"], currentDirectory: dir.url)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("fire tick \"* * * * * UTC\" at "))
        #expect(failed.stdout.contains(": run ") && failed.stdout.hasSuffix(" failed\n"))
        let run = try #require(try await Runs.list(in: dir).first)
        #expect((run["trigger"] as? [String: String])?["kind"] == "schedule")
        // The same minute again: nothing is due, so nothing runs; exit 0.
        let again = try await runFlow(["schedule", "--once"], currentDirectory: dir.url)
        if again.stdout.contains("fire ") {
            // The minute turned between the two calls: that fire is a new time, never the same one.
            #expect(Set(try await Runs.list(in: dir).compactMap { ($0["trigger"] as? [String: String])?["scheduledAt"] }).count == 2)
        } else {
            #expect(again.status == 0)
            #expect(try await Runs.list(in: dir).count == 1)
        }
    }

    @Test func previewPrintsInstantsWithTheEntrysOffset() async throws {
        let dir = try Self.project("""
            name: nightly
            schedule:
              - cron: "30 2 * * *"
                timezone: America/New_York
              - cron: "0 6 * * *"
            steps:
              a: { run: "true" }
            """)
        defer { dir.remove() }
        let preview = try await runFlow(["schedule", "preview", "pipelines/p.yml", "--from", "2026-03-07T12:00:00Z", "--count", "4"],
                                        currentDirectory: dir.url)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout == """
            2026-03-08T06:00:00+00:00  0 6 * * * UTC
            2026-03-08T03:00:00-04:00  30 2 * * * America/New_York
            2026-03-09T06:00:00+00:00  0 6 * * * UTC
            2026-03-09T02:30:00-04:00  30 2 * * * America/New_York

            """)
        let badFrom = try await runFlow(["schedule", "preview", "pipelines/p.yml", "--from", "tomorrow"], currentDirectory: dir.url)
        #expect(badFrom.status == 2)
        #expect(badFrom.stderr.contains("--from `tomorrow` is not an ISO 8601 date-time"))
        _ = try dir.write("pipelines/none.yml", "name: none\nsteps:\n  a: { run: \"true\" }\n")
        let none = try await runFlow(["schedule", "preview", "pipelines/none.yml"], currentDirectory: dir.url)
        #expect(none.status == 2 && none.stderr == "flow: pipelines/none.yml has no schedule: entries\n")
        _ = try dir.write("pipelines/bad.yml", "name: bad\nschedule: [{ cron: \"0 2 * * 8\" }]\nsteps:\n  a: { run: \"true\" }\n")
        let bad = try await runFlow(["schedule", "preview", "pipelines/bad.yml"], currentDirectory: dir.url)
        #expect(bad.status == 2 && bad.stderr.contains("pipelines/bad.yml:2:"))
        // `list` shows the valid ones and says what is wrong with the others (exit 2).
        let list = try await runFlow(["schedule", "list"], currentDirectory: dir.url)
        #expect(list.status == 2)
        #expect(list.stdout.contains("nightly   30 2 * * * America/New_York"))
        #expect(list.stderr.contains("pipelines/bad.yml is not valid; its entries do not fire until it is fixed"))
    }

    /// A pipeline in concurrency group `g` whose step logs `<who> start`, waits for `go-<who>`
    /// (or sleeps when `sleepy`), then logs `<who> end`. `who` is a param: `hand` for the run
    /// started by hand, `cron` (the schedule entry's) for the fire's.
    static func grouped(_ policy: String, sleepy: Bool = false) -> String {
        let wait = sleepy ? "sleep 999" : "until test -e go-${{ params.who }}; do sleep 0.05; done"
        return """
            name: grouped
            params: { who: { type: string, default: hand } }
            concurrency: { group: g, policy: \(policy) }
            schedule:
              - cron: "* * * * *"
                params: { who: cron }
            steps:
              work: { run: 'echo "${{ params.who }} start" >> ledger; \(wait); echo "${{ params.who }} end" >> ledger' }
            """
    }

    @Test func forbidRecordsTheFireAsSkippedWithTheRunningRun() async throws {
        let dir = try Self.project(Self.grouped("forbid"))
        defer { dir.remove() }
        let hand = try await startFlow(["run", "pipelines/p.yml"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        let once = try await runFlow(["schedule", "--once"], currentDirectory: dir.url)
        dir.touch("go-hand")
        await hand.exited()
        #expect(once.status == 0, "\(once.stdout)\(once.stderr)")
        #expect(once.stdout.contains(": skipped: run \(id) of concurrency group g was still running (policy forbid)"))
        let last = try #require(try await Self.entries(dir).first?["last"] as? [String: Any])
        #expect(last["outcome"] as? String == "skipped")
        #expect(try await Runs.list(in: dir).count == 1)
        #expect(dir.lines("ledger") == ["hand start", "hand end"])
    }

    @Test func queueRunsTheFireWhenTheRunningRunEnds() async throws {
        let dir = try Self.project(Self.grouped("queue"))
        defer { dir.remove() }
        let hand = try await startFlow(["run", "pipelines/p.yml"], currentDirectory: dir.url, waitingFor: "▸ work")
        dir.touch("go-cron")
        let once = try await startFlow(["schedule", "--once"], currentDirectory: dir.url,
                                       waitingFor: "waiting for run", includingStandardError: true)
        dir.touch("go-hand")
        await hand.exited()
        await once.exited()
        #expect(hand.terminationStatus == 0 && once.terminationStatus == 0)
        #expect(dir.lines("ledger") == ["hand start", "hand end", "cron start", "cron end"])
        let runs = try await Runs.list(in: dir)
        #expect(runs.map { $0["status"] as? String } == ["succeeded", "succeeded"])
        #expect((runs.first?["trigger"] as? [String: String])?["kind"] == "schedule")
    }

    @Test func replaceCancelsTheRunningRunAndRunsTheFire() async throws {
        let dir = try Self.project(Self.grouped("replace", sleepy: true).replacingOccurrences(of: "sleep 999", with: "sleep 999; true"))
        defer { dir.remove() }
        let hand = try await startFlow(["run", "pipelines/p.yml"], currentDirectory: dir.url, waitingFor: "▸ work")
        let handID = try await Runs.newestID(in: dir)
        // The fire's own run must end: replace its wait with a plain echo through its param.
        _ = try dir.write("pipelines/p.yml", Self.grouped("replace", sleepy: true).replacingOccurrences(
            of: "sleep 999", with: "test \"${{ params.who }}\" = cron || sleep 999"))
        let once = try await runFlow(["schedule", "--once"], currentDirectory: dir.url)
        await hand.exited()
        #expect(once.status == 0, "\(once.stdout)\(once.stderr)")
        #expect(hand.terminationStatus == 130)
        #expect(try await Runs.status(handID, in: dir)["status"] as? String == "cancelled")
        let newest = try #require(try await Runs.list(in: dir).first)
        #expect(newest["status"] as? String == "succeeded")
        #expect((newest["trigger"] as? [String: String])?["kind"] == "schedule")
        #expect(dir.lines("ledger") == ["hand start", "cron start", "cron end"])
    }
}
