import Testing

@testable import FlowCore

private func substituted(_ script: String) throws(ExpressionError) -> String {
    try ShellSubstitution.substitute(script).script
}

private func problems(_ script: String) -> [ExpressionError] {
    ShellSubstitution.problems(in: script)
}

private func at(_ line: Int, _ column: Int) -> TextPosition { TextPosition(line: line, column: column) }

@Suite("Shell substitution")
struct ShellSubstitutionTests {
    // MARK: Reference forms

    @Test(arguments: [
        ("echo ${{ a }}", #"echo "${FLOW_EXPR_1}""#),
        ("echo x${{ a }}y", #"echo x"${FLOW_EXPR_1}"y"#),
        (#"echo "x ${{ a }} y""#, #"echo "x ${FLOW_EXPR_1} y""#),
        ("echo 'x ${{ a }} y'", #"echo 'x '"${FLOW_EXPR_1}"' y'"#),
        ("echo $'x\\n${{ a }}'", #"echo $'x\n'"${FLOW_EXPR_1}"$''"#),
        (#"echo $"${{ a }}""#, #"echo $"${FLOW_EXPR_1}""#),
        ("cat <<EOF\n${{ a }}\nEOF", "cat <<EOF\n${FLOW_EXPR_1}\nEOF"),
        ("cat <<-EOF\n\t${{ a }}\n\tEOF", "cat <<-EOF\n\t${FLOW_EXPR_1}\n\tEOF"),
        ("echo $(echo ${{ a }})", #"echo $(echo "${FLOW_EXPR_1}")"#),
        (#"echo "$(echo ${{ a }})""#, #"echo "$(echo "${FLOW_EXPR_1}")""#),
        (#"echo "$(echo '${{ a }}')""#, #"echo "$(echo ''"${FLOW_EXPR_1}"'')""#),
        ("echo `echo ${{ a }}`", #"echo `echo "${FLOW_EXPR_1}"`"#),
        (#"echo "`echo ${{ a }}`""#, #"echo "`echo "${FLOW_EXPR_1}"`""#),
        ("echo ${X:-${{ a }}}", #"echo ${X:-"${FLOW_EXPR_1}"}"#),
        (#"echo "${X:-${{ a }}}""#, #"echo "${X:-${FLOW_EXPR_1}}""#),
        ("echo ${X:-'${{ a }}'}", #"echo ${X:-''"${FLOW_EXPR_1}"''}"#),
        // Inside "${…}" a single quote is an ordinary character: the double-quoted form applies.
        (#"echo "${X:-'${{ a }}'}""#, #"echo "${X:-'${FLOW_EXPR_1}'}""#),
        (#"echo "${X/${{ a }}/b}""#, #"echo "${X/${FLOW_EXPR_1}/b}""#),
        ("echo hi # ${{ a }}", #"echo hi # "${FLOW_EXPR_1}""#),
        ("x=${{ a }}", #"x="${FLOW_EXPR_1}""#),
        ("echo a#${{ a }}", #"echo a#"${FLOW_EXPR_1}""#),  // `#` inside a word is not a comment
        ("echo \\\\${{ a }}", #"echo \\"${FLOW_EXPR_1}""#),  // an escaped backslash does not escape the expression
        ("echo \"\\\\${{ a }}\"", #"echo "\\${FLOW_EXPR_1}""#),
    ])
    func referenceFitsTheQuotingContext(script: String, expected: String) throws {
        #expect(try substituted(script) == expected)
    }

    @Test func scriptWithoutExpressionsIsUnchanged() throws {
        let script = """
            set -euo pipefail
            echo "$HOME" '${x}' $'\\t' ${Y:-z} $((1 + 2)) `date` $(pwd) # comment ${{
            cat <<'EOF'
            ${ not an expression }
            EOF
            """.replacingOccurrences(of: "${{\n", with: "\n")
        let result = try ShellSubstitution.substitute(script)
        #expect(result.script == script)
        #expect(result.variables.isEmpty)
    }

    @Test func variablesAreNumberedPerOccurrenceInOrder() throws {
        let result = try ShellSubstitution.substitute("echo ${{ a }} \"${{ b }}\"\necho '${{ a }}'")
        #expect(result.variables.map(\.name) == ["FLOW_EXPR_1", "FLOW_EXPR_2", "FLOW_EXPR_3"])
        #expect(result.variables.map(\.expression.source) == [" a ", " b ", " a "])
        #expect(result.variables.map(\.position) == [at(1, 6), at(1, 16), at(2, 7)])
        #expect(result.script == "echo \"${FLOW_EXPR_1}\" \"${FLOW_EXPR_2}\"\necho ''\"${FLOW_EXPR_3}\"''")
    }

    @Test func everythingButTheExpressionsIsCopied() throws {
        let script = "  if [[ -n \"$A\" ]]; then\n\tprintf '%s\\n' ${{ a }} >&2 2>/dev/null | tee -a log; fi  \n"
        #expect(
            try substituted(script)
                == "  if [[ -n \"$A\" ]]; then\n\tprintf '%s\\n' \"${FLOW_EXPR_1}\" >&2 2>/dev/null | tee -a log; fi  \n"
        )
    }

    @Test func closingBracesInsideExpressionStrings() throws {
        let result = try ShellSubstitution.substitute("echo ${{ format('{{x}}') }} '${{ 'a`b }}' }}'")
        #expect(result.script == #"echo "${FLOW_EXPR_1}" ''"${FLOW_EXPR_2}"''"#)
        #expect(result.variables.map(\.expression.source) == [" format('{{x}}') ", " 'a`b }}' "])
    }

    @Test func heredocsTrackDelimitersAndBodies() throws {
        let script = """
            cat <<A <<'B'; echo ${{ one }}
            a ${{ two }}
            A
            b
            B
            echo '${{ three }}'
            cat <<-"C"
            \tC
            echo "${{ four }}"
            """
        #expect(
            try substituted(script) == """
                cat <<A <<'B'; echo "${FLOW_EXPR_1}"
                a ${FLOW_EXPR_2}
                A
                b
                B
                echo ''"${FLOW_EXPR_3}"''
                cat <<-"C"
                \tC
                echo "${FLOW_EXPR_4}"
                """)
    }

    @Test func heredocBodyIsNotShellSyntax() throws {
        // Quotes and `#` in an unquoted heredoc are text; `$( )` inside it has quoting of its own.
        let script = "cat <<EOF\nit's \"${{ a }}\" # ${{ b }}\n$(echo '${{ c }}')\nEOF\necho ${{ d }}"
        #expect(
            try substituted(script)
                == "cat <<EOF\nit's \"${FLOW_EXPR_1}\" # ${FLOW_EXPR_2}\n$(echo ''\"${FLOW_EXPR_3}\"'')\nEOF\necho \"${FLOW_EXPR_4}\""
        )
    }

    @Test func heredocDelimiterMustMatchTheWholeLine() throws {
        let script = "cat <<EOF\n EOF\nEOF2\n${{ a }}\nEOF\necho '${{ b }}'"
        #expect(try substituted(script) == "cat <<EOF\n EOF\nEOF2\n${FLOW_EXPR_1}\nEOF\necho ''\"${FLOW_EXPR_2}\"''")
    }

    @Test func hereStringIsAnOrdinaryWord() throws {
        #expect(try substituted("cat <<< ${{ a }}") == #"cat <<< "${FLOW_EXPR_1}""#)
    }

    @Test func caseInsideCommandSubstitution() throws {
        // The `)` of a case pattern does not close `$(`.
        let script = #"echo "$(case $y in a) echo '${{ a }}';; (b|c) echo ${{ b }};; esac)" "${{ c }}""#
        #expect(
            try substituted(script)
                == #"echo "$(case $y in a) echo ''"${FLOW_EXPR_1}"'';; (b|c) echo "${FLOW_EXPR_2}";; esac)" "${FLOW_EXPR_3}""#
        )
    }

    @Test func backticksEndAtTheFirstUnescapedBacktick() throws {
        #expect(try substituted(#"echo `echo "a"` ${{ a }}"#) == #"echo `echo "a"` "${FLOW_EXPR_1}""#)
        #expect(try substituted(#"echo `echo \` ${{ a }}`"#) == #"echo `echo \` "${FLOW_EXPR_1}"`"#)
    }

    @Test func nestingAndParentheses() throws {
        let script = #"( cd x && echo "$( (echo ${{ a }}) )" ) ; f() { echo '${{ b }}'; }"#
        #expect(
            try substituted(script)
                == #"( cd x && echo "$( (echo "${FLOW_EXPR_1}") )" ) ; f() { echo ''"${FLOW_EXPR_2}"''; }"#)
    }

    @Test func lineContinuation() throws {
        #expect(try substituted("echo a \\\n  ${{ a }}") == "echo a \\\n  \"${FLOW_EXPR_1}\"")
    }

    // MARK: Errors

    @Test(arguments: [
        ("cat <<'EOF'\nx ${{ a }}\nEOF", "<<'EOF'"),
        ("cat <<\"EOF\"\nx ${{ a }}\nEOF", "<<\"EOF\""),
        ("cat <<\\EOF\nx ${{ a }}\nEOF", "<<\\EOF"),
        ("cat <<-'EOF'\nx ${{ a }}\n\tEOF", "<<-'EOF'"),
        ("cat <<E'O'F\nx ${{ a }}\nEOF", "<<E'O'F"),
    ])
    func quotedHeredocIsAnError(script: String, written: String) {
        #expect(
            problems(script) == [
                ExpressionError(
                    "an expression cannot be used inside a quoted heredoc (\(written)); use an unquoted delimiter "
                        + "or pass the value through `env:`", at: at(2, 3))
            ])
    }

    @Test func afterAQuotedHeredocExpressionsWorkAgain() throws {
        #expect(
            try substituted("cat <<'EOF'\nbody\nEOF\necho ${{ a }}")
                == "cat <<'EOF'\nbody\nEOF\necho \"${FLOW_EXPR_1}\"")
    }

    @Test(arguments: [
        ("echo $(( ${{ a }} + 1 ))", 1, 10),
        ("(( ${{ a }} > 1 )) && echo", 1, 4),
        ("echo $[ ${{ a }} ]", 1, 9),
        ("for (( i = 0; i < ${{ a }}; i++ )); do :; done", 1, 19),
        ("echo $(( $(echo ${{ a }}) ))", 1, 17),
        ("echo $(( \"${{ a }}\" ))", 1, 11),
        ("x=$((\n  1 +\n  ${{ a }}))", 3, 3),
    ])
    func arithmeticIsAnError(script: String, line: Int, column: Int) {
        let found = problems(script)
        #expect(found.map(\.position) == [at(line, column)])
        #expect(found.first?.message.hasPrefix("an expression cannot be used inside arithmetic") == true)
        #expect(found.first?.message.hasSuffix("assign it to a variable and validate it first") == true)
    }

    @Test(arguments: [
        ("echo ${a[${{ x }}]}", "an expression cannot be used in an array subscript or a substring offset"),
        ("echo \"${s:${{ x }}}\"", "an expression cannot be used in an array subscript or a substring offset"),
        ("echo ${s:1:${{ x }}}", "an expression cannot be used in an array subscript or a substring offset"),
        ("a[${{ x }}]=1", "an expression cannot be used in an array subscript or a substring offset"),
        ("declare a[${{ x }}]=1", "an expression cannot be used in an array subscript or a substring offset"),
        ("a=([${{ x }}]=1)", "an expression cannot be used in an array subscript or a substring offset"),
        ("let n=${{ x }}", "an expression cannot be used in the arguments of `let`"),
        ("let \"n = ${{ x }}\"", "an expression cannot be used in the arguments of `let`"),
        ("declare -i n=${{ x }}", "an expression cannot be assigned with `declare -i`"),
        ("local -ri n=${{ x }}", "an expression cannot be assigned with `declare -i`"),
        ("declare -i n\nn=${{ x }}", "an expression cannot be assigned with `declare -i`"),
        ("typeset -i n; n+=${{ x }}", "an expression cannot be assigned with `declare -i`"),
        ("[[ ${{ x }} -eq 1 ]]", "an expression cannot be used in a test with `-eq`"),
        ("[[ 1 -lt \"${{ x }}\" ]]", "an expression cannot be used in a test with `-lt`"),
        ("if [[ -v ${{ x }} ]]; then :; fi", "an expression cannot be used in a test with `-v`"),
        ("test -v ${{ x }}", "an expression cannot be used in a test with `-v`"),
        ("[ -v \"${{ x }}\" ]", "an expression cannot be used in a test with `-v`"),
        ("[[ $(echo ${{ x }}) -gt 0 ]]", "an expression cannot be used in a test with `-gt`"),
        ("eval \"echo ${{ x }}\"", "an expression cannot be used in the arguments of `eval`"),
        ("eval echo \"$(printf %s '${{ x }}')\"", "an expression cannot be used in the arguments of `eval`"),
        ("trap \"echo ${{ x }}\" EXIT", "an expression cannot be used in the arguments of `trap`"),
        ("bash -c \"echo ${{ x }}\"", "an expression cannot be used in the command string of `bash -c`"),
        ("sh -ec 'echo ${{ x }}'", "an expression cannot be used in the command string of `sh -c`"),
        ("/bin/bash -x -c \"${{ x }}\" name", "an expression cannot be used in the command string of `bash -c`"),
        ("sudo bash -c \"${{ x }}\"", "an expression cannot be used in the command string of `bash -c`"),
        ("read ${{ x }}", "an expression cannot be used as a variable name for `read`"),
        ("read -r -a ${{ x }}", "an expression cannot be used as a variable name for `read`"),
        ("mapfile -t ${{ x }} < f", "an expression cannot be used as a variable name for `mapfile`"),
        ("printf -v ${{ x }} '%s' 1", "an expression cannot be used as a variable name for `printf -v`"),
        ("declare ${{ x }}=1", "an expression cannot be used as a variable name for `declare`"),
        ("export \"${{ x }}\"", "an expression cannot be used as a variable name for `export`"),
        ("echo ${${{ x }}}", "an expression cannot be used as a parameter name"),
        ("cat <<${{ x }}\nbody\n", "an expression cannot be used as a heredoc delimiter"),
        ("echo \\${{ x }}", "a backslash right before `${{` would escape the variable reference"),
        ("echo \"\\${{ x }}\"", "a backslash right before `${{` would escape the variable reference"),
        ("cat <<EOF\n\\${{ x }}\nEOF", "a backslash right before `${{` would escape the variable reference"),
        ("echo $${{ x }}", "a `$` right before `${{` would combine with the variable reference"),
        ("echo \"$${{ x }}\"", "a `$` right before `${{` would combine with the variable reference"),
    ])
    func unsafePlacesAreErrors(script: String, message: String) throws {
        let found = problems(script)
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix(message) == true, "message: \(found.first?.message ?? "none")")
        // The error points at the `${{`.
        let expression = try #require(script.range(of: "${{"))
        let prefix = script[..<expression.lowerBound]
        let line = prefix.filter { $0 == "\n" }.count + 1
        let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last!.unicodeScalars.count + 1
        #expect(found.first?.position == at(line, column))
    }

    @Test(arguments: [
        "[ ${{ x }} -eq 1 ]",  // the test builtin parses integers strictly
        "test \"${{ x }}\" -gt 0",
        "[[ ${{ x }} == 1 ]]",
        "[[ ${{ x }} =~ ^[0-9]+$ ]] && echo ok",
        "[[ a < ${{ x }} ]]",
        "[[ -n ${{ x }} && -z $y ]]",
        "declare x=${{ x }}",
        "local -r x=\"${{ x }}\"",
        "export X=${{ x }}",
        "declare -i n=3; m=${{ x }}",  // m is not an integer variable
        "n=${{ x }}; declare -i n",  // assigned before the declaration
        "read -r -p \"${{ x }}: \" answer",
        "read -d '${{ x }}' line",
        "printf '%s %s' ${{ x }} \"${{ x }}\"",
        "printf -v name '%s' ${{ x }}",
        "bash -c 'printf \"%s\" \"$1\"' bash ${{ x }}",
        "bash script.sh ${{ x }}",
        "echo ${a[@]} ${#a[@]} ${s:-${{ x }}} ${s:=x} ${s:+${{ x }}}",
        "echo eval ${{ x }}",
        "let n=1; echo ${{ x }}",
        "eval 'echo hi'; echo ${{ x }}",
        "echo $(( 1 + 2 )) ${{ x }}",
        "cat <<EOF\n${{ x }}\nEOF",
        "git -c user.name=${{ x }} commit",
        "echo ${{ x }} > \"${{ x }}.log\"",
        "echo ok # eval ${{ x }} $(( ${{ x }} ))",
        "echo $$${{ x }} \"$$${{ x }}\" '$${{ x }}'",
    ])
    func safePlacesAreNotErrors(script: String) {
        #expect(problems(script) == [])
    }

    @Test func parseErrorsArePositionedInTheScript() {
        let found = problems("echo one\necho \"${{ steps.a.outputs.x == }}\"\n")
        #expect(found == [ExpressionError("expected an operand after `==`, found end of expression", at: at(2, 32))])
    }

    @Test func unterminatedExpressionIsAnErrorAtItsStart() {
        #expect(problems("echo ok\necho ${{ a\necho more").map(\.position) == [at(2, 6)])
    }

    @Test func deepNestingIsAProblemNotACrash() throws {
        let deep = String(repeating: "\"$(", count: 5_000) + "${{ a }}" + String(repeating: ")\"", count: 5_000)
        #expect(
            problems(deep).map(\.message) == [
                "the script nests quotes and substitutions more than 200 levels deep; simplify it"
            ])
        let fine = String(repeating: "echo $(", count: 60) + "echo ${{ a }}" + String(repeating: ")", count: 60)
        #expect(
            try substituted(fine) == String(repeating: "echo $(", count: 60) + "echo \"${FLOW_EXPR_1}\""
                + String(repeating: ")", count: 60))
    }

    @Test func problemsListsEverythingAndSubstituteThrowsTheFirst() {
        let script = "echo $(( ${{ a }} ))\necho ${{ b == }}\ncat <<'E'\n${{ c }}\nE\necho ${{ fine }}"
        let found = problems(script)
        #expect(found.map(\.position) == [at(1, 10), at(2, 15), at(4, 1)])
        #expect(throws: found[0]) { try ShellSubstitution.substitute(script) }
    }
}
