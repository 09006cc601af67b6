import Foundation
import Testing
import FlowTestSupport
import FlowEngine

/// Triggers are typed values in the database, `flow runs`, `flow status` and their `--json`:
/// what created a run, and every takeover after it.
@Suite struct TriggerTests {
    static func status(_ dir: TemporaryDirectory, environment: [String: String]? = nil) async throws -> [String: Any] {
        let result = try await runFlow(["status", "--json"], environment: environment, currentDirectory: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func aManualRunThenAResumeInsideCodeBuildRecordsBothLaunchesTyped() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a:\n    run: test -e fixed\n")
        let first = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(first.status == 1)
        var status = try await Self.status(dir)
        #expect(status["trigger"] as? [String: String] == ["kind": "manual"])

        // The next "build": CodeBuild's variables set; the commit it resolved becomes git.sha.
        var codebuild = ProcessInfo.processInfo.environment
        codebuild["CODEBUILD_BUILD_ID"] = "fsdp-nightly:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
        codebuild["CODEBUILD_RESOLVED_SOURCE_VERSION"] = "3f2a9c1e0b7d4e5f6a8b9c0d1e2f3a4b5c6d7e8f"
        #expect(FileManager.default.createFile(atPath: dir.file("fixed").path, contents: nil))
        let resumed = try await runFlow(["resume", "--last"], environment: codebuild, currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        status = try await Self.status(dir)
        #expect(status["trigger"] as? [String: String] == ["kind": "manual"])
        let launches = try #require(status["launches"] as? [[String: Any]])
        #expect(launches.map { $0["trigger"] as? [String: String] } == [
            ["kind": "manual"], ["kind": "codebuild", "buildId": "fsdp-nightly:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"],
        ])
        let plain = try await runFlow(["status"], currentDirectory: dir.url)
        #expect(plain.stdout.contains("  trigger: manual"))
        #expect(plain.stdout.contains("by codebuild fsdp-nightly:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"))
    }

    @Test func aRunInsideCodeBuildRecordsTheBuildAndItsResolvedCommit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a:\n    run: echo \"sha=${{ git.sha }} by=${{ run.trigger }}\"\n")
        var codebuild = ProcessInfo.processInfo.environment
        codebuild["CODEBUILD_BUILD_ID"] = "proj:1234"
        codebuild["CODEBUILD_RESOLVED_SOURCE_VERSION"] = "ABCDEF0123456789abcdef0123456789abcdef01"
        let run = try await runFlow(["run", "p.yml"], environment: codebuild, currentDirectory: dir.url)
        #expect(run.status == 0, "\(run.stderr)")
        let status = try await Self.status(dir)
        #expect(status["trigger"] as? [String: String] == ["kind": "codebuild", "buildId": "proj:1234"])
        #expect(status["gitSha"] as? String == "abcdef0123456789abcdef0123456789abcdef01")
        let logs = try await runFlow(["logs", try #require(status["id"] as? String), "a"], currentDirectory: dir.url)
        #expect(logs.stdout.contains("sha=abcdef0123456789abcdef0123456789abcdef01 by=codebuild"))
        let runs = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(listed.first?["trigger"] as? [String: String] == ["kind": "codebuild", "buildId": "proj:1234"])
        #expect(try await runFlow(["runs"], currentDirectory: dir.url).stdout.contains("  p  codebuild proj:1234"))
    }
}
