import FlowCore
import FlowTestSupport
import Testing

/// A NUL character cannot reach a process (an environment variable, an argument and a C string end at it),
/// so validation refuses one wherever a value would reach a step, instead of the run failing later.
@Suite("NUL characters")
struct NULCharacterTests {
    static func diagnostics(_ text: String, catalog: StepCatalog = .builtins) -> String {
        let options = testValidationOptions(catalog: catalog)
        return DiagnosticRenderer(color: false).text(PipelineCheck.check(Array(text.utf8), file: "p.yml", options: options).diagnostics)
    }

    static let message = "contains a NUL character (`\\0`), which no process can receive in its environment, its arguments or a script; remove it"

    @Test func inputValuesOfAStepTypeAreCheckedAtEveryDepth() {
        var catalog = StepCatalog.builtins
        catalog.register(StepTypeSignature(
            name: "notify", summary: "", inputs: [StepInput("message"), StepInput("extra", kind: .any)], isUserDefined: true))
        let text = """
            name: p
            steps:
              a:
                uses: notify
                with:
                  message: "m\\0"
                  extra: [fine, { deeper: "n\\0" }]
            """
        #expect(Self.diagnostics(text, catalog: catalog) == """
            p.yml:6:16: error: input `message` \(Self.message)
            p.yml:7:31: error: input `extra` \(Self.message)

            """)
    }

    @Test func paramValueOnTheCommandLineIsRefused() throws {
        let text = """
            name: p
            params:
              tag: { type: string, default: v1 }
              channel: { type: choice, options: [a, b], default: a }
            steps:
              a: { run: 'echo "${{ params.tag }}"' }
            """
        let (pipeline, found) = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: testValidationOptions())
        #expect(found.isEmpty)
        let p = try #require(pipeline)
        let problems = RunPlanner.checkParams(p, [.init(name: "tag", value: "a\0b"), .init(name: "channel", value: "a\0")], profile: nil)
        #expect(DiagnosticRenderer(color: false).text(problems) == """
            command line: error: `--param tag` \(Self.message)
            p.yml:3:3: note: declared here
            command line: error: `--param channel` \(Self.message)
            p.yml:4:3: note: declared here

            """)
        #expect(RunPlanner.plan(p, params: [.init(name: "tag", value: "a\0b")]).plan == nil)
    }
}
