import Testing
import FlowCore
import FlowTestSupport

@Suite struct RunPlannerTests {
    func pipeline(_ text: String) throws -> Pipeline {
        let (p, diagnostics) = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: testValidationOptions())
        #expect(!diagnostics.hasErrors, "\(DiagnosticRenderer(color: false).text(diagnostics))")
        return try #require(p)
    }

    let source = """
        name: p
        params:
          region: { type: string, default: us-west-2 }
          replicas: { type: number, default: 1 }
          token: { type: string }
        profiles:
          local: { region: local-1, replicas: 2 }
        defaults:
          timeout: 10m
          retry: { attempts: 3 }
        steps:
          test:
            matrix: { python: ["3.10", "3.11"], cuda: ["12.1", "12.4"], exclude: [{ python: "3.10", cuda: "12.4" }] }
            run: echo ${{ matrix.python }}
          push:
            needs: [test]
            retry: 1
            timeout: 1m
            run: echo 'pushing ${{ params.region }}'
        """

    @Test func logLimitComesFromTheStepElseTheDefaults() throws {
        let p = try pipeline("""
            name: p
            defaults: { log-limit: 1MiB }
            steps:
              a: { run: echo, log-limit: 4096 }
              b: { run: echo }
            """)
        let plan = try #require(RunPlanner.plan(p, params: [], profile: nil).plan)
        #expect(plan.steps.map(\.logLimit) == [4096, 1 << 20])
    }

    @Test func paramsResolveDefaultThenProfileThenCommandLine() throws {
        let p = try pipeline(source)
        let (plan, diagnostics) = RunPlanner.plan(p, params: [.init(name: "replicas", value: "5"), .init(name: "token", value: "t")], profile: "local")
        #expect(diagnostics.isEmpty)
        let params = try #require(plan).params
        #expect(params.map(\.name) == ["region", "replicas", "token"])
        #expect(params.map(\.value) == [.string("local-1"), .number(5), .string("t")])
    }

    @Test func missingUnknownAndMistypedParamsAreReported() throws {
        let p = try pipeline(source)
        let (plan, diagnostics) = RunPlanner.plan(p, params: [.init(name: "replicas", value: "many"), .init(name: "regoin", value: "x")], profile: "prod")
        #expect(plan == nil)
        #expect(diagnostics.map(\.message) == [
            "no profile `prod` is defined under `profiles`",
            "`replicas` is a number parameter; `many` is not a number",
            "no parameter `regoin` is declared under `params`",
            "parameter `token` has no default and no value; pass `--param token=…` or give it a `default`",
        ])
        #expect(diagnostics[2].notes.map(\.message) == ["did you mean `region`?"])
        #expect(diagnostics[1].notes.first?.location?.line == 4)
    }

    @Test func matrixExpandsInOrderAndDependentsWaitForEveryInstance() throws {
        let (plan, _) = RunPlanner.plan(try pipeline(source), params: [.init(name: "token", value: "t")])
        let steps = try #require(plan).steps
        #expect(steps.map(\.id) == ["test[python=3.10,cuda=12.1]", "test[python=3.11,cuda=12.1]", "test[python=3.11,cuda=12.4]", "push"])
        #expect(steps[3].needs == ["test[python=3.10,cuda=12.1]", "test[python=3.11,cuda=12.1]", "test[python=3.11,cuda=12.4]"])
        #expect(steps[1].matrix?["python"] == "3.11")
        #expect(steps[0].baseID == "test")
    }

    @Test func stepSettingsOverrideDefaults() throws {
        let (plan, _) = RunPlanner.plan(try pipeline(source), params: [.init(name: "token", value: "t")])
        let steps = try #require(plan).steps
        #expect(steps[0].timeout == DurationValue(milliseconds: 600_000))
        #expect(steps[0].retry.attempts == 3)
        #expect(steps[3].timeout == DurationValue(milliseconds: 60_000))
        #expect(steps[3].retry.attempts == 1)
        #expect(plan?.maxParallel == RunPlan.defaultMaxParallel)
    }

    @Test func runScriptsArePreparedWithEnvironmentReferences() throws {
        let (plan, _) = RunPlanner.plan(try pipeline(source), params: [.init(name: "token", value: "t")])
        let push = try #require(plan?.step("push"))
        #expect(push.script?.substitution.script == "echo 'pushing '\"${FLOW_EXPR_1}\"''")
        #expect(push.script?.substitution.variables.map(\.name) == ["FLOW_EXPR_1"])
        #expect(push.script?.interpreter == "bash")
    }

    @Test func graphTextListsEveryEdgeOnce() throws {
        let (plan, _) = RunPlanner.plan(try pipeline(source), params: [.init(name: "token", value: "t")])
        let text = try #require(plan).graphText(.dot)
        #expect(text.components(separatedBy: " -> \"push\"").count - 1 == 3)
        let mermaid = try #require(plan).graphText(.mermaid)
        #expect(mermaid.hasPrefix("flowchart TD\n"))
        #expect(mermaid.contains("s0 --> s3"))
    }

    @Test func matrixIncludeExtendsMatchingCombinationsOrAddsNewOnes() {
        var m = Matrix(location: SourceLocation(file: "m", line: 1, column: 1))
        let at = m.location
        m.axes = [.init(name: Located("os", at: at), values: [Located("linux", at: at), Located("mac", at: at)])]
        m.include = [[(Located("os", at: at), "linux"), (Located("arch", at: at), "arm")],
                     [(Located("os", at: at), "windows")]]
        #expect(m.combinations().map { $0.stepID(base: "b") } == ["b[os=linux,arch=arm]", "b[os=mac]", "b[os=windows]"])
    }

    @Test func planningACycleWithoutValidationReportsThePath() throws {
        let (loaded, _) = PipelineLoader.load("name: c\nsteps:\n  a: { run: echo, needs: b }\n  b: { run: echo, needs: a }\n", file: "c.yml")
        let (plan, diagnostics) = RunPlanner.plan(try #require(loaded))
        #expect(plan == nil)
        #expect(diagnostics.map(\.message) == ["steps form a cycle: a → b → a"])
    }
}
