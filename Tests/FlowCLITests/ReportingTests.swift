import Foundation
import Testing
import FlowTestSupport

/// Where the state is found, and what `flow runs`, `flow logs`, `--json` and JUnit report.
@Suite struct ReportingTests {
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_HOME"] = nil
        return environment
    }

    static let pipeline = """
        name: p
        secrets: [TOKEN]
        env: { TOKEN: tok-a1b2c3d4e5 }
        steps:
          a: { run: echo "first A with $TOKEN" }
          b: { needs: [a], run: "echo B; exit 3", retry: { attempts: 2, backoff: { initial: 10ms } } }
        """

    /// A project (`pipelines/` at its root) with a sub-folder two levels down.
    func project() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("pipelines/p.yml", Self.pipeline)
        try FileManager.default.createDirectory(at: dir.file("docs/deep"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.file("other"), withIntermediateDirectories: true)
        return dir
    }

    @Test func theStateIsFoundAsGitFindsARepository() async throws {
        let dir = try project()
        defer { dir.remove() }
        let run = try await runFlow(["run", "../../pipelines/p.yml"], environment: environment, currentDirectory: dir.file("docs/deep"))
        #expect(run.status == 1, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("runs/flow.db").path))
        #expect(!FileManager.default.fileExists(atPath: dir.file("docs/deep/runs").path))
        // Another folder of the same project reads the same runs, and status says where they are.
        let runs = try await runFlow(["runs"], environment: environment, currentDirectory: dir.file("other"))
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.split(separator: "\n").count == 1)
        let status = try await runFlow(["status"], environment: environment, currentDirectory: dir.file("other"))
        let root = dir.url.resolvingSymlinksInPath().path
        #expect(status.stdout.contains("  state: \(root)/runs\n") || status.stdout.contains("  state: \(dir.url.path)/runs\n"), "\(status.stdout)")
        let json = try await runFlow(["status", "--json"], environment: environment, currentDirectory: dir.file("other"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["stateDirectory"] as? String)?.hasSuffix("/runs") == true)

        // FLOW_HOME and --state-dir still win.
        var home = environment
        home["FLOW_HOME"] = dir.file("elsewhere").path
        #expect(try await runFlow(["runs"], environment: home, currentDirectory: dir.file("other")).stderr
            .contains("no runs yet: \(dir.file("elsewhere").path)/flow.db does not exist"))
        #expect(try await runFlow(["runs", "--state-dir", "mine"], environment: environment, currentDirectory: dir.file("other")).stderr
            .contains("no runs yet: \(dir.file("other/mine").path)/flow.db does not exist"))
    }

    @Test func aFlowMarkerOrFlowYmlMarksTheProjectAndTheNearestWins() async throws {
        for marker in [".flow", "flow.yml"] {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            _ = try dir.write(marker, "")
            _ = try dir.write("ci/p.yml", "name: p\nsteps:\n  a: { run: \"true\" }\n")
            // A nested project (its own pipelines/) keeps its own state.
            _ = try dir.write("nested/pipelines/q.yml", "name: q\nsteps:\n  a: { run: \"true\" }\n")
            #expect(try await runFlow(["run", "p.yml"], environment: environment, currentDirectory: dir.file("ci")).status == 0)
            #expect(FileManager.default.fileExists(atPath: dir.file("runs/flow.db").path), "\(marker)")
            #expect(try await runFlow(["run", "pipelines/q.yml"], environment: environment, currentDirectory: dir.file("nested")).status == 0)
            #expect(FileManager.default.fileExists(atPath: dir.file("nested/runs/flow.db").path), "\(marker)")
        }
    }

    /// Outside any project, state stays in ./runs as before.
    @Test func outsideAProjectTheStateIsInTheCurrentFolder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a: { run: \"true\" }\n")
        #expect(try await runFlow(["run", "p.yml"], environment: environment, currentDirectory: dir.url).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("runs/flow.db").path))
    }

    /// `flow logs RUN | cat` once printed every body first and the headers last; through a pipe
    /// (as here) each header comes before its attempt's log.
    @Test func logsThroughAPipeKeepEachHeaderBeforeItsLog() async throws {
        let dir = try project()
        defer { dir.remove() }
        _ = try await runFlow(["run", "pipelines/p.yml"], environment: environment, currentDirectory: dir.url)
        let id = try await Runs.newestID(in: dir)
        let logs = try await runFlow(["logs", id], environment: environment, currentDirectory: dir.url)
        #expect(logs.stdout == """
            ==> a attempt 1 (succeeded) <==
            first A with ***
            ==> b attempt 1 (failed) <==
            B
            flow: exited with code 3
            ==> b attempt 2 (failed) <==
            B
            flow: exited with code 3

            """, "\(logs.stdout)")
        let last = try await runFlow(["logs", "--last", "a"], environment: environment, currentDirectory: dir.url)
        #expect(last.stdout == "first A with ***\n", "\(last.stderr)")
        let lastAll = try await runFlow(["logs", "--last"], environment: environment, currentDirectory: dir.url)
        #expect(lastAll.stdout == logs.stdout)
        let both = try await runFlow(["logs", "--last", "a", "b"], environment: environment, currentDirectory: dir.url)
        #expect(both.status == 2)
        #expect(both.stderr.contains("with --last, give only the step"))
        let neither = try await runFlow(["logs"], environment: environment, currentDirectory: dir.url)
        #expect(neither.status == 2)
        #expect(neither.stderr.contains("give a run id, or --last for the newest run"))
    }

    @Test func jsonEventsCarryTheirTimeAndRunsShowStartDurationAndTrigger() async throws {
        let dir = try project()
        defer { dir.remove() }
        let run = try await runFlow(["run", "pipelines/p.yml", "--json"], environment: environment, currentDirectory: dir.url)
        let events = Runs.jsonLines(run.stdout)
        #expect(events.count >= 6)
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let times = events.compactMap { ($0["time"] as? String).flatMap(parser.date(from:)) }
        #expect(times.count == events.count)
        #expect(times == times.sorted())
        let id = try await Runs.newestID(in: dir)
        let runs = try await runFlow(["runs"], environment: environment, currentDirectory: dir.url)
        let line = try #require(runs.stdout.split(separator: "\n").first.map(String.init))
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(fields.count == 6, "\(line)")
        #expect(fields[0] == id && fields[1] == "failed" && fields[4] == "p" && fields[5] == "manual")
        #expect(fields[2].hasSuffix("Z") && parser.date(from: fields[2].replacingOccurrences(of: "Z", with: ".000Z")) != nil)
        #expect(fields[3].hasSuffix("s") && Double(fields[3].dropLast()) != nil)
        let json = try await runFlow(["runs", "--json"], environment: environment, currentDirectory: dir.url)
        let item = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(item["seconds"] is Double && item["finishedAt"] is String)
    }

    @Test func junitCasesCarryTheMaskedTailOfTheirLog() async throws {
        let dir = try project()
        defer { dir.remove() }
        _ = try await runFlow(["run", "pipelines/p.yml", "--junit", "report.xml"], environment: environment, currentDirectory: dir.url)
        let xml = try String(contentsOf: dir.file("report.xml"), encoding: .utf8)
        #expect(xml.contains("<system-out>first A with ***\nlog: "), "\(xml)")
        #expect(xml.contains("<system-out>B\nflow: exited with code 3\nlog: "))
        #expect(!xml.contains("tok-a1b2c3d4e5"))
        // Only the last lines of a long log.
        _ = try dir.write("pipelines/long.yml", "name: long\nsteps:\n  many: { run: 'for i in $(seq 1 500); do echo line $i; done' }\n")
        _ = try await runFlow(["run", "pipelines/long.yml", "--junit", "long.xml"], environment: environment, currentDirectory: dir.url)
        let long = try String(contentsOf: dir.file("long.xml"), encoding: .utf8)
        #expect(long.contains("<system-out>line 451\n"))
        #expect(long.contains("line 500\nlog: "))
        #expect(!long.contains("line 450\n"))
    }
}
