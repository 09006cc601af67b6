import Testing
import FlowCore
import FlowTestSupport

/// `run --only` and `retry --step` choose steps of a plan by name.
@Suite struct RunPlanSelectionTests {
    /// prepare → build (matrix) → test → publish; lint stands alone; docs needs prepare.
    static let source = """
        name: p
        steps:
          prepare: { run: echo prepare }
          lint: { run: echo lint }
          build:
            needs: [prepare]
            matrix: { python: ["3.10", "3.11"] }
            run: echo build
          test: { needs: [build], run: echo test }
          docs: { needs: [prepare], run: echo docs }
          publish: { needs: [test, docs], run: echo publish }
        """

    func plan() throws -> RunPlan {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(Self.source.utf8), file: "p.yml", options: testValidationOptions())
        #expect(!diagnostics.hasErrors)
        let pipelineValue = try #require(pipeline)
        return try #require(RunPlanner.plan(pipelineValue).plan)
    }

    @Test func onlyKeepsTheStepAndEverythingItNeedsInPlanOrder() throws {
        let (narrowed, diagnostics) = try plan().only(["test"])
        #expect(diagnostics.isEmpty)
        let steps = try #require(narrowed).steps
        #expect(steps.map(\.id) == ["prepare", "build[python=3.10]", "build[python=3.11]", "test"])
        #expect(narrowed?.selection == RunPlan.Selection(names: ["test"], totalSteps: 7))
        // The narrowed plan is closed: every need is in it.
        let ids = Set(steps.map(\.id))
        #expect(steps.allSatisfy { $0.needs.allSatisfy(ids.contains) })
    }

    @Test func aMatrixStepIdSelectsEveryInstanceAndAnInstanceIdOnlyThatOne() throws {
        let all = try plan().only(["build"]).plan?.steps.map(\.id)
        #expect(all == ["prepare", "build[python=3.10]", "build[python=3.11]"])
        let one = try plan().only(["build[python=3.11]"]).plan?.steps.map(\.id)
        #expect(one == ["prepare", "build[python=3.11]"])
    }

    @Test func severalNamesUniteTheirClosures() throws {
        let ids = try plan().only(["lint", "docs", "lint"]).plan?.steps.map(\.id)
        #expect(ids == ["prepare", "lint", "docs"])
    }

    @Test func anUnknownNameIsAnErrorWithASuggestionAndTheStepIds() throws {
        let (narrowed, diagnostics) = try plan().only(["tset", "zzz"])
        #expect(narrowed == nil)
        #expect(diagnostics.map(\.message) == ["`--only tset`: pipeline `p` has no step `tset`", "`--only zzz`: pipeline `p` has no step `zzz`"])
        #expect(diagnostics[0].notes.map(\.message) == [
            "did you mean `test`?",
            "its steps: `prepare`, `lint`, `build`, `docs`, `test`, `publish`",
        ])
        #expect(diagnostics[1].notes.count == 1)
        #expect(DiagnosticRenderer(color: false).text(diagnostics).hasPrefix("command line: error: `--only tset`"))
    }

    @Test func withDownstreamFollowsDependentsTransitively() throws {
        let (ids, diagnostics) = try plan().withDownstream(of: ["build[python=3.10]"])
        #expect(diagnostics.isEmpty)
        #expect(ids == ["build[python=3.10]", "test", "publish"])
        #expect(try plan().withDownstream(of: ["prepare"]).ids == ["prepare", "build[python=3.10]", "build[python=3.11]", "docs", "test", "publish"])
        #expect(try plan().withDownstream(of: ["lint"]).ids == ["lint"])
        let unknown = try plan().withDownstream(of: ["biuld"])
        #expect(unknown.ids == nil)
        #expect(unknown.diagnostics.first?.message == "`--step biuld`: pipeline `p` has no step `biuld`")
        #expect(unknown.diagnostics.first?.notes.first?.message == "did you mean `build`?")
    }

    @Test func theListOfStepIdsIsBounded() {
        let ids = (0..<40).map { "s\($0)" }
        #expect(Messages.stepsOfPipeline(ids).hasSuffix("`s29`, … (10 more)"))
    }
}

/// `concurrency.group`: rendered when the run is planned, from params and the pipeline only.
@Suite struct ConcurrencyGroupPlanTests {
    func plan(_ yaml: String, _ params: [RunPlanner.ParamArgument] = []) throws -> (RunPlan?, [Diagnostic]) {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "p.yml", options: testValidationOptions())
        guard let pipeline, !diagnostics.hasErrors else { return (nil, diagnostics) }
        return RunPlanner.plan(pipeline, params: params)
    }

    @Test func theGroupIsRenderedWithTheRunsParams() throws {
        let yaml = """
            name: deploy
            params: { env: { type: string, default: dev } }
            concurrency: { group: "${{ pipeline.name }}-${{ params.env }}", policy: replace }
            steps: { a: { run: echo } }
            """
        #expect(try plan(yaml).0?.concurrency == ConcurrencyGroup(name: "deploy-dev", policy: .replace))
        #expect(try plan(yaml, [.init(name: "env", value: "prod")]).0?.concurrency?.name == "deploy-prod")
    }

    @Test func aPlainStringIsAQueueGroupAndNoConcurrencyIsNone() throws {
        #expect(try plan("name: p\nconcurrency: nightly\nsteps: { a: { run: echo } }\n").0?.concurrency == ConcurrencyGroup(name: "nightly", policy: .queue))
        #expect(try plan("name: p\nsteps: { a: { run: echo } }\n").0?.concurrency == nil)
    }

    @Test func aGroupThatRendersEmptyIsAnError() throws {
        let yaml = "name: p\nparams: { g: { type: string, default: '' } }\nconcurrency: { group: '${{ params.g }}' }\nsteps: { a: { run: echo } }\n"
        let (plan, diagnostics) = try plan(yaml)
        #expect(plan == nil)
        #expect(diagnostics.map(\.message) == [Messages.concurrencyGroupEmpty])
        #expect(diagnostics.first?.location.line == 3)
        let literal = try self.plan("name: p\nconcurrency: { group: '' }\nsteps: { a: { run: echo } }\n")
        #expect(literal.1.map(\.message) == [Messages.concurrencyGroupEmpty])
    }
}
