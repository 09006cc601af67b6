import Foundation
import Testing
import FlowTestSupport

/// The programs the CLI itself starts (git for a run's commit and branch, the container
/// engines `flow doctor` probes), through FlowSystem's one lookup and one way to run them.
@Suite struct ChildProgramTests {
    @Test func aRunRecordsTheCommitAndBranchGitReports() async throws {
        let repo = try TemporaryDirectory()
        defer { repo.remove() }
        let env = URL(fileURLWithPath: "/usr/bin/env")
        for arguments in [["init", "-q"], ["checkout", "-q", "-b", "feature-x"],
                          ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false",
                           "commit", "-q", "--allow-empty", "-m", "x"]] {
            #expect(try runProcess(env, ["git"] + arguments, currentDirectory: repo.url).status == 0)
        }
        let head = try runProcess(env, ["git", "rev-parse", "HEAD"], currentDirectory: repo.url)
        let sha = String(decoding: head.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try repo.write("p.yaml", """
            name: git-context
            steps:
              a:
                run: echo "sha=${{ git.sha }} branch=${{ git.branch }}" > seen
            """)
        var environment = ProcessInfo.processInfo.environment
        environment["CODEBUILD_RESOLVED_SOURCE_VERSION"] = nil
        let result = try await runFlow(["run", "p.yaml", "--state-dir", repo.file("state").path], environment: environment,
                                       currentDirectory: repo.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(repo.lines("seen") == ["sha=\(sha) branch=feature-x"])
    }

    @Test func doctorFindsEnginesOnPathAndSaysWhyOneIsNotUsable() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let bin = home.file("bin").path
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        func script(_ name: String, _ body: String) throws {
            let path = try home.write("bin/\(name)", "#!/bin/sh\n\(body)\n").path
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try script("docker", "echo 'Client: fake'; echo 'Cannot connect to the fake daemon' >&2; exit 1")
        try script("podman", "[ \"$1\" = info ] && echo 'host: fake'")
        // A relative PATH entry is never searched, so buildah is found nowhere it is not installed.
        let environment = ["PATH": "\(bin):relative", "HOME": home.url.path, "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"]
        let result = try await runFlow(["doctor", "--json", "--state-dir", home.file("state").path], environment: environment,
                                       currentDirectory: home.url)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let engines = try #require(report["containerEngines"] as? [[String: Any]])
        #expect(engines.map { $0["name"] as? String } == ["docker", "podman", "buildah"])
        #expect(engines[0]["path"] as? String == "\(bin)/docker")
        #expect(engines[0]["usable"] as? Bool == false)
        #expect(engines[0]["detail"] as? String == "installed, not usable: Cannot connect to the fake daemon")
        #expect(engines[1]["usable"] as? Bool == true)
        #expect(engines[1]["detail"] as? String == "usable (\(bin)/podman)")
        #expect(engines[2]["detail"] as? String == "not installed")
    }
}
