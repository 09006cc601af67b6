import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// `flow run` of a pipeline whose `push` step pushes an image buildah built (from the test) to
/// the local registry, tagged from a real git checkout, and hands its outputs downstream;
/// `flow validate` catches a bad `push` input before anything runs.
@Suite(.serialized) struct PushEndToEndTests {
    @Test func flowRunPushesTagsFromGitAndTheNextStepReadsTheOutputs() async throws {
        let registry = try await LocalService.shared("registry")
        let image = try await TestImage.make()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let password = try registry.value("FLOW_REGISTRY_PASSWORD")
        _ = try dir.write("p.yml", """
            name: release
            secrets: [REGISTRY_PASSWORD]
            steps:
              push:
                uses: push
                with:
                  image: \(image.name)
                  registry: \(registry.address)
                  repository: flow-test/e2e
                  tags: [semantic, git-sha]
                  username: flow
                  password: ${{ env.REGISTRY_PASSWORD }}
                  insecure: true
              report:
                needs: push
                run: echo "uri=${{ steps.push.outputs.uri }} digest=${{ steps.push.outputs.digest }} tags=${{ steps.push.outputs.tags }}"
            """)
        for arguments in [["init", "-q", "-b", "main"], ["add", "p.yml"],
                          ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "release"], ["tag", "v1.2.3"]] {
            let git = try runProcess(URL(fileURLWithPath: "/usr/bin/git"), arguments, currentDirectory: dir.url)
            try #require(git.status == 0, "git \(arguments): \(git.stderr)")
        }
        let sha = try runProcess(URL(fileURLWithPath: "/usr/bin/git"), ["rev-parse", "--short=7", "HEAD"], currentDirectory: dir.url)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var environment = ProcessInfo.processInfo.environment
        environment["REGISTRY_PASSWORD"] = password
        let r = try await runFlow(["run", "p.yml"], environment: environment, currentDirectory: dir.url)
        await image.remove()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let id = try await runID(in: dir)
        let log = try await runFlow(["logs", id, "report"], currentDirectory: dir.url).stdout
        #expect(log.contains("uri=\(registry.address)/flow-test/e2e:1.2.3 digest=sha256:"))
        #expect(log.contains("tags=1.2.3,1.2,1,latest,\(sha),sha-\(sha)"))
        let digest = try #require(log.range(of: "digest=").map { String(log[$0.upperBound...].prefix(71)) })
        let body = try await PushRegistryTests.manifest(registry.address, "flow-test/e2e", "sha-\(sha)", user: "flow", password: password)
        #expect("sha256:" + SHA256.hex(Array(body)) == digest)
        let pushLog = try await runFlow(["logs", id, "push"], currentDirectory: dir.url).stdout
        #expect(!pushLog.contains(password) && !r.stdout.contains(password) && !r.stderr.contains(password))
    }

    @Test func flowValidateRejectsABadPushInputWithItsLocation() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: release
            steps:
              push:
                uses: push
                with: { registry: r.example.com, tags: { strategy: semvr }, insecure: maybe, ca-cert: no-such.pem }
            """)
        let r = try await runFlow(["validate", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        let text = r.stdout + r.stderr
        #expect(text.contains("p.yml:5:"))
        #expect(text.contains("image"))
        #expect(text.contains("did you mean `semver`"))
        #expect(text.contains("insecure"))
        #expect(text.contains("no-such.pem"))
    }

    func runID(in dir: TemporaryDirectory) async throws -> String {
        let r = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        return try #require(runs.first?["id"] as? String)
    }
}
