import Foundation
import Testing
import FlowTestSupport

@testable import FlowCore

/// Random (but reproducible) compositions of quoting contexts, heredocs and substitutions: whenever the
/// substitution accepts a script, running it with a value full of shell syntax must not run that value.
@Suite("Shell substitution of composed scripts")
struct ShellCompositionTests {
    /// `@E@` is an expression; `@F@` is another fragment, nested.
    static let fragments = [
        "echo @E@", "echo \"@E@\"", "echo '@E@'", "echo $'@E@'", "echo $\"@E@\"", "x=@E@", "declare x=@E@",
        "echo \"$(@F@)\"", "echo $( (@F@) )", "x=\"$(@F@)\"", "echo `@F@`", "echo \"`@F@`\"", "{ @F@; }", "(@F@)",
        "cat <<X\n@E@\nX", "cat <<-X\n\t@E@\n\tX", "echo \"$(cat <<X\n@E@\nX\n)\"", "cat <<'X'\nfoo $(echo no)\nX",
        "case @E@ in *) @F@;; esac", "[[ @E@ == a ]]", "[ @E@ = a ]", "[[ -n @E@ ]] && @F@",
        "if [ -n @E@ ]; then @F@; fi", "f() { @F@; }; f @E@", "for i in @E@; do @F@; done",
        "echo ${Y:-@E@}", "echo \"${Y:-@E@}\"", "echo \"${Y:-'@E@'}\"", "echo ${Y:+\"@E@\"}", "echo \"${Y:-$(@F@)}\"",
        "# @E@", "echo @E@ # @E@", "a=(@E@ @E@)", "echo $(( 1 ))", "echo @E@ | cat", "echo @E@ > /dev/null",
        "echo \"a\\\"@E@\\\"\"", "printf '%s' @E@", "read -r z <<< @E@", "echo \\\\@E@", "echo '$(@E@)'",
        "echo \"'@E@'\"", "true && @F@ || @F@", "eval echo hi; @F@", "trap - EXIT; @F@",
        // Second interpreters, some safe, some refused.
        "bash -c 'printf %s \"$1\"' bash @E@", "echo @E@ | xargs -n1 echo", "env A=@E@ sh -c 'echo \"$A\"'",
        "python3 -c 'import sys; print(sys.argv[1])' @E@", "awk -v v=@E@ 'BEGIN { print v }'",
        "echo @E@ | sed 's/a/b/'", "find . -maxdepth 0 -exec echo @E@ \\;", "x=@E@; echo \"$x\" | cat",
        // Refused: bash, or a program the script starts, would evaluate the value.
        "echo $(( @E@ ))", "[[ @E@ -eq 1 ]] || true", "eval \"echo @E@\"", "let x=@E@", "echo @E@ | bash",
        "printf '%s' @E@ | sh -s", "timeout 5 bash -c \"echo @E@\"", "python3 -c \"print('@E@')\"",
        "x=@E@; eval \"echo $x\"", "y=@E@; echo \"${!y}\"", "source <(echo @E@)", "cat <<X | bash\n@E@\nX",
    ]

    @Test func composedScriptsNeverRunTheValue() async throws {
        var generator = SeededGenerator(seed: 2024)
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = directory.appendingPathComponent("CANARY").path
        // Shell syntax of every kind, and a bare arithmetic subscript (which a syntax error before it would hide).
        let payloads = [
            "$(touch C)`touch C`;touch C;'\"$(touch C)\"'\n$(touch C)", "a[$(touch C)]",
            "'); __import__('os').system('touch C'); print('",
        ]
            .map { $0.replacingOccurrences(of: "C", with: canary) }

        func fragment(depth: Int) -> String {
            var text = Self.fragments.randomElement(using: &generator)!
            while let range = text.range(of: "@F@") {
                text.replaceSubrange(range, with: depth >= 2 ? "echo @E@" : fragment(depth: depth + 1))
            }
            return text
        }

        var accepted = 0
        var refused = 0
        for _ in 0..<400 {
            let script = (0..<Int.random(in: 1...3, using: &generator)).map { _ in fragment(depth: 0) }
                .joined(separator: "\n")
                .replacingOccurrences(of: "@E@", with: "${{ params.v }}")
            guard let substitution = try? ShellSubstitution.substitute(script) else {
                refused += 1
                continue
            }
            accepted += 1
            for payload in payloads {
                var environment = ["PATH": "/usr/bin:/bin"]
                for variable in substitution.variables { environment[variable.name] = payload }
                _ = try await BashHarness.run(substitution.script, environment: environment, in: directory)
                #expect(!FileManager.default.fileExists(atPath: canary), "the value ran a command in:\n\(script)")
                try? FileManager.default.removeItem(atPath: canary)
            }
        }
        // Many compositions are accepted; those with arithmetic, `eval`, a second interpreter's program or a
        // quoted heredoc around an expression are refused.
        #expect(accepted > 150)
        #expect(refused > 100)
    }
}
