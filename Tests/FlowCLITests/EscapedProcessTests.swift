import Foundation
import Testing
import FlowTestSupport

/// Step processes that shed every mark flow's marker sweep relies on: the environment
/// (`env -i`, no `FLOW_STEP_ID`), the process group and session (`setsid`) and the parent (a
/// subshell that exits). They still die with their step, because `flow` and each step's leader
/// are child subreapers: what a step orphans stays in flow's tree (AdoptedOrphans).
@Suite struct EscapedProcessTests {
    /// The pids of live (not zombie) processes whose command line is `sleep <seconds>`.
    static func sleepers(_ seconds: String) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  cmdline.split(separator: 0).map({ String(decoding: $0, as: UTF8.self) }) == ["sleep", seconds],
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(close, offsetBy: 2)] != "Z"
        }
    }

    /// A `sleep` duration no other test uses, so the test finds exactly its own daemons.
    static func uniqueSeconds() -> String { "999.\(UInt32.random(in: 100_000...999_999))" }

    /// A script line that starts `sleep SECONDS` detached in every way and writes its pid.
    static func detach(_ seconds: String, pidFile: String) -> String {
        "(sh -c 'echo $$ > \(pidFile); exec env -i setsid sleep \(seconds)' >/dev/null 2>&1 &)"
    }

    static func killAll(_ seconds: String) {
        for pid in sleepers(seconds) { kill(pid, SIGKILL) }
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenItsStepEnds() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let seconds = Self.uniqueSeconds()
        defer { Self.killAll(seconds) }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              spawn: { run: "\(Self.detach(seconds, pidFile: "daemon.pid")); while [ ! -s daemon.pid ]; do sleep 0.01; done" }
              after: { needs: [spawn], run: "! kill -0 $(cat daemon.pid) 2>/dev/null" }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(Self.sleepers(seconds).isEmpty)
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenItsStepTimesOut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let seconds = Self.uniqueSeconds()
        defer { Self.killAll(seconds) }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              spawn: { timeout: 1s, run: "\(Self.detach(seconds, pidFile: "daemon.pid")); sleep 999" }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("timed out"))
        #expect(dir.lines("daemon.pid").count == 1)
        #expect(Self.sleepers(seconds).isEmpty)
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenTheRunIsCancelled() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let seconds = Self.uniqueSeconds()
        defer { Self.killAll(seconds) }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              spawn: { run: "\(Self.detach(seconds, pidFile: "daemon.pid")); while [ ! -s daemon.pid ]; do sleep 0.01; done; echo ready; sleep 999" }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ spawn")
        var tries = 0
        while Self.sleepers(seconds).isEmpty && tries < 1000 {
            tries += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.sleepers(seconds).count == 1)
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 130)
        #expect(Self.sleepers(seconds).isEmpty)
    }

    /// A step's detached helper lives as long as its step, however other steps end meanwhile:
    /// only the tree of a leader that ended is swept.
    @Test func anotherStepEndingLeavesARunningStepsDaemonAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let seconds = Self.uniqueSeconds()
        defer { Self.killAll(seconds) }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              server: { run: "\(Self.detach(seconds, pidFile: "daemon.pid")); while [ ! -e quick-done ]; do sleep 0.01; done; sleep 0.2; kill -0 $(cat daemon.pid)" }
              quick: { run: "while [ ! -s daemon.pid ]; do sleep 0.01; done; touch quick-done" }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(Self.sleepers(seconds).isEmpty)
    }
}
