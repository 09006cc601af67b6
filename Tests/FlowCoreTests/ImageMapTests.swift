import Testing
import FlowCore
import FlowTestSupport

/// `images:` (pipeline and profile) and `--image`: one map, later entries over earlier ones.
@Suite struct ImageMapTests {
    func check(_ text: String) -> (Pipeline?, [Diagnostic]) {
        PipelineCheck.check(Array(text.utf8), file: "p.yml", options: testValidationOptions())
    }

    func rendered(_ plan: RunPlan, params: [String: ExpressionValue] = [:]) throws -> [String: String] {
        let context = EvaluationContext(values: ["params": .object(params), "env": .object([:])])
        var map: [String: String] = [:]
        for (name, template) in plan.images { map[name] = try template.render(in: context) }
        return map
    }

    let source = """
        name: p
        params:
          base: { type: string, default: localhost/flow/python:3.11-bookworm }
        images:
          "python:3.11-slim": ${{ params.base }}
          "nvcr.io/nvidia/pytorch:24.07-py3": localhost/flow/python:3.11-bookworm
        profiles:
          local:
            images: { "nvcr.io/nvidia/pytorch:24.07-py3": 127.0.0.1:5000/flow/python:3.11-bookworm }
        steps:
          a: { run: echo }
        """

    @Test func thePipelineMapThenTheProfileThenTheCommandLine() throws {
        let (pipeline, diagnostics) = check(source)
        #expect(!diagnostics.hasErrors, "\(DiagnosticRenderer(color: false).text(diagnostics))")
        let p = try #require(pipeline)
        let plain = try #require(RunPlanner.plan(p).plan)
        #expect(try rendered(plain, params: ["base": .string("localhost/b")]) == [
            "python:3.11-slim": "localhost/b", "nvcr.io/nvidia/pytorch:24.07-py3": "localhost/flow/python:3.11-bookworm"])
        let local = try #require(RunPlanner.plan(p, profile: "local").plan)
        #expect(try rendered(local, params: ["base": .string("localhost/b")])["nvcr.io/nvidia/pytorch:24.07-py3"]
                == "127.0.0.1:5000/flow/python:3.11-bookworm")
        let given = try #require(RunPlanner.plan(p, profile: "local", images: [("python:3.11-slim", "localhost/mine")]).plan)
        #expect(try rendered(given)["python:3.11-slim"] == "localhost/mine")
        #expect(given.imageOverrides.map(\.value) == ["localhost/mine"])
        #expect(given.images.map(\.name) == ["python:3.11-slim", "nvcr.io/nvidia/pytorch:24.07-py3"])
    }

    @Test func aProfileImagesMappingIsNotAParam() throws {
        let (pipeline, diagnostics) = check(source)
        #expect(!diagnostics.hasErrors)
        let profile = try #require(pipeline?.profiles.first)
        #expect(profile.values.isEmpty)
        #expect(profile.images.map(\.name.value) == ["nvcr.io/nvidia/pytorch:24.07-py3"])
    }

    @Test func badNamesAndExpressionsAreLocated() {
        let (_, diagnostics) = check("""
            name: p
            images:
              "python 3": localhost/x
              "ok:1": ${{ params.missing }}
            steps:
              a: { run: echo }
            """)
        let text = DiagnosticRenderer(color: false).text(diagnostics)
        #expect(text.contains("p.yml:3:3: error: `python 3` is not an image name"), "\(text)")
        #expect(text.contains("p.yml:4:"), "\(text)")
        #expect(text.contains("missing"), "\(text)")
    }

    @Test func commandLineOverridesMustBeNameEqualsImage() {
        let (overrides, problems) = RunPlanner.imageOverrides(["python:3.11-slim=localhost/x", "nonsense", "=x", "a="])
        #expect(overrides.map(\.name) == ["python:3.11-slim"])
        #expect(overrides.map(\.value) == ["localhost/x"])
        #expect(problems.count == 3)
        #expect(problems.first?.message.contains("is not NAME=IMAGE") == true)
    }

    @Test func containerIsForRunStepsAndItsKeysAreChecked() {
        let (_, diagnostics) = check("""
            name: p
            steps:
              a:
                uses: analyze
                container: { image: x }
              b:
                run: echo
                container: { image: x, volumes: [a:/a], envv: { A: b } }
              c:
                run: echo
                container: { volumes: [a:/a] }
            """)
        let text = DiagnosticRenderer(color: false).text(diagnostics)
        #expect(text.contains("p.yml:5:16: error: `container` applies to `run:` steps only"), "\(text)")
        #expect(text.contains("envv"), "\(text)")
        #expect(text.contains("did you mean `env`"), "\(text)")
        #expect(text.contains("image"), "\(text)")
    }
}
