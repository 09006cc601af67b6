import Testing
import FlowCore
import FlowTestSupport

/// A step type's typed input is its schema: read from the type, checked in `with:` before the
/// run (nested values and choices included), and coerced at run time.
@Suite struct InputSchemaTests {
    enum Level: String, InputChoice { case error, warning, note, never, critical }

    struct Rule: StepInputSchema {
        var level: Level
        var paths: [String]?
        static let help: [String: InputHelp] = ["level": InputHelp("how bad", default: "warning")]
    }

    struct Input: StepInputSchema {
        var dockerfile: InputPath
        var failOn: Level
        var requirements: [InputPath]?
        var buildArgs: [String: String]?
        var rules: [String: Rule]?
        var attempts: Int
        var within: DurationValue?
        var quiet: Bool?
        var token: String?

        enum CodingKeys: String, CodingKey {
            case dockerfile, failOn = "fail-on", requirements, buildArgs = "build-args", rules, attempts, within, quiet, token
        }

        static let help: [String: InputHelp] = [
            "dockerfile": InputHelp("the Dockerfile", default: "Dockerfile", mustExist: true),
            "fail-on": InputHelp("the least severity that fails the step", default: "error"),
            "attempts": InputHelp("how many times", default: "3"),
            "token": InputHelp("a registry token", secret: true),
        ]
    }

    static var signature: StepTypeSignature {
        StepTypeSignature(name: "probe", summary: "a test type", inputs: InputSchema.fields(of: Input.self))
    }

