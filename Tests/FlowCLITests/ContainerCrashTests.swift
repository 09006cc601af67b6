import Foundation
import Testing
import FlowTestSupport

/// `kill -9` of `flow` in the middle of a build, then `flow resume`: nothing is tagged as the
/// target by the killed build, resume stops what the dead flow left running, builds again and
/// pushes once (real buildah, real docker-registry with basic auth).
@Suite(.serialized) struct ContainerCrashTests {
    @Test func resumeAfterKillNineMidBuildBuildsAgainAndPushesOnce() async throws {
        let base = try BaseImage.name()
        let registry = try await LocalService.shared("registry")
        let dir = try TemporaryDirectory()
        let marker = "flow-crash-build-\(UUID().uuidString.prefix(8).lowercased())"
        let image = "localhost/flow-test/\(marker):t"
        // A sleep nobody else runs: `sleep 300.<n>` (and the `sh -c` around it) is this build's RUN.
        let pause = "sleep 300.\(Int.random(in: 1000...9999))"
        defer {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "rmi", "--force", image])
            dir.remove()
        }
        // The first build waits in a RUN while `gate/slow` is in the context; resume builds without it.
        _ = try dir.write("ctx/gate/slow", "")
        _ = try dir.write("ctx/Dockerfile", """
            FROM python:3.11-slim
            COPY gate /gate
            RUN if [ -e /gate/slow ]; then \(pause); fi; echo built > /built
            """)
        _ = try dir.write("p.yml", """
            name: crash
            secrets: [FLOW_REGISTRY_PASSWORD]
            steps:
              image:
                uses: build
                with: { context: ctx, image: "\(image)", cache: false }
              push:
                uses: push
                needs: [image]
                with:
                  image: ${{ steps.image.outputs.image }}
                  registry: ${{ env.FLOW_REGISTRY }}
                  repository: crash/\(marker)
                  tags: [run-id]
                  username: ${{ env.FLOW_REGISTRY_USERNAME }}
                  password: ${{ env.FLOW_REGISTRY_PASSWORD }}
                  insecure: true
            """)
        var environment = ProcessInfo.processInfo.environment.merging(registry.environment) { _, new in new }
        environment["NO_COLOR"] = "1"
        let flow = try await startFlow(["run", "p.yml", "--image", "python:3.11-slim=\(base)"], currentDirectory: dir.url,
                                       waitingFor: "▸ image", environment: environment)
        var building = false
        for _ in 0..<1200 where !building {
            building = !(try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", pause]).stdout.isEmpty)
            if !building { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(building, "the build never reached its RUN")
        kill(flow.processIdentifier, SIGKILL)
        await flow.exited()
        // The killed build tagged nothing as the target.
        let tagged = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "inspect", "--type", "image", image])
        #expect(tagged.status != 0, "the killed build left an image named \(image)")

        try FileManager.default.removeItem(at: dir.file("ctx/gate/slow"))
        let resumed = try await runFlow(["resume", "--last"], environment: environment, currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        // What the dead flow left running (buildah and its RUN) was stopped, not waited for.
        #expect(try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", pause]).stdout.isEmpty)

        let status = try await runFlow(["status", "--json"], currentDirectory: dir.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let steps = Dictionary(uniqueKeysWithValues: try #require(object["steps"] as? [[String: Any]]).map { ($0["id"] as? String ?? "", $0) })
        #expect(steps["image"]?["attempts"] as? Int == 2, "\(status.stdout)")
        #expect(steps["push"]?["attempts"] as? Int == 1, "\(status.stdout)")
        #expect(steps["push"]?["status"] as? String == "succeeded")
        // One tag in the registry, pushed once.
        let url = "http://\(registry.address)/v2/crash/\(marker)/tags/list"
        let tags = try runProcess(URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "-u", "flow:\(registry.environment["FLOW_REGISTRY_PASSWORD"] ?? "")", url])
        let list = try #require(try JSONSerialization.jsonObject(with: tags.output) as? [String: Any])
        #expect((list["tags"] as? [String])?.count == 1, "\(tags.stdout)")
    }
}
