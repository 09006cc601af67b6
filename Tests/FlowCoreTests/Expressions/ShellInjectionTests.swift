import Foundation
import Testing

@testable import FlowCore

/// Runs substituted scripts with the real bash: for every quoting context and every hostile value, the script
/// must print the value byte for byte and must not run anything hidden in it.
@Suite("Shell substitution with real bash")
struct ShellInjectionTests {
    /// A script with `${{ params.v }}` in some quoting context, and what it must print for a value `v`.
    struct QuotingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var script: String
        var expected: @Sendable (String) -> String
        var testDescription: String { name }

        init(_ name: String, _ script: String, expected: @escaping @Sendable (String) -> String = { $0 }) {
            self.name = name
            self.script = script
            self.expected = expected
        }
    }

    /// A value to pass; `CANARY` in it is replaced by the absolute path of a file that must never be created.
    struct HostileValue: Sendable, CustomTestStringConvertible {
        var name: String
        var template: String
        var testDescription: String { name }

        init(_ name: String, _ template: String) {
            self.name = name
            self.template = template
        }
    }

    static let contexts: [QuotingCase] = [
        QuotingCase("bare word", "printf '%s' ${{ params.v }}"),
        QuotingCase(
            "bare word with text around",
            "printf '%s' a\\<${{ params.v }}\\>b", expected: { "a<\($0)>b" }),
        QuotingCase("double quotes", "printf '%s' \"${{ params.v }}\""),
        QuotingCase(
            "double quotes with text around", "printf '%s' \"$HOME_UNSET<${{ params.v }}>\"", expected: { "<\($0)>" }),
        QuotingCase("single quotes", "printf '%s' '${{ params.v }}'"),
        QuotingCase(
            "single quotes with text around", "printf '%s' 'a $b ${{ params.v }} c'", expected: { "a $b \($0) c" }),
        QuotingCase("ANSI-C quotes", "printf '%s' $'${{ params.v }}'"),
        QuotingCase(
            "ANSI-C quotes with escapes around", "printf '%s' $'\\x3c${{ params.v }}\\x3e\\''", expected: { "<\($0)>'" }
        ),
        QuotingCase("locale quotes", "printf '%s' $\"${{ params.v }}\""),
        QuotingCase("unquoted heredoc", "cat <<EOF\n${{ params.v }}\nEOF", expected: { $0 + "\n" }),
        QuotingCase(
            "unquoted heredoc with text and a command substitution", "cat <<EOF\n$(printf x)'${{ params.v }}\"\nEOF",
            expected: { "x'\($0)\"\n" }),
        QuotingCase("tab-stripping heredoc", "cat <<-EOF\n\t${{ params.v }}\n\tEOF", expected: { $0 + "\n" }),
        QuotingCase(
            "two heredocs on one line", "cat <<A; cat <<'B'\n${{ params.v }}\nA\n$notExpanded\nB",
            expected: { $0 + "\n$notExpanded\n" }),
        QuotingCase("heredoc inside $( )", "x=$(cat <<EOF\n${{ params.v }}\nEOF\n)\nprintf '%s' \"$x\""),
        QuotingCase("here-string", "cat <<< ${{ params.v }}", expected: { $0 + "\n" }),
        QuotingCase("inside $( )", "x=$(printf '%s' ${{ params.v }}); printf '%s' \"$x\""),
        QuotingCase("inside backticks", "x=`printf '%s' ${{ params.v }}`; printf '%s' \"$x\""),
        QuotingCase("inside \"$( … )\"", "printf '%s' \"$(printf '%s' \"${{ params.v }}\")\""),
        QuotingCase("single quotes inside \"$( … )\"", "printf '%s' \"$(printf '%s' '${{ params.v }}')\""),
        QuotingCase("backticks inside double quotes", "printf '%s' \"`printf '%s' ${{ params.v }}`\""),
        QuotingCase(
            "nested $( ) in double quotes", "printf '%s' \"$(printf '%s' \"$(printf '%s' '${{ params.v }}')\")\""),
        QuotingCase("${X:-…} in double quotes", "unset X; printf '%s' \"${X:-${{ params.v }}}\""),
        QuotingCase("${X:-…} unquoted", "unset X; printf '%s' ${X:-${{ params.v }}}"),
        QuotingCase("${X:+…} in double quotes", "X=1; printf '%s' \"${X:+${{ params.v }}}\""),
        QuotingCase("assignment", "x=${{ params.v }}; printf '%s' \"$x\""),
        QuotingCase("array element", "a=(${{ params.v }} second); printf '%s' \"${a[0]}\""),
        QuotingCase("case word and branch", "case ${{ params.v }} in\n  *) printf '%s' ${{ params.v }} ;;\nesac"),
        QuotingCase("function argument", "f() { printf '%s' \"$1\"; }\nf ${{ params.v }}"),
        QuotingCase("positional argument of bash -c", "bash -c 'printf \"%s\" \"$1\"' bash ${{ params.v }}"),
        QuotingCase(
            "[[ == ]] string comparison",
            // Unquoted on the right of `==` a value would be a pattern (`*` would match); the reference is quoted.
            "[[ zzz == ${{ params.v }} ]] || printf '%s' ${{ params.v }}"),
        QuotingCase(
            "escaped quotes in double quotes", "printf '%s' \"\\\"${{ params.v }}\\\"\"", expected: { "\"\($0)\"" }),
        QuotingCase(
            "escaped quote in ANSI-C quotes", "printf '%s' $'it\\'s ${{ params.v }}'", expected: { "it's \($0)" }),
        QuotingCase(
            "single quotes in ${X:-…} in double quotes", "printf '%s' \"${X:-'${{ params.v }}'}\"",
            expected: { "'\($0)'" }),
        QuotingCase("single quotes in ${X:-…} unquoted", "x=${X:-'${{ params.v }}'}; printf '%s' \"$x\""),
        QuotingCase("process substitution", "cat <(printf '%s' ${{ params.v }})"),
        QuotingCase("brace group and if", "if true; then { printf '%s' \"${{ params.v }}\"; }; fi"),
        QuotingCase("pipeline", "printf '%s' ${{ params.v }} | cat"),
        QuotingCase(
            "safe arithmetic-free test",
            "[ -n ${{ params.v }} ] || [ -z ${{ params.v }} ] && printf '%s' ${{ params.v }}"),
        QuotingCase("comment", "# ${{ params.v }} $(touch CANARY)\nprintf '%s' ok", expected: { _ in "ok" }),
    ]

    static let values: [HostileValue] = [
        HostileValue("command substitution", "$(touch CANARY)"),
        HostileValue("backticks", "`touch CANARY`"),
        HostileValue("single quote", "'"),
        HostileValue("double quote", "\""),
        HostileValue("backslash", "\\"),
        HostileValue("semicolons", ";touch CANARY;"),
        HostileValue("quote breakout", "'\"; touch CANARY; echo \"'"),
        HostileValue("newline", "line 1\nline 2; touch CANARY"),
        HostileValue("glob", "*"),
        HostileValue("IFS expansion", "${IFS}"),
        HostileValue("spaces", "a b  c"),
        HostileValue("trailing backslash", "abc\\"),
        HostileValue("empty", ""),
        HostileValue("non-ASCII", "héllo ✓ 日本語 🚀"),
        HostileValue("heredoc delimiter", "EOF"),
        HostileValue("variable reference", "$FLOW_EXPR_1 $HOME"),
        HostileValue("arithmetic subscript", "a[$(touch CANARY)]"),
        HostileValue("expression syntax", "${{ params.v }}"),
        HostileValue("printf format and option", "-v x %s %n"),
    ]

    @Test(arguments: contexts, values)
    func valueArrivesVerbatimAndRunsNothing(context: QuotingCase, value: HostileValue) async throws {
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = directory.appendingPathComponent("CANARY").path
        let text = value.template.replacingOccurrences(of: "CANARY", with: canary)
        let script = context.script.replacingOccurrences(of: "CANARY", with: canary)
        let output = try await BashHarness.run(
            script, context: EvaluationContext(values: ["params": ["v": .string(text)]]), in: directory)
        #expect(output.stderr == "")
        #expect(output.status == 0)
        #expect(output.stdout == Data(context.expected(text).utf8))
        #expect(!FileManager.default.fileExists(atPath: canary), "the value ran a command")
    }
}
