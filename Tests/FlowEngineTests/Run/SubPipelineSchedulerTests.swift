import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// Sub-pipelines (`uses: ./pipelines/x.yml`) in the scheduler alone: entered when reached (its
/// `with:` and `env:` computed then), its steps released, the step ending when they have, with
/// the sub-pipeline's outputs, and only then what needs it.
@Suite struct SubPipelineSchedulerTests {
    let base = RunSchedulerTests()

    static let child = """
        name: build-image
        params:
          tag: { type: string }
          flavour: { type: choice, options: [slim, full], default: slim }
        env:
          IMAGE: "app:${{ params.tag }}-${{ params.flavour }}"
        steps:
          build:
            run: echo build
            outputs: [image]
          scan:
            needs: [build]
            run: echo "scan ${{ steps.build.outputs.image }}"
          report:
            needs: [scan]
            if: always()
            run: echo "scan ${{ steps.scan.status }}"
        outputs:
          image: ${{ steps.build.outputs.image }}
          scanned: ${{ steps.scan.status }}
        """

    static let parent = """
        name: main
        env:
          PARENT_ONLY: "yes"
        params:
          flavour: { type: string, default: full }
          skip: { type: bool, default: false }
        steps:
          version:
            run: echo version
            outputs: [tag]
          image:
            if: ${{ !params.skip }}
            uses: ./pipelines/build-image.yml
            needs: [version]
            with:
              tag: ${{ steps.version.outputs.tag }}
              flavour: ${{ params.flavour }}
          deploy:
            needs: [image]
            run: echo "deploy ${{ steps.image.outputs.image }}"
          cleanup:
            needs: [image]
            if: always()
            run: echo "image ${{ steps.image.status }}"
        """

    func scheduler(_ yaml: String = parent, succeeded: [String: [String: String]] = [:]) throws -> RunScheduler {
        try base.scheduler(yaml, succeeded: succeeded, includes: ["pipelines/build-image.yml": Self.child],
                           environment: ["HOME": "/home/u"])
    }

