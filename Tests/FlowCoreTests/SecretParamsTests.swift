import Testing
import FlowCore
import FlowTestSupport

/// Which params are secret, and which secret values the file itself holds, decided at plan time.
@Suite struct SecretParamsTests {
    func check(_ text: String) -> (Pipeline?, [Diagnostic]) {
        PipelineCheck.check(Array(text.utf8), file: "p.yml", options: testValidationOptions())
    }

    func plan(_ text: String, params: [String: String] = [:], profile: String? = nil) throws -> (plan: RunPlan?, messages: [String]) {
        let (pipeline, diagnostics) = check(text)
        #expect(!diagnostics.hasErrors, "\(DiagnosticRenderer(color: false).text(diagnostics))")
        let (plan, problems) = RunPlanner.plan(try #require(pipeline), params: params.map { .init(name: $0.key, value: $0.value) },
                                               profile: profile)
        return (plan, problems.map(\.message))
    }

    @Test func aParamIsSecretWhenDeclaredSoOrWhenItFeedsTheEnvValueOfASecretName() throws {
        let (plan, messages) = try plan("""
            name: p
            params:
              declared: { type: string, secret: true, default: declared-Default-1 }
              direct: { type: string, default: direct-Default-2 }
              chained: { type: string, default: chained-Default-3 }
              stepwise: { type: string, default: stepwise-Default-4 }
              plain: { type: string, default: plain-Default-5 }
            profiles:
              prod: { direct: direct-Profile-6, plain: plain-Profile-7 }
            secrets: [TOKEN, STEP_TOKEN]
            env:
              TOKEN: "Bearer ${{ params.direct }}"
              PART: ${{ params.chained }}
              OTHER: ${{ params.plain }}
            steps:
              a:
                env:
                  TOKEN: "${{ env.PART }}-x"
                  STEP_TOKEN: ${{ params['stepwise'] }}
                  LITERAL: plain-Literal-8
                run: echo ${{ params.plain }} ${{ params.declared }}
              b:
                env: { STEP_TOKEN: step-Literal-9 }
                run: echo
            """)
        #expect(messages.isEmpty)
        let p = try #require(plan)
        #expect(p.secretParams == ["declared", "direct", "chained", "stepwise"])
        #expect(Set(p.fileSecrets) == ["declared-Default-1", "direct-Default-2", "direct-Profile-6", "chained-Default-3",
                                       "stepwise-Default-4", "step-Literal-9"])
    }

    @Test func readingTheWholeParamsObjectInASecretsValueMakesEveryParamSecret() throws {
        let (plan, _) = try plan("""
            name: p
            params: { a: x, b: y }
            secrets: [ALL]
            env: { ALL: "${{ toJSON(params) }}" }
            steps: { s: { run: echo } }
            """)
        #expect(try #require(plan).secretParams == ["a", "b"])
    }

    @Test func secretMustBeABoolean() {
        let (_, diagnostics) = check("""
            name: p
            params:
              token: { type: string, secret: maybe }
            steps: { s: { run: echo } }
            """)
        #expect(diagnostics.hasErrors)
        #expect(diagnostics.first?.location.line == 3)
    }

    @Test func aValueThatDoesNotFitASecretParamIsNotEchoed() throws {
        let (plan, messages) = try plan("""
            name: p
            params:
              pin: { type: number, secret: true }
              level: { type: choice, options: [low, high], secret: true }
            steps: { s: { run: echo } }
            """, params: ["pin": "not-a-Number-1", "level": "not-an-Option-2"])
        #expect(plan == nil)
        #expect(messages.contains("`pin` is a number parameter; `***` is not a number"), "\(messages)")
        #expect(messages.contains { $0.hasPrefix("`***` is not an option of `level`") }, "\(messages)")
        #expect(messages.allSatisfy { !$0.contains("not-a-Number-1") && !$0.contains("not-an-Option-2") }, "\(messages)")
    }

    @Test func theConcurrencyGroupCannotReadASecretParam() throws {
        let (pipeline, _) = check("""
            name: p
            params:
              token: { type: string, secret: true }
            concurrency: { group: "deploy-${{ params.token }}" }
            steps: { s: { run: echo } }
            """)
        let (plan, problems) = RunPlanner.plan(try #require(pipeline), params: [.init(name: "token", value: "group-Secret-1")])
        #expect(plan == nil)
        #expect(problems.map(\.message) == [Messages.concurrencyGroupReadsSecret("token")])
        #expect(problems.first?.location.line == 4)
    }
}
