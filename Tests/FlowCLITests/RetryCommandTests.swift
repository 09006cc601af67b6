import Foundation
import Testing
import FlowTestSupport

/// `flow retry RUN --step X`, through the built binary.
@Suite struct RetryCommandTests {
    /// token → build → deploy → notify, and lint on its own; each step appends its id to a ledger.
    /// build records the token it received.
    static let pipeline = """
        name: p
        steps:
          token:
            run: echo token >> ledger && echo "v=$(head -c 12 /dev/urandom | base64)" >> "$FLOW_OUTPUT"
            outputs: [v]
          build:
            needs: [token]
            run: echo build >> ledger && printf '%s' "${{ steps.token.outputs.v }}" > got
          deploy: { needs: [build], run: echo deploy >> ledger }
          notify: { needs: [deploy], run: echo notify >> ledger }
          lint: { run: echo lint >> ledger }
        """

    @Test func retryRerunsTheStepAndEverythingDownstreamOfASucceededRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let token = try #require((try await Runs.steps(id, in: dir)["token"]?["outputs"] as? [String: String])?["v"])
        try FileManager.default.removeItem(at: dir.file("ledger"))

        let preview = try await runFlow(["retry", id, "--step", "build", "--plan"], currentDirectory: dir.url)
        #expect(preview.status == 0, "\(preview.stderr)")
        var lines = preview.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6 && lines[1].hasPrefix("  reuse  token: succeeded, outputs {\"v\":"))
        lines.remove(at: min(1, lines.count - 1))
        #expect(lines == [
            "retry \(id) (p): reuse 2, rerun 3",
            "  reuse  lint: succeeded",
            "  rerun  build: succeeded, named by --step",
            "  rerun  deploy: succeeded, downstream of build",
            "  rerun  notify: succeeded, downstream of build",
        ])
        #expect(dir.lines("ledger").isEmpty)

        let retried = try await runFlow(["retry", id, "--step", "build"], currentDirectory: dir.url)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stderr.contains("retry \(id): 3 steps again (build, deploy, notify)\n"))
        #expect(dir.lines("ledger") == ["build", "deploy", "notify"])
        // build received token's stored output, byte for byte.
        #expect(try String(contentsOf: dir.file("got"), encoding: .utf8) == token)
        let status = try await Runs.status(id, in: dir)
        #expect(status["status"] as? String == "succeeded")
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["build"]?["attempts"] as? Int == 2 && steps["notify"]?["attempts"] as? Int == 2)
        #expect(steps["token"]?["attempts"] as? Int == 1 && steps["lint"]?["attempts"] as? Int == 1)
        #expect(try await Runs.list(in: dir).count == 1)
    }

    @Test func retryOfAFailedRunAlsoRerunsWhatDidNotSucceedSoTheRunCanSucceed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              a: { run: echo a >> ledger }
              b: { needs: [a], run: echo b >> ledger }
              flaky: { run: echo flaky >> ledger && test -e fixed }
              after: { needs: [flaky], run: echo after >> ledger }
            """)
        #expect(try await runFlow(["run", "p.yml", "--json"], currentDirectory: dir.url).status == 1)
        let id = try await Runs.newestID(in: dir)
        try FileManager.default.removeItem(at: dir.file("ledger"))
        dir.touch("fixed")
        let retried = try await runFlow(["retry", id, "--step", "b", "--json"], currentDirectory: dir.url)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stderr.contains("1 step again (b), and 2 that did not succeed (flaky, after)"))
        #expect(Set(dir.lines("ledger")) == ["b", "flaky", "after"])
        // --json events like run and resume.
        let events = retried.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.first?["event"] as? String == "run-started" && events.last?["event"] as? String == "run-finished")
        #expect(events.last?["status"] as? String == "succeeded")
    }

    @Test func aMatrixStepIdRetriesEveryInstance() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              build: { matrix: { py: ["3.10", "3.11"] }, run: 'echo "build ${{ matrix.py }}" >> ledger' }
              test: { needs: [build], run: echo test >> ledger }
              other: { run: echo other >> ledger }
            """)
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        try FileManager.default.removeItem(at: dir.file("ledger"))
        #expect(try await runFlow(["retry", id, "--step", "build"], currentDirectory: dir.url).status == 0)
        #expect(Set(dir.lines("ledger")) == ["build 3.10", "build 3.11", "test"])
    }

    @Test func anUnknownStepExitsTwoNamingTheStepsAndTheClosestOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let r = try await runFlow(["retry", id, "--step", "biuld"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr == """
            command line: error: `--step biuld`: pipeline `p` has no step `biuld`
            command line: note: did you mean `build`?
            command line: note: its steps: `token`, `lint`, `build`, `deploy`, `notify`

            """)
        #expect(try await runFlow(["retry", id], currentDirectory: dir.url).status == 2)
        let unknownRun = try await runFlow(["retry", "20990101-0000-0000", "--step", "build"], currentDirectory: dir.url)
        #expect(unknownRun.status == 2 && unknownRun.stderr.contains("no run `20990101-0000-0000`"))
    }

    @Test func aRunOwnedByALiveProcessCannotBeRetried() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  slow: { run: 'until test -e go; do sleep 0.1; done' }\n")
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        let refused = try await runFlow(["retry", try await Runs.newestID(in: dir), "--step", "slow"], currentDirectory: dir.url)
        dir.touch("go")
        await process.exited()
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is still running (pid \(process.processIdentifier)"))
        #expect(refused.stderr.contains("a live run cannot be retried by another process"))
        #expect(process.terminationStatus == 0)
    }
}
