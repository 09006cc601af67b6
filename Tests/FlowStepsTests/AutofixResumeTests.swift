import Foundation
import Testing
import FlowTestSupport

/// Through the built `flow` binary: a broken Dockerfile repaired by `autofix-retry(build)` in
/// `flow run`, and `flow resume` after `kill -9` of `flow` during round 2, which continues at
/// round 2 with round 1's fix (real PEP 668 failures, real buildah).
@Suite(.serialized) struct AutofixResumeTests {
    @Test func flowRunRepairsABrokenDockerfileWithBuildAndLeavesTheUsersFileAlone() async throws {
        try AutofixBuildTests.requireBaseImage()
        let dir = try TemporaryDirectory()
        let image = "localhost/flow-test/\(UUID().uuidString.lowercased()):t"
        defer {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "rmi", image])
            dir.remove()
        }
        let dockerfile = "FROM python:3.11-slim\nCOPY wheels /wheels\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n"
        _ = try dir.write("app/Dockerfile", dockerfile)
        try WheelIndex.make([WheelIndex.Wheel("alpha", "1.0")], in: dir.file("app/wheels"))
        _ = try dir.write("p.yml", """
            name: af
            steps:
              image:
                uses: autofix-retry
                with:
                  step: { uses: build, with: { context: app, image: "\(image)", engine: buildah, pull: never } }
              report:
                needs: [image]
                run: echo "fixes=${{ steps.image.outputs.fixes }} digest=${{ steps.image.outputs.digest }}" > report
            """)
        let r = try await runFlow(["run", "p.yml", "--image", "python:3.11-slim=\(AutofixBuildTests.baseImage)"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let report = try String(contentsOf: dir.file("report"), encoding: .utf8)
        #expect(report.hasPrefix("fixes=break-system-packages digest=sha256:"), "\(report)")
        #expect(try String(contentsOf: dir.file("app/Dockerfile"), encoding: .utf8) == dockerfile)
        let id = try await newestRun(in: dir)
        let logs = try await runFlow(["logs", id, "image"], currentDirectory: dir.url)
        #expect(logs.stdout.contains("autofix: round 1: externally-managed → break-system-packages (app/Dockerfile:3)"), "\(logs.stdout)")
        #expect(logs.stdout.contains("python:3.11-slim"))
        // The patch artifact is a diff `git apply` accepts in the working directory.
        let artifacts = try await runFlow(["artifacts", id, "image", "autofix.patch"], currentDirectory: dir.url)
        let patch = try dir.write("fix.patch", artifacts.stdout)
        let check = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git", "apply", "--check", patch.path], currentDirectory: dir.url)
        #expect(check.status == 0, "\(check.stderr)\n\(artifacts.stdout)")
    }

    func newestRun(in dir: TemporaryDirectory) async throws -> String {
        let runs = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        return try #require(list.first?["id"] as? String)
    }

    @Test func aRunKilledInRoundTwoResumesAtRoundTwoWithRoundOnesFix() async throws {
        try AutofixBuildTests.requireBaseImage()
        let dir = try TemporaryDirectory()
        let image = "localhost/flow-test/\(UUID().uuidString.lowercased()):t"
        defer {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "rmi", image])
            dir.remove()
        }
        _ = try dir.write("project/Dockerfile",
                          "FROM \(AutofixBuildTests.baseImage)\nCOPY wheels /wheels\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n")
        try WheelIndex.make([WheelIndex.Wheel("alpha", "1.0")], in: dir.file("project/wheels"))
        // Round 2's first run waits forever (until resume stops it); the resumed round 2 builds.
        _ = try dir.write("p.yml", """
            name: af
            steps:
              image:
                uses: autofix-retry
                with:
                  analyze: false
                  context: project
                  step:
                    uses: shell
                    with:
                      script: |
                        echo "round $FLOW_AUTOFIX_ROUND" >> rounds
                        if [ "$FLOW_AUTOFIX_ROUND" = 2 ] && [ ! -e started-2 ]; then touch started-2; sleep 999; fi
                        buildah bud --isolation chroot --pull=never -t \(image) -f "$FLOW_AUTOFIX_DOCKERFILE" "$FLOW_AUTOFIX_CONTEXT"
            """)
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ image")
        var started = false
        for _ in 0..<1800 {
            if FileManager.default.fileExists(atPath: dir.file("started-2").path) { started = true; break }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(started, "round 2 never started: \(dir.lines("rounds"))")
        kill(process.processIdentifier, SIGKILL)
        await process.exited()

        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(dir.lines("rounds") == ["round 1", "round 2", "round 2"])

        let id = try await newestRun(in: dir)
        let status = try await runFlow(["status", id, "--json"], currentDirectory: dir.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        let step = try #require(steps.first)
        #expect(step["status"] as? String == "succeeded", "\(status.stdout)")
        #expect(step["attempts"] as? Int == 3)
        #expect(status.stdout.contains("break-system-packages"), "\(status.stdout)")
        // The resumed attempt said where it continued from.
        let logs = try await runFlow(["logs", id, "image"], currentDirectory: dir.url)
        #expect(logs.stdout.contains("autofix: continuing after round 1 with 1 fix so far: break-system-packages"), "\(logs.stdout)\(logs.stderr)")
        #expect(logs.stdout.contains("autofix: round 2 of 3"))
    }
}

extension TemporaryDirectory {
    /// The lines of a file in the directory (empty when it does not exist).
    func lines(_ name: String) -> [String] {
        guard let text = try? String(contentsOf: file(name), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
