import Foundation
import Testing
import FlowTestSupport

/// `flow run FILE --only STEP…`: the named steps and what they need, nothing else.
@Suite struct RunOnlyTests {
    static let pipeline = """
        name: p
        steps:
          prepare: { run: echo prepare >> ledger }
          lint: { run: echo lint >> ledger }
          build:
            needs: [prepare]
            matrix: { py: ["3.10", "3.11"] }
            run: 'echo "build ${{ matrix.py }}" >> ledger'
          test: { needs: [build], run: echo test >> ledger && test -e fixed }
          docs: { needs: [prepare], run: echo docs >> ledger }
          publish: { needs: [test, docs], run: echo publish >> ledger }
        """

    func workspace() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("p.yml", Self.pipeline)
        return dir
    }

    @Test func onlyRunsTheStepAndEverythingItNeedsAndNothingElse() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        dir.touch("fixed")
        let r = try await runFlow(["run", "p.yml", "--only", "test", "--json"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(Set(dir.lines("ledger")) == ["prepare", "build 3.10", "build 3.11", "test"])
        let started = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(started["steps"] as? [String] == ["prepare", "build[py=3.10]", "build[py=3.11]", "test"])
        let steps = try await Runs.steps(try await Runs.newestID(in: dir), in: dir)
        #expect(steps.count == 4 && steps.values.allSatisfy { $0["status"] as? String == "succeeded" })
    }

    @Test func severalStepsAfterOneOptionOrRepeatedOptionsSelectTheSame() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml", "--only", "lint", "docs"], currentDirectory: dir.url).status == 0)
        let first = dir.lines("ledger").sorted()
        try FileManager.default.removeItem(at: dir.file("ledger"))
        #expect(try await runFlow(["run", "p.yml", "--only", "lint", "--only", "docs"], currentDirectory: dir.url).status == 0)
        #expect(first == ["docs", "lint", "prepare"])
        #expect(dir.lines("ledger").sorted() == first)
    }

    @Test func dryRunPrintsTheNarrowedPlan() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--only", "build[py=3.11]", "--dry-run"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
            plan: p (p.yml), 2 steps, max-parallel 4
            only: build[py=3.11] and what they need (2 of 7 steps)
            1. prepare: shell
            2. build[py=3.11]: shell; needs prepare

            """)
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs").path))
    }

    @Test func anUnknownStepExitsTwoWithoutCreatingState() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--only", "tset"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("command line: error: `--only tset`: pipeline `p` has no step `tset`\ncommand line: note: did you mean `test`?\n"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs").path))
    }

    @Test func resumeOfANarrowedRunKeepsItsSelection() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml", "--only", "test"], currentDirectory: dir.url).status == 1)
        try FileManager.default.removeItem(at: dir.file("ledger"))
        dir.touch("fixed")
        let plan = try await runFlow(["resume", "--last", "--plan"], currentDirectory: dir.url)
        #expect(plan.stdout.hasSuffix("(p): reuse 3, rerun 1\n  reuse  prepare: succeeded\n  reuse  build[py=3.10]: succeeded\n  reuse  build[py=3.11]: succeeded\n  rerun  test: failed (exited with code 1)\n"))
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(dir.lines("ledger") == ["test"])
        #expect(try await Runs.steps(try await Runs.newestID(in: dir), in: dir).count == 4)
    }
}
