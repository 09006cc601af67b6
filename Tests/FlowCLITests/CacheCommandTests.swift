import Foundation
import Testing
import FlowTestSupport

/// Memoized steps through the built binary: a reused success shown as `succeeded (cached from
/// RUN)` in the run's lines, `--json`, `flow status` (text and JSON) and JUnit; `--no-cache`;
/// `flow cache list|clear`; and `flow retry` running what it names.
@Suite struct CacheCommandTests {
    static let pipeline = """
        name: memo
        steps:
          compile:
            name: Compile the sources
            run: |
              echo run >> runs.txt
              mkdir -p out && cat src/main.c > out/main.o
              echo "object=out/main.o" >> "$FLOW_OUTPUT"
            outputs: [object]
            cache:
              key: [{ files: "src/*.c" }]
              paths: [out]
          link:
            needs: [compile]
            run: echo "linking ${{ steps.compile.outputs.object }}"
        """

    func prepared() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("pipelines/memo.yml", Self.pipeline)
        _ = try dir.write("src/main.c", "int main(void) { return 0; }\n")
        return dir
    }

    @Test func aReusedSuccessIsShownEverywhere() async throws {
        let dir = try prepared()
        defer { dir.remove() }
        let first = try await runFlow(["run", "pipelines/memo.yml"], currentDirectory: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        let firstID = try await Runs.newestID(in: dir)

        let second = try await runFlow(["run", "pipelines/memo.yml", "--junit", "report.xml"], currentDirectory: dir.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("✓ compile · Compile the sources (cached from \(firstID))\n"), "\(second.stdout)")
        #expect(!second.stdout.contains("▸ compile"))
        #expect(dir.lines("runs.txt").count == 1)

        let junit = try String(contentsOf: dir.file("report.xml"), encoding: .utf8)
        #expect(junit.contains("succeeded (cached from \(firstID)): not run, its outputs reused"))

        let text = try await runFlow(["status"], currentDirectory: dir.url)
        #expect(text.stdout.contains("  succeeded  compile · Compile the sources (cached from \(firstID))\n"), "\(text.stdout)")
        let secondID = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(secondID, in: dir)
        #expect(steps["compile"]?["cachedFrom"] as? String == firstID)
        #expect((steps["compile"]?["outputs"] as? [String: String]) == ["object": "out/main.o"])
        #expect(steps["link"]?["cachedFrom"] is NSNull)

        // Its log is the run's that made it, and `flow logs` says so.
        let logs = try await runFlow(["logs", "--last", "compile"], currentDirectory: dir.url)
        #expect(logs.status == 0 && logs.stdout.isEmpty)
        #expect(logs.stderr == "flow: `compile` did not run in run \(secondID): it succeeded (cached from \(firstID)); its log: flow logs \(firstID) compile\n")

        let json = try await runFlow(["run", "pipelines/memo.yml", "--json"], currentDirectory: dir.url)
        let finished = Runs.jsonLines(json.stdout).first { $0["event"] as? String == "step-finished" && $0["step"] as? String == "compile" }
        #expect(finished?["cachedFrom"] as? String == firstID)
    }

    @Test func noCacheRetryAndTheCacheCommands() async throws {
        let dir = try prepared()
        defer { dir.remove() }
        _ = try await runFlow(["run", "pipelines/memo.yml"], currentDirectory: dir.url)
        let forced = try await runFlow(["run", "pipelines/memo.yml", "--no-cache"], currentDirectory: dir.url)
        #expect(forced.status == 0 && forced.stdout.contains("▸ compile"))
        #expect(dir.lines("runs.txt").count == 2)
        let forcedID = try await Runs.newestID(in: dir)

        // `flow retry --step` runs what it names, memoized or not.
        let retry = try await runFlow(["retry", forcedID, "--step", "compile"], currentDirectory: dir.url)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(dir.lines("runs.txt").count == 3)

        let list = try await runFlow(["cache", "list"], currentDirectory: dir.url)
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("compile  memo  run \(forcedID)  "), "\(list.stdout)")
        #expect(list.stdout.contains("  paths: out\n"))
        let listed = try await runFlow(["cache", "list", "--json"], currentDirectory: dir.url)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["step"] as? String == "compile" && entries.first?["bytes"] as? Int == 29)
        #expect((entries.first?["outputs"] as? [String: String]) == ["object": "out/main.o"])
        let key = try #require(entries.first?["key"] as? String)
        let saved = dir.url.path + "/runs/cache/" + key.dropFirst("sha256:".count)
        #expect(FileManager.default.fileExists(atPath: saved + "/out/main.o"))

        let cleared = try await runFlow(["cache", "clear", "compile"], currentDirectory: dir.url)
        #expect(cleared.status == 0 && cleared.stdout == "removed 1 saved success of compile\n")
        #expect(!FileManager.default.fileExists(atPath: saved))
        #expect(try await runFlow(["cache", "list"], currentDirectory: dir.url).stdout.hasPrefix("no saved successes in "))
        _ = try await runFlow(["run", "pipelines/memo.yml"], currentDirectory: dir.url)
        #expect(dir.lines("runs.txt").count == 4)
        let all = try await runFlow(["cache", "clear"], currentDirectory: dir.url)
        #expect(all.stdout == "removed 1 saved success\n")
        #expect(!FileManager.default.fileExists(atPath: dir.url.path + "/runs/cache"))
    }

    @Test func listingAStateDirectoryThatDoesNotExistCreatesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let list = try await runFlow(["cache", "list", "--state-dir", "nowhere"], currentDirectory: dir.url)
        #expect(list.status == 0 && list.stdout.hasPrefix("no saved successes in "))
        #expect(!FileManager.default.fileExists(atPath: dir.url.path + "/nowhere"))
    }
}
