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

    /// A workspace whose pipeline's steps (`steps` is given the line that starts the daemon,
    /// which writes `daemon.pid`) run a daemon with a `sleep` duration of its own.
    struct Workspace {
        let dir: TemporaryDirectory
        let seconds = EscapedProcessTests.uniqueSeconds()

        init(steps: (String) -> String) throws {
            dir = try TemporaryDirectory()
            _ = try dir.write("p.yml", "name: p\nsteps:\n" + steps(EscapedProcessTests.detach(seconds, pidFile: "daemon.pid")))
        }

        var daemons: [Int32] { EscapedProcessTests.sleepers(seconds) }

        func remove() {
            EscapedProcessTests.killAll(seconds)
            dir.remove()
        }
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenItsStepEnds() async throws {
        let w = try Workspace { detach in """
              spawn: { run: "\(detach); while [ ! -s daemon.pid ]; do sleep 0.01; done" }
              after: { needs: [spawn], run: "! kill -0 $(cat daemon.pid) 2>/dev/null" }
            """ }
        defer { w.remove() }
        let r = try await runFlowOrKill(["run", "p.yml"], in: w.dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(w.daemons.isEmpty)
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenItsStepTimesOut() async throws {
        let w = try Workspace { detach in "  spawn: { timeout: 1s, run: \"\(detach); sleep 999\" }\n" }
        defer { w.remove() }
        let r = try await runFlowOrKill(["run", "p.yml"], in: w.dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("timed out"))
        #expect(w.dir.lines("daemon.pid").count == 1)
        #expect(w.daemons.isEmpty)
    }

    @Test func aDaemonThatClearedItsEnvironmentDiesWhenTheRunIsCancelled() async throws {
        let w = try Workspace { detach in "  spawn: { run: \"\(detach); sleep 999\" }\n" }
        defer { w.remove() }
        let process = try await startFlow(["run", "p.yml"], currentDirectory: w.dir.url, waitingFor: "▸ spawn")
        var tries = 0
        while w.daemons.isEmpty && tries < 1000 {
            tries += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(w.daemons.count == 1)
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 130)
        #expect(w.daemons.isEmpty)
    }

    /// A step's detached helper lives as long as its step, however other steps end meanwhile:
    /// only the tree of a leader that ended is swept.
    @Test func anotherStepEndingLeavesARunningStepsDaemonAlone() async throws {
        let w = try Workspace { detach in """
              server: { run: "\(detach); while [ ! -e quick-done ]; do sleep 0.01; done; sleep 0.2; kill -0 $(cat daemon.pid)" }
              quick: { run: "while [ ! -s daemon.pid ]; do sleep 0.01; done; touch quick-done" }
            """ }
        defer { w.remove() }
        let r = try await runFlowOrKill(["run", "p.yml"], in: w.dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(w.daemons.isEmpty)
    }
}
