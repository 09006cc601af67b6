import Foundation
import Testing
import FlowTestSupport

/// Steps' `name:`/`description:` and the pipeline's `outputs:`, through the built binary.
@Suite struct NamesAndOutputsTests {
    static let pipeline = """
        name: names
        params:
          region: { default: eu-west-1 }
        secrets: [TOKEN]
        env: { TOKEN: tok-5f4e3d2c1b }
        outputs:
          ref: ${{ steps.build.outputs.ref }}
          summary: "built ${{ steps.build.outputs.ref }} in ${{ params.region }}; lint ${{ steps.lint.status }}"
          token: ${{ env.TOKEN }}
        steps:
          build:
            name: Build the training image
            description: buildah build of examples/fsdp
            outputs: [ref]
            run: echo "ref=img@sha256:abc" >> "$FLOW_OUTPUT"
          lint:
            needs: [build]
            name: Lint on ${{ matrix.os }} in ${{ params.region }}
            matrix: { os: [linux] }
            run: "true"
        """

    @Test func namesShowEverywhereAndOutputsAreReportedMasked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let plain = try await runFlow(["run", "p.yml", "--junit", "report.xml"], currentDirectory: dir.url)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("▸ build · Build the training image\n"))
        #expect(plain.stdout.contains("✓ lint[os=linux] · Lint on linux in eu-west-1 "))
        #expect(plain.stdout.contains("  ref: img@sha256:abc\n"))
        #expect(plain.stdout.contains("  summary: built img@sha256:abc in eu-west-1; lint \n"), "\(plain.stdout)")
        #expect(plain.stdout.contains("  token: ***\n"))
        #expect(!plain.stdout.contains("tok-5f4e3d2c1b"))

        let junit = try String(contentsOf: dir.file("report.xml"), encoding: .utf8)
        #expect(junit.contains("name=\"Build the training image (build)\""))
        #expect(junit.contains("name=\"Lint on linux in eu-west-1 (lint[os=linux])\""))

        let json = try await runFlow(["run", "p.yml", "--json"], currentDirectory: dir.url)
        let events = Runs.jsonLines(json.stdout)
        let started = try #require(events.first { $0["event"] as? String == "run-started" })
        #expect((started["names"] as? [String: String])?["build"] == "Build the training image")
        let finished = try #require(events.first { $0["event"] as? String == "run-finished" })
        let outputs = try #require(finished["outputs"] as? [String: String])
        #expect(outputs == ["ref": "img@sha256:abc", "summary": "built img@sha256:abc in eu-west-1; lint ", "token": "***"])
        // In declaration order in the text.
        let line = try #require(json.stdout.split(separator: "\n").first { $0.contains("run-finished") })
        #expect(line.contains("\"outputs\":{\"ref\":\"img@sha256:abc\",\"summary\":"))
        #expect(events.contains { $0["event"] as? String == "step-finished" && $0["name"] as? String == "Build the training image" })

        let id = try await Runs.newestID(in: dir)
        let status = try await Runs.status(id, in: dir)
        #expect((status["outputs"] as? [String: String])?["ref"] == "img@sha256:abc")
        let build = try #require(try Runs.steps(of: status)["build"])
        #expect(build["name"] as? String == "Build the training image")
        #expect(build["description"] as? String == "buildah build of examples/fsdp")
        let text = try await runFlow(["status"], currentDirectory: dir.url)
        #expect(text.stdout.contains("  output ref: img@sha256:abc\n"))
        #expect(text.stdout.contains("  succeeded  build · Build the training image\n"))
        let graph = try await runFlow(["graph", "p.yml"], currentDirectory: dir.url)
        #expect(graph.stdout.contains("s0[\"build<br/>Build the training image\"]"))
        #expect(!dir.holds("tok-5f4e3d2c1b", under: "runs"))
    }

    @Test func anOutputThatCannotBeComputedFailsTheRunAndSaysWhich() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            outputs:
              n: ${{ fromJSON(steps.a.outputs.json).n }}
            steps:
              a:
                outputs: [json]
                run: echo "json={not json" >> "$FLOW_OUTPUT"
            """)
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("flow: output `n` could not be computed: "), "\(r.stdout)")
        #expect(r.stdout.contains("run ") && r.stdout.contains(" failed in "))
    }

    @Test func validationSaysWhatNamesAndOutputsMayRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            params:
              key: { secret: true, default: s3cr3t-value }
            outputs:
              x: ${{ steps.nope.outputs.y }}
            steps:
              a:
                name: After ${{ steps.b.outputs.z }}
                description: ${{ params.key }}
                run: "true"
              b: { run: "true", name: "" }
            """)
        let r = try await runFlow(["validate", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("p.yml:5:10: error: no step `nope` in this pipeline"), "\(r.stderr)")
        #expect(r.stderr.contains("p.yml:8:21: error: a step's `name` can read only `params`, `pipeline` and `matrix`, not `steps`"))
        #expect(r.stderr.contains("p.yml:9:18: error: `description` is plain text; it takes no `${{ }}`"))
        #expect(r.stderr.contains("p.yml:11:27: error: `name` is empty"))
        _ = try dir.write("q.yml", """
            name: q
            params:
              key: { secret: true, default: s3cr3t-value }
            steps:
              a: { name: "with ${{ params.key }}", run: "true" }
            """)
        let q = try await runFlow(["run", "q.yml"], currentDirectory: dir.url)
        #expect(q.status == 2)
        #expect(q.stderr.contains("a step's `name` reads secret param `key`"), "\(q.stderr)")
        #expect(!q.stderr.contains("s3cr3t-value"))
    }
}

extension TemporaryDirectory {
    /// Whether any file under `folder` holds `text`.
    func holds(_ text: String, under folder: String) -> Bool {
        let root = file(folder).path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return false }
        for case let relative as String in walker {
            if let data = FileManager.default.contents(atPath: root + "/" + relative), data.range(of: Data(text.utf8)) != nil { return true }
        }
        return false
    }
}
