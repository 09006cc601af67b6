import Foundation
import Testing
import FlowTestSupport

/// `build` as a user runs it: `flow run` on a pipeline file, the built binary.
@Suite(.serialized) struct BuildFlowRunTests {
    @Test func flowRunBuildsAndTagsWithTheRunIDAndRecordsTheOutputs() async throws {
        try BuildTesting.requireBaseImage()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let image = BuildTesting.uniqueImage()
        let repository = String(image.dropLast(2))
        try BuildTesting.context(dir, ["Dockerfile": "FROM python:3.11-slim\nRUN echo built-by-flow-run\n"])
        _ = try dir.write("p.yml", """
            name: p
            steps:
              image:
                uses: build
                with: { context: ctx, image: "\(image)", tags: ["${{ run.id }}"] }
              show:
                needs: [image]
                run: echo "digest=${{ steps.image.outputs.digest }} size=${{ steps.image.outputs.size }}"
            """)
        // `python:3.11-slim` cannot be pulled here: `--image` points it at the local base.
        let r = try await runFlow(["run", "p.yml", "--image", "python:3.11-slim=\(BuildTesting.baseImage)"], currentDirectory: dir.url)
        let listed = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let runs = try #require(try JSONSerialization.jsonObject(with: listed.output) as? [[String: Any]])
        let runID = try #require(runs.first?["id"] as? String)
        defer { BuildTesting.remove([image, repository + ":" + runID]) }
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let logs = try await runFlow(["logs", runID], currentDirectory: dir.url)
        #expect(logs.stdout.contains("built-by-flow-run"), "\(logs.stdout)")
        #expect(logs.stdout.contains("image python:3.11-slim → \(BuildTesting.baseImage)"), "\(logs.stdout)")
        let inspection = try #require(try BuildTesting.inspect(image))
        let id = "sha256:" + (inspection["FromImageID"] as? String ?? "")
        #expect(logs.stdout.contains("digest=\(id) size="))
        #expect(try BuildTesting.inspect(repository + ":" + runID)?["FromImageID"] as? String == inspection["FromImageID"] as? String)
        #expect((BuildTesting.config(inspection)["Labels"] as? [String: String])?["flow.run-id"] == runID)
    }

    /// A memoized `build`: its key holds the context's files and the Dockerfile (the type
    /// declares them), so an unchanged context reuses the first build and a changed file builds again.
    @Test func aMemoizedBuildIsReusedUntilItsContextChanges() async throws {
        try BuildTesting.requireBaseImage()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        try BuildTesting.context(dir, ["Dockerfile": "FROM \(BuildTesting.baseImage)\nCOPY app.txt /app.txt\n", "app.txt": "one\n"])
        _ = try dir.write("pipelines/p.yml", """
            name: p
            steps:
              image:
                uses: build
                with: { context: ctx, image: "\(image)" }
                cache: {}
            """)
        func run() async throws -> [String: Any] {
            let r = try await runFlow(["run", "pipelines/p.yml"], currentDirectory: dir.url)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            let status = try await runFlow(["status", "--json"], currentDirectory: dir.url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            return try #require((object["steps"] as? [[String: Any]])?.first { $0["id"] as? String == "image" })
        }
        let first = try await run()
        #expect(first["cachedFrom"] is NSNull)
        let second = try await run()
        #expect(second["cachedFrom"] as? String != nil)
        #expect((second["outputs"] as? [String: String])?["digest"] == (first["outputs"] as? [String: String])?["digest"])
        _ = try dir.write("ctx/app.txt", "two\n")
        let third = try await run()
        #expect(third["cachedFrom"] is NSNull)
        #expect((third["outputs"] as? [String: String])?["digest"] != (first["outputs"] as? [String: String])?["digest"])
    }
}