    @Test func theFieldsOfTheTypeAreTheSchema() throws {
        let fields = InputSchema.fields(of: Input.self)
        #expect(fields.map(\.name) == ["dockerfile", "fail-on", "requirements", "build-args", "rules", "attempts", "within", "quiet", "token"])
        let byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0) })
        #expect(byName["dockerfile"]?.kind == .path(mustExist: true))
        #expect(byName["dockerfile"]?.required == false && byName["dockerfile"]?.defaultValue == "Dockerfile")
        #expect(byName["fail-on"]?.kind == .choice(["error", "warning", "note", "never", "critical"]))
        #expect(byName["requirements"]?.kind == .list(.path(mustExist: false)))
        #expect(byName["build-args"]?.kind == .mapping(.string))
        #expect(byName["attempts"]?.kind == .integer && byName["attempts"]?.defaultValue == "3")
        #expect(byName["within"]?.kind == .duration && byName["within"]?.required == false)
        #expect(byName["quiet"]?.kind == .bool)
        #expect(byName["token"]?.secret == true)
        let rule = InputKind.object([StepInput("level", "how bad", kind: .choice(["error", "warning", "note", "never", "critical"]), defaultValue: "warning"),
                                     StepInput("paths", kind: .list(.string))])
        #expect(byName["rules"]?.kind == .mapping(rule))
        #expect(InputSchema.unmatchedHelp(of: Input.self) == [])
    }

    @Test func aMisspeltHelpKeyIsFound() {
        struct Typo: StepInputSchema {
            var context: String?
            static let help: [String: InputHelp] = ["contxt": InputHelp("the build context")]
        }
        #expect(InputSchema.unmatchedHelp(of: Typo.self) == ["contxt"])
    }

    static func diagnostics(_ with: String, exists: @escaping @Sendable (String) -> Bool = { _ in true }) -> String {
        var catalog = StepCatalog()
        catalog.register(signature)
        let options = ValidationOptions(catalog: catalog, isKnownTimeZone: { _ in true }, pathExists: { path, _ in exists(path) })
        let text = "name: p\nsteps:\n  a:\n    uses: probe\n    with:\n" + with
        return DiagnosticRenderer(color: false).text(PipelineCheck.check(Array(text.utf8), file: "p.yml", options: options).diagnostics)
    }

    @Test func withIsCheckedAgainstTheSchemaAtItsLocation() {
        let rendered = Self.diagnostics("""
                  fail-on: critcal
                  attempts: three
                  requirement: [a.txt]
                  build-args: { A: [1] }
                  rules:
                    DL3008: { levl: note }
                    DL3009: { level: sever }
                  within: 5 parsecs

            """)
        #expect(rendered == """
            p.yml:6:16: error: input `fail-on` must be one of `error`, `warning`, `note`, `never`, `critical`, not `critcal`
            p.yml:6:16: note: did you mean `critical`?
            p.yml:7:17: error: input `attempts` must be an integer such as `3`, not a string
            p.yml:8:7: error: step type `probe` has no input `requirement`
            p.yml:8:7: note: did you mean `requirements`?
            p.yml:9:24: error: input `build-args.A` must be a string, not a list
            p.yml:11:19: error: unknown key `levl` in input `rules.DL3008`
            p.yml:11:19: note: did you mean `level`?
            p.yml:12:26: error: input `rules.DL3009.level` must be one of `error`, `warning`, `note`, `never`, `critical`, not `sever`
            p.yml:12:26: note: did you mean `never`?
            p.yml:13:15: error: input `within`: `parsecs` is not a unit of time; use `ms`, `s`, `m`, `h` or `d`, e.g. `5s` or `5m`

            """)
    }

    @Test func aLiteralPathThatDoesNotExistIsReported() {
        let rendered = Self.diagnostics("      dockerfile: Dockerfil\n", exists: { $0 == "Dockerfile" })
        #expect(rendered == "p.yml:6:19: error: input `dockerfile` names `Dockerfil`, which does not exist (relative paths start at the step's working directory)\n")
        #expect(Self.diagnostics("      dockerfile: Dockerfile\n", exists: { $0 == "Dockerfile" }) == "")
        // Known only at run time: not checked.
        #expect(Self.diagnostics("      dockerfile: ${{ pipeline.name }}\n", exists: { _ in false }) == "")
    }

    @Test func aMissingRequiredInputIsReported() {
        let signature = StepTypeSignature(name: "probe", summary: "", inputs: [StepInput("image", kind: .string, required: true)])
        var catalog = StepCatalog()
        catalog.register(signature)
        let text = "name: p\nsteps:\n  a: { uses: probe }\n"
        let found = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: ValidationOptions(catalog: catalog, isKnownTimeZone: { _ in true }))
        #expect(DiagnosticRenderer(color: false).text(found.diagnostics) == "p.yml:3:14: error: step type `probe` requires the input `image`; add it under `with:`\n")
    }

    @Test func evaluatedValuesAreCoercedAndDefaultsFilled() throws {
        let prepared = try Self.signature.prepare(.object([
            "attempts": .string("5"), "quiet": .string("true"), "build-args": .object(["N": .number(3)]),
            "rules": .object(["DL3008": .object([:])]),
        ])).get()
        guard case .object(let values) = prepared else { Issue.record("not an object"); return }
        #expect(values["attempts"] == .number(5))
        #expect(values["quiet"] == .bool(true))
        #expect(values["build-args"] == .object(["N": .string("3")]))
        #expect(values["dockerfile"] == .string("Dockerfile"))
        #expect(values["fail-on"] == .string("error"))
        #expect(values["rules"] == .object(["DL3008": .object(["level": .string("warning")])]))
    }

    @Test func valuesThatCannotFitAreRefusedWithoutShowingThem() {
        let bad: [(ExpressionValue, String)] = [
            (.object(["attempts": .string("s3cr3t")]), "input `attempts` must be an integer such as `3`, not a string that does not fit"),
            (.object(["fail-on": .string("s3cr3t")]), "input `fail-on` must be one of `error`, `warning`, `note`, `never`, `critical`; its expression gave another value"),
            (.object(["nope": .string("s3cr3t")]), "unknown key `nope` in the inputs of `probe`"),
        ]
        for (value, message) in bad {
            guard case .failure(let problem) = Self.signature.prepare(value) else { Issue.record("accepted \(value)"); continue }
            #expect(problem.message == message)
            #expect(!problem.message.contains("s3cr3t"))
        }
    }

    @Test func anExpressionWhoseTypeIsKnownIsCheckedAgainstTheInput() {
        var catalog = StepCatalog()
        catalog.register(Self.signature)
        let text = """
            name: p
            params:
              strict: { type: bool, default: false }
              level: { type: choice, options: [error, fatal], default: error }
              count: { type: number, default: 3 }
              ok: { type: choice, options: [warning, note], default: note }
            steps:
              a:
                run: echo
                outputs: [v]
              b:
                uses: probe
                needs: a
                with:
                  fail-on: ${{ params.strict }}
                  attempts: ${{ params.count }}
                  quiet: ${{ params.count }}
                  requirements: ${{ steps.a.outputs.v }}
                  build-args: { A: "${{ params.strict }}" }
                  rules: { DL3008: { level: "${{ params.level }}" } }
              c:
                uses: probe
                with:
                  fail-on: ${{ params.ok }}
                  within: "${{ params.count }}m"
                  quiet: ${{ params.strict }}
            """
        var registry = catalog
        registry.register(StepTypeSignature(name: "shell", summary: "", inputs: [StepInput("script", kind: .script, required: true)],
                                            outputs: .declaredByStep, script: .init(script: "script", interpreter: "shell")))
        let found = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: ValidationOptions(catalog: registry, isKnownTimeZone: { _ in true }))
        #expect(DiagnosticRenderer(color: false).text(found.diagnostics) == """
            p.yml:15:16: error: input `fail-on` gets `${{ params.strict }}`, which is a boolean, not one of `error`, `warning`, `note`, `never`, `critical`
            p.yml:17:14: error: input `quiet` gets `${{ params.count }}`, which is a number, not `true` or `false`
            p.yml:18:21: error: input `requirements` gets `${{ steps.a.outputs.v }}`, which is a string, not a list of paths
            p.yml:20:33: error: input `rules.DL3008.level` gets `${{ params.level }}`, which can be `fatal`, which is not one of `error`, `warning`, `note`, `never`, `critical`

            """)
    }

    @Test func outputsKnownOnlyAtRunTimeAreAccepted() {
        var catalog = StepCatalog()
        catalog.register(StepTypeSignature(name: "deploy", summary: "", outputs: .openEnded([StepOutput("stack-id")], because: "a stack's Outputs")))
        catalog.register(StepTypeSignature(name: "fixed", summary: "", outputs: .fixed([StepOutput("digest")])))
        let text = """
            name: p
            steps:
              d: { uses: deploy }
              f: { uses: fixed }
              e:
                uses: fixed
                needs: [d, f]
                if: steps.d.outputs.ServiceUrl != '' && steps.f.outputs.digets != ''
            """
        let found = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: ValidationOptions(catalog: catalog, isKnownTimeZone: { _ in true }))
        let rendered = DiagnosticRenderer(color: false).text(found.diagnostics)
        #expect(!rendered.contains("ServiceUrl"))
        #expect(rendered.contains("step `f` declares no output `digets`"))
    }
}
