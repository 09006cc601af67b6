import Testing
import FlowCore
import FlowTestSupport

/// `uses: ./pipelines/x.yml`: the file read and checked with the one that names it (its
/// problems at its own lines, once), cycles refused where they close, the step's keys and
/// `with:` checked against the sub-pipeline's params, its outputs against its `outputs:`; the
/// plan holds its steps as `step/child`, and `--only`/`retry --step` see inside it.
@Suite struct SubPipelineTests {
    static let child = """
        name: build-image
        params:
          tag: { type: string }
          flavour: { type: choice, options: [slim, full], default: slim }
        steps:
          build:
            run: echo build
            outputs: [image]
          scan:
            needs: [build]
            run: echo scan
          docs:
            run: echo docs
        outputs:
          image: ${{ steps.build.outputs.image }}
        """

    func check(_ yaml: String, includes: [String: String] = ["pipelines/build-image.yml": child]) -> (Pipeline?, String) {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "main.yml", options: testValidationOptions(includes: includes))
        return (pipeline, DiagnosticRenderer(color: false).text(diagnostics))
    }

    func plan(_ yaml: String) throws -> RunPlan {
        let (pipeline, text) = check(yaml)
        #expect(text == "")
        let loaded = try #require(pipeline)
        return try #require(RunPlanner.plan(loaded).plan)
    }

    static let main = """
        name: main
        steps:
          version:
            run: echo v
            outputs: [tag]
          image:
            uses: ./pipelines/build-image.yml
            needs: [version]
            with: { tag: "${{ steps.version.outputs.tag }}" }
          deploy:
            needs: [image]
            run: echo "${{ steps.image.outputs.image }}"
        """

    @Test func theStepsInsideArePlannedUnderTheStepThatRunsThem() throws {
        let plan = try plan(Self.main)
        #expect(plan.steps.map(\.id) == ["version", "image", "image/build", "image/docs", "image/scan", "deploy"])
        #expect(plan.steps.map(\.needs) == [[], ["version"], ["image"], ["image"], ["image/build"], ["image"]])
        #expect(plan.steps.map(\.scope) == [nil, nil, "image", "image", "image", nil])
        #expect(plan.step("image/scan")?.localID == "scan")
        let call = try #require(plan.step("image")?.call)
        #expect(call.file == "pipelines/build-image.yml" && call.pipelineName == "build-image")
        #expect(call.params.map(\.name.value) == ["tag", "flavour"])
        #expect(call.outputs.map(\.name) == ["image"])
    }

    @Test func aMatrixOfWrittenValuesRunsTheSubPipelineOncePerCombination() throws {
        let plan = try self.plan("""
            name: main
            steps:
              image:
                uses: ./pipelines/build-image.yml
                matrix: { flavour: [slim, full] }
                with: { tag: "v1", flavour: "${{ matrix.flavour }}" }
              deploy:
                needs: [image]
                run: echo deploy
            """)
        #expect(plan.steps.map(\.id) == ["image[flavour=slim]", "image[flavour=slim]/build", "image[flavour=slim]/docs",
                                         "image[flavour=slim]/scan", "image[flavour=full]", "image[flavour=full]/build",
                                         "image[flavour=full]/docs", "image[flavour=full]/scan", "deploy"])
        #expect(plan.step("image[flavour=full]/build")?.scope == "image[flavour=full]")
        #expect(plan.step("image[flavour=full]/build")?.needs == ["image[flavour=full]"])
        #expect(plan.step("deploy")?.needs == ["image[flavour=slim]", "image[flavour=full]"])

        let (_, text) = check("""
            name: main
            steps:
              version: { run: echo v, outputs: [list] }
              image:
                needs: [version]
                uses: ./pipelines/build-image.yml
                matrix: { flavour: "${{ fromJSON(steps.version.outputs.list) }}", fail-fast: true, max-parallel: 1 }
                with: { tag: "v1" }
            """)
        #expect(text == """
            main.yml:7:13: error: a matrix computed at run time cannot fan out a sub-pipeline yet; write the matrix's values, or fan out inside the sub-pipeline
            main.yml:7:82: error: `fail-fast` is not supported on a matrix over a sub-pipeline yet; set it on a matrix inside the sub-pipeline, or remove it
            main.yml:7:102: error: `max-parallel` is not supported on a matrix over a sub-pipeline yet; set it on a matrix inside the sub-pipeline, or remove it

            """)
    }

    @Test func theCallingStepIsCheckedAgainstTheSubPipeline() {
        let (_, text) = check("""
            name: main
            steps:
              image:
                uses: ./pipelines/build-image.yml
                with:
                  tagg: x
                  flavour: medium
                timeout: 5m
                env: { A: b }
              missing:
                uses: ./pipelines/nope.yml
              deploy:
                needs: [image]
                run: echo "${{ steps.image.outputs.imag }}"
            """)
        #expect(text == """
            main.yml:4:11: error: the sub-pipeline pipelines/build-image.yml needs a value for param `tag`, which has no default; give it under `with:`
            pipelines/build-image.yml:3:3: note: declared here
            main.yml:6:7: error: `with: tagg`: the sub-pipeline pipelines/build-image.yml declares no param `tagg`
            main.yml:6:7: note: did you mean `tag`?
            main.yml:7:16: error: `medium` is not an option of `flavour`; choose one of `slim`, `full`
            main.yml:8:5: error: `timeout` does not apply to step `image`, which runs a sub-pipeline: it takes `uses`, `with`, `needs`, `if`, `matrix`, `name` and `description`; set `timeout` on the steps inside the sub-pipeline
            main.yml:9:5: error: `env` does not apply to step `image`, which runs a sub-pipeline: it takes `uses`, `with`, `needs`, `if`, `matrix`, `name` and `description`; set `env` on the steps inside the sub-pipeline
            main.yml:11:11: error: cannot read the sub-pipeline `./pipelines/nope.yml`: pipelines/nope.yml: No such file or directory; a path after `uses: ./` starts at the project root, the folder that holds `pipelines/`
            main.yml:14:20: error: step `image` declares no output `imag`; it declares `image`
            main.yml:14:20: note: did you mean `image`?

            """)
    }

    @Test func aCycleOfIncludesIsAnErrorWhereItCloses() {
        let a = "name: a\nsteps:\n  b:\n    uses: ./pipelines/b.yml\n"
        let b = "name: b\nsteps:\n  a:\n    uses: ./pipelines/a.yml\n"
        let (_, text) = check(a, includes: ["pipelines/a.yml": a, "pipelines/b.yml": b])
        // `main.yml` is `a.yml` by another name here (the test reads no files): the cycle closes at `a.yml`'s second reading.
        #expect(text == "pipelines/a.yml:4:11: error: sub-pipelines include each other in a cycle: pipelines/b.yml → pipelines/a.yml → pipelines/b.yml; "
                + "a pipeline cannot run itself, directly or not\n")
        let (_, itself) = check("name: s\nsteps:\n  s:\n    uses: ./pipelines/s.yml\n",
                                includes: ["pipelines/s.yml": "name: s\nsteps:\n  s:\n    uses: ./pipelines/s.yml\n"])
        #expect(itself == "pipelines/s.yml:4:11: error: sub-pipelines include each other in a cycle: pipelines/s.yml → pipelines/s.yml; "
                + "a pipeline cannot run itself, directly or not\n")
    }

    @Test func aSubPipelinesOwnProblemsAreReportedAtItsLinesOnceHoweverOftenItIsNamed() {
        let broken = "name: broken\nsteps:\n  x:\n    run: echo ${{ steps.nope.outputs.y }}\n"
        let (_, text) = check("""
            name: main
            steps:
              one: { uses: ./pipelines/broken.yml }
              two: { uses: ./pipelines/broken.yml }
            """, includes: ["pipelines/broken.yml": broken])
        #expect(text == "pipelines/broken.yml:4:19: error: no step `nope` in this pipeline\n")
    }

    @Test func onlyAndRetrySeeInsideASubPipeline() throws {
        let plan = try plan(Self.main)
        // Needed from outside: all of it. Named inside: what that step needs, and its entry.
        #expect(plan.only(["deploy"]).plan?.steps.map(\.id) == ["version", "image", "image/build", "image/docs", "image/scan", "deploy"])
        #expect(plan.only(["image/scan"]).plan?.steps.map(\.id) == ["version", "image", "image/build", "image/scan"])
        #expect(plan.only(["image"]).plan?.steps.map(\.id) == ["version", "image", "image/build", "image/docs", "image/scan"])
        // Retrying a step inside: it, the step that runs it (entered again) and what needs that.
        #expect(plan.withDownstream(of: ["image/scan"]).ids == ["image", "image/scan", "deploy"])
        #expect(plan.withDownstream(of: ["image"]).ids == ["image", "image/build", "image/docs", "image/scan", "deploy"])
    }
}
