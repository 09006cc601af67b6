import Foundation
import Testing
import FlowTestSupport
import FlowEngine

/// `flow resume`, through the built binary.
@Suite struct ResumeCommandTests {
    /// A chain s0 → s1 → … → s199; each step appends its id to a ledger and outputs a random
    /// token, and records the token it received from the step before. s150 fails until `fixed` exists.
    static func chain(_ dir: TemporaryDirectory) throws {
        var yaml = "name: chain\nsteps:\n"
        for i in 0..<200 {
            yaml += "  s\(i):\n"
            if i > 0 { yaml += "    needs: [s\(i - 1)]\n" }
            var script = "echo s\(i) >> ledger"
            if i == 150 { script += " && test -e fixed" }
            if i > 0 { script += " && printf '%s' \"${{ steps.s\(i - 1).outputs.v }}\" > got-s\(i)" }
            script += " && echo \"v=$(head -c 9 /dev/urandom | base64)\" >> \"$FLOW_OUTPUT\""
            yaml += "    run: '\(script.replacingOccurrences(of: "'", with: "''"))'\n    outputs: [v]\n"
        }
        _ = try dir.write("chain.yml", yaml)
    }

    @Test func resumeAfterAFailureAtStep150RerunsExactlyTheLast50() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.chain(dir)
        let first = try await runFlow(["run", "chain.yml", "--json"], currentDirectory: dir.url)
        #expect(first.status == 1)
        let ledger1 = try String(contentsOf: dir.file("ledger"), encoding: .utf8).split(separator: "\n")
        #expect(ledger1.count == 151 && ledger1.last == "s150")
        let status1 = try #require(try JSONSerialization.jsonObject(with: Data(try await runFlow(["status", "--json"], currentDirectory: dir.url).stdout.utf8)) as? [String: Any])
        let steps1 = try #require(status1["steps"] as? [[String: Any]])
        let token149 = try #require((steps1[149]["outputs"] as? [String: String])?["v"])

        let plan = try await runFlow(["resume", "--last", "--plan"], currentDirectory: dir.url)
        #expect(plan.status == 0)
        let planLines = plan.stdout.split(separator: "\n")
        #expect(planLines.first?.hasSuffix("(chain): reuse 150, rerun 50") == true)
        #expect(planLines.filter { $0.hasPrefix("  reuse  ") }.count == 150)
        #expect(planLines.contains("  rerun  s150: failed (exited with code 1)"))
        #expect(planLines.contains("  rerun  s151: skipped (an upstream step failed)"))

        #expect(FileManager.default.createFile(atPath: dir.file("fixed").path, contents: nil))
        try FileManager.default.removeItem(at: dir.file("ledger"))
        let second = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(second.status == 0, "\(second.stdout.suffix(500))")
        let ledger2 = try String(contentsOf: dir.file("ledger"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(ledger2 == (150..<200).map { "s\($0)" })
        // s150 received s149's output exactly as the first run produced it.
        #expect(try String(contentsOf: dir.file("got-s150"), encoding: .utf8) == token149)

        let status2 = try #require(try JSONSerialization.jsonObject(with: Data(try await runFlow(["status", "--json"], currentDirectory: dir.url).stdout.utf8)) as? [String: Any])
        #expect(status2["id"] as? String == status1["id"] as? String)
        #expect(status2["status"] as? String == "succeeded")
        let steps2 = try #require(status2["steps"] as? [[String: Any]])
        #expect(steps2.allSatisfy { $0["status"] as? String == "succeeded" })
        #expect(steps2[150]["attempts"] as? Int == 2)
        #expect(steps2[149]["attempts"] as? Int == 1)
    }

    @Test func aKilledRunShowsAsInterruptedAndResumesWithoutRepeatingFinishedSteps() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              first: { run: echo first >> ledger }
              slow: { needs: [first], run: 'echo slow >> ledger; until test -e go; do sleep 0.1; done' }
              last: { needs: [slow], run: echo last >> ledger }
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        // The orphaned step keeps sleeping; release it so nothing outlives the test.
        #expect(FileManager.default.createFile(atPath: dir.file("go").path, contents: nil))

        let status = try await runFlow(["status"], currentDirectory: dir.url)
        #expect(status.stdout.contains(": p interrupted,"))
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let ledger = try String(contentsOf: dir.file("ledger"), encoding: .utf8).split(separator: "\n")
        #expect(ledger.filter { $0 == "first" }.count == 1)
        #expect(ledger.last == "last")
    }

    /// `kill -9` of flow alone leaves its step running; resume stops that copy before it runs
    /// the step again, so the two never overlap.
    @Test func resumeStopsTheStepsADeadOwnerLeftRunning() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              slow: { run: 'echo start >> ledger; if [ "$(grep -c start ledger)" = 1 ]; then sleep 999; fi; echo done >> ledger' }
            """)
        // The first copy never ends on its own, however slowly the test gets to the kill and the
        // resume; the one resume starts ends at once.
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        // Kill flow once the step's script is really running (it has written its first line).
        for _ in 0..<200 where (try? String(contentsOf: dir.file("ledger"), encoding: .utf8)) != "start\n" {
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        // The killed flow's scratch folder (its script, its output file) is left behind ...
        let id = try await Runs.newestID(in: dir)
        func scratchFolders() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: ScratchDirectory.base)) ?? []).filter { $0.hasPrefix("flow-\(id)-") }
        }
        #expect(scratchFolders().count == 1)
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("previous flow left running"))
        let ledger = try String(contentsOf: dir.file("ledger"), encoding: .utf8).split(separator: "\n")
        #expect(ledger == ["start", "start", "done"])
        // ... until the run is taken over.
        #expect(scratchFolders().isEmpty)
    }

    @Test func aRunOwnedByALiveProcessCannotBeResumed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  slow: { run: 'test -e go || sleep 999' }\n")
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        let refused = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        kill(process.processIdentifier, SIGINT)
        await process.exited()
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is still running (pid \(process.processIdentifier)"))
        #expect(process.terminationStatus == 130)
    }

    @Test func nothingToResumeAfterSuccessAndUsageErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a: { run: echo hi }\n")
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let again = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("succeeded; nothing to resume\n"))
        #expect(try await runFlow(["resume"], currentDirectory: dir.url).status == 2)
        let unknown = try await runFlow(["resume", "20990101-0000-0000"], currentDirectory: dir.url)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run `20990101-0000-0000`"))
    }
}