    @Test func theSubPipelineIsEnteredWhenReachedAndEndsWithItsOutputsBeforeWhatNeedsIt() throws {
        var s = try scheduler()
        #expect(s.steps.map(\.id) == ["version", "image", "image/build", "image/scan", "image/report", "deploy", "cleanup"])
        #expect(base.named(s.handle(.begin), s) == ["start version"])
        #expect(base.finish(&s, "version", .succeeded, ["tag": "1.2.3"]) == ["enter image", "start image/build"])
        // Inside: the sub-pipeline's params, env (over flow's own, not the caller's) and steps, by their own ids.
        let build = base.index("image/build", s)
        let context = s.context(for: build)
        #expect(context.values["params"] == .object(["tag": .string("1.2.3"), "flavour": .string("full")]))
        #expect(s.environment(for: build)?.values == ["HOME": "/home/u", "IMAGE": "app:1.2.3-full"])
        #expect(s.environment(for: build)?.declared == ["IMAGE"])
        #expect(context.values["pipeline"] == .object(["name": .string("build-image"), "file": .string("pipelines/build-image.yml")]))
        #expect(base.finish(&s, "image/build", .succeeded, ["image": "app:1.2.3-full"]) == ["start image/scan"])
        let scanContext = s.context(for: base.index("image/scan", s))
        #expect(try Template.parse("${{ steps.build.outputs.image }}").render(in: scanContext) == "app:1.2.3-full")
        #expect(base.finish(&s, "image/scan", .succeeded) == ["start image/report"])
        #expect(base.finish(&s, "image/report", .succeeded)
                == ["succeeded image (its steps ended) image=app:1.2.3-full,scanned=succeeded", "start deploy", "start cleanup"])
        // Outside, the step's outputs are the sub-pipeline's.
        let deployContext = s.context(for: base.index("deploy", s))
        #expect(try Template.parse("${{ steps.image.outputs.image }}").render(in: deployContext) == "app:1.2.3-full")
        #expect(s.environment(for: base.index("deploy", s)) == nil)
        _ = base.finish(&s, "deploy", .succeeded)
        _ = base.finish(&s, "cleanup", .succeeded)
        #expect(s.isIdle && s.conclusion().status == .succeeded)
    }

    @Test func aStepInsideThatFailsFailsTheSubPipelineAfterItsOwnCleanupRan() throws {
        var s = try scheduler()
        _ = s.handle(.begin)
        _ = base.finish(&s, "version", .succeeded, ["tag": "1"])
        _ = base.finish(&s, "image/build", .succeeded, ["image": "x"])
        // `report` runs (`always()`), reading the sub-pipeline's own steps only.
        #expect(base.finish(&s, "image/scan", .failed) == ["start image/report"])
        #expect(base.finish(&s, "image/report", .succeeded)
                == ["failed image (its steps ended) image=x,scanned=failed", "skipped deploy: an upstream step failed", "start cleanup"])
        _ = base.finish(&s, "cleanup", .succeeded)
        #expect(s.conclusion().status == .failed)
    }

    @Test func aSubPipelineThatDoesNotRunTakesItsStepsWithIt() throws {
        var s = try base.scheduler(Self.parent.replacingOccurrences(of: "skip: { type: bool, default: false }", with: "skip: { type: bool, default: true }"),
                                   includes: ["pipelines/build-image.yml": Self.child])
        _ = s.handle(.begin)
        let actions = base.finish(&s, "version", .succeeded, ["tag": "1"])
        #expect(actions.contains("skipped image: condition is false: !params.skip"))
        // Even `report`, whose `if` is `always()`: nothing inside a sub-pipeline that did not run runs.
        for id in ["image/build", "image/scan", "image/report"] {
            #expect(actions.contains("skipped \(id): `image` was skipped"))
        }
        #expect(actions.contains("start cleanup"))
    }

    @Test func aWithValueThatDoesNotFitFailsTheStepAndNothingInsideRuns() throws {
        var s = try scheduler(Self.parent.replacingOccurrences(of: "default: full", with: "default: medium"))
        _ = s.handle(.begin)
        let actions = base.finish(&s, "version", .succeeded, ["tag": "1"])
        #expect(actions.first == "failed image: the sub-pipeline could not be entered: param `flavour` of pipelines/build-image.yml: "
                + "`medium` is not an option of `flavour`; choose one of `slim`, `full`")
        #expect(actions.contains("skipped image/build: `image` could not be entered"))
    }

    @Test func aSubPipelineCalledWithAlwaysRunsItsStepsAfterAnUpstreamFailure() throws {
        var s = try scheduler(Self.parent.replacingOccurrences(of: "if: ${{ !params.skip }}", with: "if: always()"))
        _ = s.handle(.begin)
        // Its steps judge by what happens inside it, as a GitHub reusable workflow's jobs do.
        #expect(base.finish(&s, "version", .failed).prefix(2) == ["enter image", "start image/build"])
    }

    @Test func theSubPipelinesSecretParamsAndEnvAreToldToTheCoordinatorWhenEntered() throws {
        let child = """
            name: deployer
            params:
              token: { type: string, secret: true }
            env:
              API_KEY: "key-${{ params.token }}"
            secrets: [API_KEY]
            steps:
              go: { run: echo go }
            """
        var s = try base.scheduler("""
            name: main
            steps:
              first: { run: echo, outputs: [t] }
              deploy:
                needs: [first]
                uses: ./pipelines/deployer.yml
                with: { token: "${{ steps.first.outputs.t }}" }
            """, includes: ["pipelines/deployer.yml": child])
        _ = s.handle(.begin)
        let actions = s.handle(.finished(base.index("first", s), .succeeded, outputs: ["t": "s3cr3t"]))
        #expect(actions.first == .enter(base.index("deploy", s), secrets: ["s3cr3t", "key-s3cr3t"]))
    }

    @Test func aResumedRunEntersAgainAndKeepsTheStepsInsideThatSucceeded() throws {
        var s = try scheduler(succeeded: ["version": ["tag": "1.2.3"], "image/build": ["image": "app:1.2.3-full"]])
        #expect(base.named(s.handle(.begin), s) == ["enter image", "start image/scan"])
        #expect(try Template.parse("${{ steps.build.outputs.image }}").render(in: s.context(for: base.index("image/scan", s))) == "app:1.2.3-full")
    }
}
