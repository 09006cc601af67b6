import Foundation
import Testing
import FlowTestSupport

/// The ports that once needed a workaround, written as flow pipelines (`examples/ports/`), run
/// green without one; and the runtime matrix through real processes: resume after SIGKILL sees
/// the same instances, `fail-fast` stops the others.
@Suite struct PortsTests {
    @Test func theDynamicMatrixPortFansOutOverItsFirstStepsOutput() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = Repository.root.appendingPathComponent("examples/ports/dynamic-matrix.yml").path
        let r = try await runFlow(["run", file, "--json"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let finished = Runs.jsonLines(r.stdout).filter { $0["event"] as? String == "step-finished" }
        let statuses = Dictionary(uniqueKeysWithValues: finished.map { ($0["step"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(statuses == [
            "plan": "succeeded", "test": "succeeded", "report": "succeeded",
            "test[shard=unit,python=3.12]": "succeeded", "test[shard=integration,python=3.12]": "succeeded",
            "test[shard=e2e,python=3.12]": "succeeded",
        ])
        #expect(finished.contains { $0["step"] as? String == "test[shard=e2e,python=3.12]" && $0["name"] as? String == "Test e2e" })
        let id = try await Runs.newestID(in: dir)
        let logs = try await runFlow(["logs", id, "test[shard=e2e,python=3.12]"], currentDirectory: dir.url)
        #expect(logs.stdout == "running the e2e shard on Python 3.12\n")
        #expect(try await runFlow(["logs", id, "report"], currentDirectory: dir.url).stdout == "tests succeeded\n")
    }

    @Test func theExitHandlerPortRunsItsHandlerAfterAFailure() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = Repository.root.appendingPathComponent("examples/ports/exit-handler.yml").path
        let r = try await runFlow(["run", file], currentDirectory: dir.url)
        // The main step fails on purpose; the handler runs and says so; the run fails.
        #expect(r.status == 1)
        #expect(r.stdout.contains("✓ notify · Tell the team how it went"))
        #expect(r.stdout.contains("- celebrate skipped: condition is false: success()"))
        let id = try await Runs.newestID(in: dir)
        #expect(try await runFlow(["logs", id, "notify"], currentDirectory: dir.url).stdout == "the run ended failed; training failed\n")
    }

    /// Killed while instances run, resumed: the same instances (recorded when they were made),
    /// those that had succeeded kept, the rest run; the step that listed them is not run again.
    @Test func aResumedRunSeesTheSameInstances() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("shards.json", #"["a","b","c","d"]"#)
        _ = try dir.write("p.yml", """
            name: p
            steps:
              plan:
                outputs: [shards]
                run: |
                  echo plan >> ledger
                  echo "shards=$(cat shards.json)" >> "$FLOW_OUTPUT"
              shard:
                needs: [plan]
                matrix:
                  s: ${{ fromJSON(steps.plan.outputs.shards) }}
                  max-parallel: 2
                run: |
                  echo "start ${{ matrix.s }}" >> ledger
                  if [ "${{ matrix.s }}" = c ] && [ ! -e fast ]; then sleep 999; fi
                  echo "done ${{ matrix.s }}" >> ledger
              after: { needs: [shard], run: echo after >> ledger }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ plan")
        // Wait until c is running and d has finished.
        for _ in 0..<3000 where !(dir.lines("ledger").contains("start c") && dir.lines("ledger").contains("done d")) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(dir.lines("ledger").contains("done d"))
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        // What `plan` would list now differs; the run keeps what it recorded.
        _ = try dir.write("shards.json", #"["x"]"#)
        _ = try dir.write("fast", "")
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let ledger = dir.lines("ledger")
        #expect(ledger.filter { $0 == "plan" }.count == 1)
        #expect(ledger.filter { $0 == "start a" }.count == 1 && ledger.filter { $0 == "start b" }.count == 1)
        #expect(ledger.filter { $0 == "start d" }.count == 1)
        #expect(ledger.filter { $0 == "start c" }.count == 2 && ledger.last == "after")
        let id = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(id, in: dir)
        #expect(Set(steps.keys) == ["plan", "shard", "after", "shard[s=a]", "shard[s=b]", "shard[s=c]", "shard[s=d]"])
        #expect(steps.values.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(steps["shard[s=c]"]?["attempts"] as? Int == 2)
    }

    /// `flow retry --step` of the matrix step runs its instances again (the same ones: what
    /// listed them is kept); an instance's own id says to name the step.
    @Test func retryingARuntimeMatrixRunsItsInstancesAgain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              plan:
                outputs: [list]
                run: echo 'list=["a","b"]' >> "$FLOW_OUTPUT"
              each:
                needs: [plan]
                matrix: { s: "${{ fromJSON(steps.plan.outputs.list) }}" }
                run: echo "${{ matrix.s }}" >> ledger
            """)
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let instance = try await runFlow(["retry", id, "--step", "each[s=a]"], currentDirectory: dir.url)
        #expect(instance.status == 2)
        #expect(instance.stderr.contains("`each[s=a]` is an instance of `each`, whose matrix is computed when the run reaches it; name the step: `--step each` runs all its instances"), "\(instance.stderr)")
        let retry = try await runFlow(["retry", id, "--step", "each"], currentDirectory: dir.url)
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        #expect(dir.lines("ledger").sorted() == ["a", "a", "b", "b"])
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["each[s=a]"]?["attempts"] as? Int == 2 && steps["plan"]?["attempts"] as? Int == 1)
    }

    @Test func failFastStopsTheOtherInstancesOfItsMatrixOnly() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              test:
                matrix: { n: [1, 2], fail-fast: true }
                run: |
                  if [ "${{ matrix.n }}" = 1 ]; then sleep 0.3; exit 1; fi
                  sleep 999
              other: { run: sleep 0.5 }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir, seconds: 60)
        #expect(r.status == 1, "\(r.stdout)")
        let id = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["test[n=1]"]?["status"] as? String == "failed")
        #expect(steps["test[n=2]"]?["status"] as? String == "cancelled")
        #expect(steps["other"]?["status"] as? String == "succeeded")
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "failed")
    }

    @Test func validationSaysWhatARuntimeMatrixMayRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              plan: { outputs: [list], run: "true" }
              loose: { run: "true", outputs: [list] }
              a: { needs: [plan], matrix: { x: "${{ fromJSON(steps.plan.outputs.nope) }}" }, run: "true" }
              b: { needs: [plan], matrix: { x: "${{ fromJSON(steps.loose.outputs.list) }}" }, run: "true" }
              c: { needs: [plan], matrix: { x: "v${{ steps.plan.outputs.list }}" }, run: "true" }
            """)
        let r = try await runFlow(["validate", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("step `plan` declares no output `nope`"), "\(r.stderr)")
        #expect(r.stderr.contains("step `b` reads `steps.loose`, but `loose` is not upstream of it"), "\(r.stderr)")
        #expect(r.stderr.contains("a matrix computed at run time is one `${{ }}` and nothing around it"), "\(r.stderr)")
    }
}

/// Sub-pipelines through the real binary: the reusable-workflow port, and a run killed while a
/// step inside one ran, resumed: what had succeeded inside is kept, the step that runs it is
/// entered again, the rest runs once more.
@Suite struct SubPipelineRunTests {
    @Test func theReusableWorkflowPortRunsItsSubPipelineTwiceWithItsOwnParams() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = Repository.root.appendingPathComponent("examples/ports/reusable-workflow.yml").path
        let r = try await runFlow(["run", file, "--json"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let events = Runs.jsonLines(r.stdout)
        let finished = events.filter { $0["event"] as? String == "step-finished" }
        #expect(finished.map { $0["step"] as? String ?? "" } == ["unit/setup", "unit/test", "unit", "integration/setup", "integration/test", "integration", "publish"])
        #expect(finished.allSatisfy { $0["status"] as? String == "succeeded" })
        // A name inside reads the sub-pipeline's params, rendered when the run entered it.
        #expect(finished.contains { $0["step"] as? String == "integration/setup" && $0["name"] as? String == "Set up Python 3.11" })
        let end = try #require(events.last { $0["event"] as? String == "run-finished" })
        #expect((end["outputs"] as? [String: Any])?["reports"] as? String == "reports/unit-3.12.xml reports/integration-3.11.xml")
        let id = try await Runs.newestID(in: dir)
        #expect(try await runFlow(["logs", id, "integration/test"], currentDirectory: dir.url).stdout
                == "running the integration suite with python3.11\n")
        #expect(try await runFlow(["logs", id, "publish"], currentDirectory: dir.url).stdout
                == "publishing reports/unit-3.12.xml and reports/integration-3.11.xml\n")
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["unit"]?["outputs"] as? [String: String] == ["report": "reports/unit-3.12.xml"])
        #expect(steps["unit/setup"]?["name"] as? String == "Set up Python 3.12")
    }

    /// A GitHub job with `strategy.matrix` calling a reusable workflow: the sub-pipeline runs once
    /// per combination, each with its own params, and what needs the step waits for all of them.
    @Test func aMatrixRunsTheSubPipelineOncePerCombination() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("pipelines/test.yml", """
            name: test
            params:
              python: { type: string }
            steps:
              run:
                name: Test on ${{ params.python }}
                run: echo "python ${{ params.python }}" >> ledger
            """)
        _ = try dir.write("pipelines/main.yml", """
            name: main
            steps:
              tests:
                uses: ./pipelines/test.yml
                matrix: { python: ["3.11", "3.12"] }
                with: { python: "${{ matrix.python }}" }
              after:
                needs: [tests]
                run: echo after >> ledger
            """)
        let r = try await runFlow(["run", "pipelines/main.yml", "--json"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let finished = Runs.jsonLines(r.stdout).filter { $0["event"] as? String == "step-finished" }
        #expect(Set(finished.map { $0["step"] as? String ?? "" }) == ["tests[python=3.11]/run", "tests[python=3.11]", "tests[python=3.12]/run",
                                                                     "tests[python=3.12]", "after"])
        #expect(finished.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(finished.last?["step"] as? String == "after")
        #expect(Set(dir.lines("ledger").dropLast()) == ["python 3.11", "python 3.12"] && dir.lines("ledger").last == "after")
        let steps = try await Runs.steps(try await Runs.newestID(in: dir), in: dir)
        #expect(steps["tests[python=3.12]/run"]?["name"] as? String == "Test on 3.12")
    }

    @Test func aRunKilledInsideASubPipelineResumesWhereItStopped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        _ = try dir.write("pipelines/work.yml", """
            name: work
            params:
              label: { type: string }
            steps:
              quick:
                run: echo "quick ${{ params.label }}" >> ledger
              slow:
                outputs: [result]
                run: |
                  echo "start slow" >> ledger
                  if [ ! -e fast ]; then sleep 999; fi
                  echo "result=${{ params.label }}-done" >> "$FLOW_OUTPUT"
            outputs:
              result: ${{ steps.slow.outputs.result }}
            """)
        _ = try dir.write("pipelines/main.yml", """
            name: main
            steps:
              first:
                run: echo first >> ledger
              work:
                needs: [first]
                uses: ./pipelines/work.yml
                with: { label: "from-${{ steps.first.status }}" }
              after:
                needs: [work]
                run: echo "after ${{ steps.work.outputs.result }}" >> ledger
            """)
        let process = try await startFlow(["run", "pipelines/main.yml"], currentDirectory: dir.url, waitingFor: "▸ first")
        for _ in 0..<3000 where !(dir.lines("ledger").contains("start slow") && dir.lines("ledger").contains("quick from-succeeded")) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(dir.lines("ledger").contains("start slow"))
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        dir.touch("fast")
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(dir.lines("ledger") == ["first", "quick from-succeeded", "start slow", "start slow", "after from-succeeded-done"]
                || dir.lines("ledger") == ["first", "start slow", "quick from-succeeded", "start slow", "after from-succeeded-done"])
        let steps = try await Runs.steps(try await Runs.newestID(in: dir), in: dir)
        #expect(Set(steps.keys) == ["first", "work", "work/quick", "work/slow", "after"])
        #expect(steps.values.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(steps["work/quick"]?["attempts"] as? Int == 1 && steps["work/slow"]?["attempts"] as? Int == 2)
    }

    @Test func anIncludeCycleIsABadInputWithItsLocation() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        _ = try dir.write("pipelines/a.yml", "name: a\nsteps:\n  b:\n    uses: ./pipelines/b.yml\n")
        _ = try dir.write("pipelines/b.yml", "name: b\nsteps:\n  a:\n    uses: ./pipelines/a.yml\n")
        let r = try await runFlow(["run", "pipelines/a.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("pipelines/b.yml:4:11: error: sub-pipelines include each other in a cycle: "
                                  + "pipelines/a.yml → pipelines/b.yml → pipelines/a.yml"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("runs/flow.db").path))
    }

    /// A sub-pipeline file is read as any pipeline file: a FIFO is refused without blocking,
    /// and a path may not leave the project.
    @Test func aHostileOrOutsideIncludeIsABadInputWithoutAHang() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.url.appendingPathComponent("pipelines/fifo.yml").path, 0o600) == 0)
        _ = try dir.write("pipelines/main.yml", """
            name: main
            steps:
              a: { uses: ./pipelines/fifo.yml }
              b: { uses: ./../outside.yml }
            """)
        let r = try await runFlowOrKill(["validate", "pipelines/main.yml"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("pipelines/main.yml:3:14: error: cannot read the sub-pipeline `./pipelines/fifo.yml`: "))
        #expect(r.stderr.contains("fifo.yml is a FIFO, not a regular file"))
        #expect(r.stderr.contains("pipelines/main.yml:4:14: error: cannot read the sub-pipeline `./../outside.yml`: it leaves the project"))
    }
}
