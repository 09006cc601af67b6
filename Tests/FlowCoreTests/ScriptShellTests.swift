import FlowCore
import FlowTestSupport
import Testing

/// flow rewrites `${{ }}` into variable references only where it can read the script's quoting: bash and sh.
/// A script for any other interpreter may not hold expressions, and is passed on unchanged.
@Suite("Script shells")
struct ScriptShellTests {
    static func check(_ text: String) -> (pipeline: Pipeline?, rendered: String) {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(text.utf8), file: "p.yml", options: testValidationOptions())
        return (pipeline, DiagnosticRenderer(color: false).text(diagnostics))
    }

    static func plan(_ pipeline: Pipeline?) throws -> RunPlan {
        let loaded = try #require(pipeline)
        return try #require(RunPlanner.plan(loaded).plan)
    }

    static let refusal = "an expression cannot be used in a script run by `%@`: flow substitutes expressions only in bash and sh scripts"
    static let advice = "pass the value through `env:` and read it with the interpreter's own environment access (os.environ['NAME'] in Python)"

    @Test(arguments: ["python3 {0}", "python", "node {0}", "pwsh -command \". '{0}'\"", "perl", "zsh", "dash", "ksh {0}", "busybox sh {0}", "cmd"])
    func expressionInAScriptForAnotherInterpreterIsRefusedWhereItStands(shell: String) {
        let text = """
            name: p
            params: { who: { type: string, default: x } }
            steps:
              a:
                shell: '\(shell.replacingOccurrences(of: "'", with: "''"))'
                run: |
                  print("hello")
                  print("${{ params.who }}", '${{ params.who }}')
            """
        let refusal = Self.refusal.replacingOccurrences(of: "%@", with: shell)
        #expect(Self.check(text).rendered == """
            p.yml:8:14: error: \(refusal)
            p.yml:8:14: note: \(Self.advice)
            p.yml:8:35: error: \(refusal)
            p.yml:8:35: note: \(Self.advice)

            """)
    }

    @Test func whatTheRefusedExpressionsReadIsStillChecked() {
        let text = """
            name: p
            steps:
              a:
                shell: python3 {0}
                run: print("${{ params.nope }}")
            """
        let rendered = Self.check(text).rendered
        #expect(rendered.contains("p.yml:5:17: error: an expression cannot be used in a script run by `python3 {0}`"))
        #expect(rendered.contains("p.yml:5:21: error: no parameter `nope` is declared under `params`"))
    }

    @Test(arguments: [nil, "bash", "sh", "bash {0}", "/bin/bash -e {0}", "sh -e {0}", "/usr/bin/sh", "bash --noprofile --norc -eo pipefail {0}"])
    func bashAndShScriptsSubstituteExpressions(shell: String?) throws {
        let text = """
            name: p
            params: { who: { type: string, default: x } }
            steps:
              a:
            \(shell.map { "    shell: \($0)\n" } ?? "")    run: echo '${{ params.who }}'
            """
        let (pipeline, rendered) = Self.check(text)
        #expect(rendered == "")
        let plan = try Self.plan(pipeline)
        #expect(plan.steps[0].script?.substitution.script == #"echo ''"${FLOW_EXPR_1}"''"#)
        #expect(plan.steps[0].script?.interpreter == shell ?? "bash")
    }

    @Test func scriptForAnotherInterpreterIsPlannedUnchanged() throws {
        // Bash would read `$((`, quotes and `\` here very differently from Python; nothing is rewritten.
        let script = "x = '$((1))' \\\nprint(x, \"${HOME}\", \"$'\", '<<EOF')\n"
        let text = "name: p\nsteps:\n  a:\n    shell: python3 {0}\n    run: |\n" + script.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "      " + $0 }.joined(separator: "\n")
        let (pipeline, rendered) = Self.check(text)
        #expect(rendered == "")
        let step = try Self.plan(pipeline).steps[0]
        #expect(step.script?.substitution.script == script)
        #expect(step.script?.substitution.variables.isEmpty == true)
        #expect(step.script?.interpreter == "python3 {0}")
    }

    @Test func scriptGivenAsInputOfTheShellTypeIsSubstitutedLikeRun() throws {
        // `uses: shell` with `with: { script }` is another spelling of `run:`: its expressions become variables
        // too, never text pasted into the script.
        let text = """
            name: p
            params: { who: { type: string, default: x } }
            steps:
              a:
                uses: shell
                with: { script: "echo '${{ params.who }}'", shell: sh }
            """
        let (pipeline, rendered) = Self.check(text)
        #expect(rendered == "")
        let step = try Self.plan(pipeline).steps[0]
        #expect(step.script?.substitution.script == #"echo ''"${FLOW_EXPR_1}"''"#)
        #expect(step.script?.substitution.variables.map(\.name) == ["FLOW_EXPR_1"])
        #expect(step.script?.interpreter == "sh")
        #expect(step.inputs.isEmpty)
    }

    @Test func scriptGivenAsInputOfTheShellTypeFollowsTheSameRules() {
        let text = """
            name: p
            params: { who: { type: string, default: x } }
            steps:
              a:
                uses: shell
                with: { script: "eval '${{ params.who }}'" }
              b:
                uses: shell
                with: { script: "print('${{ params.who }}')", shell: python3 }
              c:
                uses: shell
                with: { script: "echo hi", shell: "${{ params.who }}" }
            """
        let rendered = Self.check(text).rendered
        #expect(rendered.contains("p.yml:6:28: error: invalid expression: an expression cannot be used in the arguments of `eval`"))
        #expect(rendered.contains("p.yml:9:29: error: an expression cannot be used in a script run by `python3`"))
        #expect(rendered.contains("p.yml:12:39: error: expressions are not allowed in `shell`; it must be known before the run starts"))
    }
}
