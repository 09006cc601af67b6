import Foundation
import Testing

@testable import FlowCore

/// A value never becomes code, for any interpreter: an expression is refused wherever its value would be
/// read as program text by a second interpreter — a shell started through a wrapper, a program read from
/// standard input, bash's own re-evaluating places, the program argument of python, perl, awk, sed, … — at the
/// expression's position, with a note that says how to pass the value instead.
@Suite("Values that reach a second interpreter")
struct SecondInterpreterTests {
    static let commandString = "an expression cannot be used in the command string of "
    static let programText = "an expression cannot be used in the program text of "
    static let beforeProgram = "an expression cannot be used where "
    static let stdin = "an expression cannot reach the program input of "
    static let codeArguments = "an expression cannot be used in the arguments of "
    static let variableName = "an expression cannot be used as a variable name for "
    static let codeVariable = "an expression cannot be assigned to "
    static let commandName = "an expression cannot be used as a command name"

    /// A script with one expression, and how its refusal starts.
    static let refused: [(String, String)] = [
        // A shell started through a wrapper, or through a variable.
        ("timeout 5 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("timeout -s KILL -k 1 5s sh -c \"echo ${{ x }}\"", commandString + "`sh -c`"),
        ("env bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("env -i PATH=/bin FOO=1 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("env -u HOME -C /tmp bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("nice bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("nice -n 5 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("nohup bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("sudo -u root -E bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("sudo --user=root -- sh -c \"${{ x }}\"", commandString + "`sh -c`"),
        ("exec bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("command bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("command -p eval \"${{ x }}\"", codeArguments + "`eval`"),
        ("builtin eval \"${{ x }}\"", codeArguments + "`eval`"),
        ("time -p bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("stdbuf -oL bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("setsid -w bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("ionice -c 3 nice -n 19 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("taskset -c 0 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("chrt -r 1 bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("busybox sh -c \"${{ x }}\"", commandString + "`sh -c`"),
        ("xargs bash -c \"${{ x }}\"", commandString + "`bash -c`"),
        ("xargs -n1 -P4 sh -c 'echo ${{ x }}'", commandString + "`sh -c`"),
        ("find . -exec sh -c 'echo ${{ x }}' \\;", commandString + "`sh -c`"),
        ("find . -name '*.log' -execdir bash -c \"rm ${{ x }}\" {} +", commandString + "`bash -c`"),
        ("$B -c \"${{ x }}\"", beforeProgram + "`$B` still reads"),
        ("\"$SHELL\" -c \"${{ x }}\"", beforeProgram + "`\"$SHELL\"` still reads"),
        ("${SHELL:-bash} -c \"${{ x }}\"", beforeProgram + "`${SHELL:-bash}` still reads"),
        ("sudo -u nobody \"$SHELL\" -c \"${{ x }}\"", beforeProgram + "`\"$SHELL\"` still reads"),
        ("flock ./lock -c \"${{ x }}\"", programText + "`flock -c`"),
        ("env -S \"${{ x }}\"", programText + "`env -S`"),
        ("watch -n 5 \"${{ x }}\"", codeArguments + "`watch`"),
        ("ssh -p 22 host \"${{ x }}\"", codeArguments + "`ssh`"),
        ("ssh host ls \"${{ x }}\"", codeArguments + "`ssh`"),
        ("su -c \"${{ x }}\" nobody", codeArguments + "`su`"),
        ("script -qc \"${{ x }}\" /dev/null", codeArguments + "`script`"),
        ("parallel echo ${{ x }} ::: a b", codeArguments + "`parallel`"),
        // A program read from standard input.
        ("bash <<< \"${{ x }}\"", stdin + "`bash`"),
        ("sh <<< \"${{ x }}\"", stdin + "`sh`"),
        ("echo \"${{ x }}\" | bash", stdin + "`bash`"),
        ("printf '%s\\n' \"${{ x }}\" | sh -s -- arg", stdin + "`sh`"),
        ("echo \"${{ x }}\" | python3", stdin + "`python3`"),
        ("echo \"${{ x }}\" | python3 -", stdin + "`python3`"),
        ("echo \"${{ x }}\" | perl -w", stdin + "`perl`"),
        ("echo \"${{ x }}\" | ruby", stdin + "`ruby`"),
        ("echo \"${{ x }}\" | node", stdin + "`node`"),
        ("echo \"${{ x }}\" | php", stdin + "`php`"),
        ("echo \"${{ x }}\" | psql -d db", stdin + "`psql`"),
        ("echo \"${{ x }}\" | sqlite3 db.sqlite", stdin + "`sqlite3`"),
        ("echo \"${{ x }}\" | sed 's/a/b/' | bash", stdin + "`bash`"),
        ("echo \"${{ x }}\" |& sudo bash", stdin + "`bash`"),
        ("echo \"${{ x }}\" | sudo -s", stdin + "`sudo`"),
        ("cat <<EOF | bash\n${{ x }}\nEOF", stdin + "`bash`"),
        ("bash <<EOF\necho ${{ x }}\nEOF", stdin + "`bash`"),
        ("python3 - <<-EOF\n\tprint(${{ x }})\n\tEOF", stdin + "`python3`"),
        ("{ echo \"${{ x }}\"; } | sh", stdin + "`sh`"),
        ("(echo \"${{ x }}\") | sh", stdin + "`sh`"),
        ("echo \"${{ x }}\" | (bash)", stdin + "`bash`"),
        ("echo \"${{ x }}\" | while read -r line; do bash; done", stdin + "`bash`"),
        ("echo \"${{ x }}\" | if true; then sh; fi", stdin + "`sh`"),
        ("source <(echo \"${{ x }}\")", stdin + "`source`"),
        (". <(printf '%s' \"${{ x }}\")", stdin + "`.`"),
        ("source /dev/stdin <<< \"${{ x }}\"", stdin + "`source`"),
        ("echo \"${{ x }}\" | . /dev/stdin", stdin + "`.`"),
        ("bash <(echo \"${{ x }}\")", stdin + "`bash`"),
        ("bash < <(echo \"${{ x }}\")", stdin + "`bash`"),
        ("python3 - <<< \"${{ x }}\"", stdin + "`python3`"),
        ("bash -s <<< \"${{ x }}\"", stdin + "`bash`"),
        ("echo \"${{ x }}\" | $X", stdin + "`$X`"),
        ("echo \"${{ x }}\" | xargs sh -c", stdin + "`xargs`"),
        ("echo \"${{ x }}\" | xargs -I{} sh -c 'echo {}'", stdin + "`xargs`"),
        ("echo \"${{ x }}\" | awk -f -", stdin + "`awk`"),
        ("echo \"${{ x }}\" | sed -f /dev/stdin in.txt", stdin + "`sed`"),
        ("echo \"${{ x }}\" | ssh host", stdin + "`ssh`"),
        ("echo \"${{ x }}\" | tclsh", stdin + "`tclsh`"),
        // Bash's own places that read a value as code or as a variable name.
        ("f() { local ${{ x }}=1; }", variableName + "`local`"),
        ("declare \"${{ x }}\"", variableName + "`declare`"),
        ("command declare ${{ x }}=1", variableName + "`declare`"),
        ("declare -n ref=\"${{ x }}\"", variableName + "`declare -n`"),
        ("f() { local -n ref=${{ x }}; }", variableName + "`local -n`"),
        ("typeset -n ref; ref=${{ x }}", variableName + "`typeset -n`"),
        ("wait -n -p ${{ x }} $pid", variableName + "`wait -p`"),
        ("unset \"${{ x }}\"", variableName + "`unset`"),
        ("PS4=\"+ ${{ x }} \"; set -x", codeVariable + "`PS4`"),
        ("export PS4=${{ x }}", codeVariable + "`PS4`"),
        ("declare PROMPT_COMMAND=\"${{ x }}\"", codeVariable + "`PROMPT_COMMAND`"),
        ("PS1='${{ x }}'", codeVariable + "`PS1`"),
        ("PS0=${{ x }}", codeVariable + "`PS0`"),
        ("PS2=${{ x }} bash -i", codeVariable + "`PS2`"),
        ("env PS4=\"${{ x }}\" bash -x script.sh", codeVariable + "`PS4`"),
        ("BASH_ENV=\"${{ x }}\" bash script.sh", codeVariable + "`BASH_ENV`"),
        ("GIT_SSH_COMMAND=\"${{ x }}\" git fetch", codeVariable + "`GIT_SSH_COMMAND`"),
        ("alias ll=\"${{ x }}\"", codeArguments + "`alias`"),
        ("mapfile -C \"${{ x }}\" -c 1 lines < f", codeArguments + "`mapfile -C`"),
        ("compgen -W \"${{ x }}\" a", codeArguments + "`compgen`"),
        ("bind -x '\"\\C-t\": ${{ x }}'", codeArguments + "`bind`"),
        // Other interpreters' program text.
        ("python3 -c \"print('${{ x }}')\"", programText + "`python3 -c`"),
        ("python -c \"${{ x }}\"", programText + "`python -c`"),
        ("python2 -c \"${{ x }}\"", programText + "`python2 -c`"),
        ("pypy3 -c \"${{ x }}\"", programText + "`pypy3 -c`"),
        ("/usr/bin/python3.11 -Bc \"${{ x }}\"", programText + "`python3.11 -c`"),
        ("python3 -c\"${{ x }}\"", beforeProgram + "`python3` still reads"),
        ("python3 -m \"${{ x }}\"", beforeProgram + "`python3` still reads"),
        ("python3 \"${{ x }}\"", beforeProgram + "`python3` still reads"),
        ("python3 -W ignore \"${{ x }}\" arg", beforeProgram + "`python3` still reads"),
        ("bash \"${{ x }}\"", beforeProgram + "`bash` still reads"),
        // Options are read after the program text too (perl, node), or anywhere before `--` (GNU sed).
        ("perl -e 'print $ARGV[0]' \"${{ x }}\"", beforeProgram + "`perl` still reads"),
        ("node -e 'console.log(process.argv[1])' \"${{ x }}\"", beforeProgram + "`node` still reads"),
        ("sed 's/a/b/' \"${{ x }}\"", beforeProgram + "`sed` still reads"),
        ("sed -f edit.sed \"${{ x }}\"", beforeProgram + "`sed` still reads"),
        ("psql mydb \"${{ x }}\"", beforeProgram + "`psql` still reads"),
        ("perl -e 'print \"${{ x }}\"'", programText + "`perl -e`"),
        ("perl -E \"say '${{ x }}'\"", programText + "`perl -E`"),
        ("perl -lne 'print if /${{ x }}/' file", programText + "`perl -e`"),
        ("perl -M\"${{ x }}\" -e 1", beforeProgram + "`perl` still reads"),
        ("ruby -e \"puts '${{ x }}'\"", programText + "`ruby -e`"),
        ("node -e \"console.log('${{ x }}')\"", programText + "`node -e`"),
        ("node -p \"'${{ x }}'\"", programText + "`node -p`"),
        ("node --eval=\"${{ x }}\"", beforeProgram + "`node` still reads"),
        ("nodejs --print \"${{ x }}\"", programText + "`nodejs --print`"),
        ("php -r \"echo '${{ x }}';\"", programText + "`php -r`"),
        ("awk '{ print \"${{ x }}\" }' file", programText + "`awk`"),
        ("awk -F: -v n=1 \"BEGIN { print ${{ x }} }\"", programText + "`awk`"),
        ("gawk -e '${{ x }}' file", programText + "`gawk -e`"),
        ("mawk '${{ x }}'", programText + "`mawk`"),
        ("nawk '${{ x }}'", programText + "`nawk`"),
        ("awk --source='${{ x }}'", programText + "`awk`"),
        ("sed \"s/a/${{ x }}/\" file", programText + "`sed`"),
        ("sed -n \"${{ x }}p\" file", programText + "`sed`"),
        ("sed -i -e \"s/a/${{ x }}/\" file", programText + "`sed -e`"),
        ("sed --expression \"${{ x }}\" file", programText + "`sed --expression`"),
        ("sqlite3 db.sqlite \"SELECT '${{ x }}'\"", programText + "`sqlite3`"),
        ("psql -c \"SELECT '${{ x }}'\"", programText + "`psql -c`"),
        ("mysql -e \"${{ x }}\"", programText + "`mysql -e`"),
        ("make VERSION=${{ x }}", programText + "`make`"),
        ("gmake -C build -j4 all CFLAGS=\"-O2 ${{ x }}\"", programText + "`gmake`"),
        ("make \"${{ x }}\"", programText + "`make`"),
        ("lua -e \"${{ x }}\"", programText + "`lua -e`"),
        ("Rscript -e \"${{ x }}\"", programText + "`Rscript -e`"),
        ("expect -c \"${{ x }}\"", programText + "`expect -c`"),
        ("pwsh -Command \"${{ x }}\"", programText + "`pwsh -Command`"),
        ("fish -c \"${{ x }}\"", programText + "`fish -c`"),
        ("zsh -c \"${{ x }}\"", commandString + "`zsh -c`"),
        // The value as the command name, directly or after a wrapper.
        ("${{ x }} --version", commandName),
        ("timeout 5 \"${{ x }}\"", commandName),
        ("echo a | xargs ${{ x }}", commandName),
        ("find . -exec ${{ x }} {} \\;", commandName),
        ("./${{ x }}.sh", commandName),
    ]

    static func position(of script: String) -> TextPosition {
        let prefix = script[..<script.range(of: "${{")!.lowerBound]
        let line = prefix.filter { $0 == "\n" }.count + 1
        let column = prefix.split(separator: "\n", omittingEmptySubsequences: false).last!.unicodeScalars.count + 1
        return TextPosition(line: line, column: column)
    }

    @Test(arguments: refused)
    func refusedAtTheExpressionWithTheFix(script: String, message: String) {
        let found = ShellSubstitution.problems(in: script)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.hasPrefix(message) == true, "message: \(found.first?.message ?? "none")")
        #expect(found.first?.position == Self.position(of: script))
        if message != Self.commandName {
            #expect(found.first?.notes.contains { $0.message.hasPrefix("pass the value through `env:`") } == true)
        }
    }

    /// Through a variable the script assigns from an expression (one step, or copied on): refused at the
    /// expression, with a note at the place that reads the variable.
    @Test(arguments: [
        ("x=\"${{ v }}\"; echo \"${!x}\"", "the value of `x` holds this expression and `${!x}` reads it as a variable name", 1, 21),
        ("x=\"${{ v }}\"\necho \"${x@P}\"", "the value of `x` holds this expression and `${x@P}` expands it like a prompt", 2, 7),
        ("x=\"${{ v }}\"; eval \"$x\"", codeArguments + "`eval`", 1, 21),
        ("x=${{ v }}; y=\"pre $x\"; bash -c \"$y\"", commandString + "`bash -c`", 1, 34),
        ("export CMD=\"${{ v }}\"\nsh -c \"$CMD\"", commandString + "`sh -c`", 2, 8),
        ("x=${{ v }}; python3 -c \"${x}\"", programText + "`python3 -c`", 1, 25),
        ("x=${{ v }}; echo \"$x\" | bash", stdin + "`bash`", 1, 19),
        ("x=${{ v }}; declare -n r=$x", variableName + "`declare -n`", 1, 26),
    ])
    func refusedThroughAVariableTheScriptAssigns(script: String, message: String, line: Int, column: Int) {
        let found = ShellSubstitution.problems(in: script)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.hasPrefix(message) == true, "message: \(found.first?.message ?? "none")")
        #expect(found.first?.position == Self.position(of: script))
        #expect(found.first?.notes.first?.position == TextPosition(line: line, column: column))
    }

    static let safe: [String] = [
        "echo \"${{ x }}\"",
        "printf '%s\\n' \"${{ x }}\"",
        "python3 script.py \"${{ x }}\"",
        "python3 -u -W ignore script.py --name \"${{ x }}\"",
        "python3 -c 'import sys; print(sys.argv[1])' \"${{ x }}\"",
        "python3 -m http.server \"${{ x }}\"",
        "bash script.sh \"${{ x }}\"",
        "sh -e script.sh \"${{ x }}\"",
        "bash -c 'echo \"$1\"' bash \"${{ x }}\"",
        "sudo -u deploy bash -c 'echo \"$1\"' bash \"${{ x }}\"",
        "timeout 5 ./run.sh \"${{ x }}\"",
        "timeout \"${{ x }}\" ./run.sh",
        "nice -n \"${{ x }}\" ./run.sh",
        "sudo -u \"${{ x }}\" ./run.sh",
        "env FOO=\"${{ x }}\" ./run.sh",
        "env -u HOME FOO=\"${{ x }}\" bash script.sh",
        "FOO=\"${{ x }}\" bash script.sh",
        "echo \"${{ x }}\" | xargs -n1 echo",
        "echo \"${{ x }}\" | xargs",
        "echo \"${{ x }}\" | xargs -0 rm -f",
        "xargs -a list.txt echo \"${{ x }}\"",
        "find . -name \"${{ x }}\" -print",
        "find . -name \"${{ x }}\" -exec rm {} \\;",
        "find . -exec echo \"${{ x }}\" \\;",
        "find . -exec sh -c 'echo \"$1\"' sh \"${{ x }}\" \\;",
        "awk -v v=\"${{ x }}\" 'BEGIN { print v }'",
        "awk '{ print }' \"${{ x }}\"",
        "awk -F \"${{ x }}\" '{ print $1 }' file",
        "echo \"${{ x }}\" | awk '{ print $1 }'",
        "sed 's/a/b/' -- \"${{ x }}\"",
        "sed -f edit.sed -- \"${{ x }}\"",
        "echo \"${{ x }}\" | sed 's/a/b/'",
        "sed 's/a/b/' <<< \"${{ x }}\"",
        "jq -n --arg v \"${{ x }}\" '$v'",
        "jq -r \".items[] | select(.name == \\\"${{ x }}\\\")\" items.json",
        "echo \"${{ x }}\" | jq -R .",
        "echo \"${{ x }}\" | python3 script.py",
        "echo \"${{ x }}\" | bash script.sh",
        "echo \"${{ x }}\" | bash -c 'read -r v; echo \"$v\"'",
        "python3 script.py <<< \"${{ x }}\"",
        "cat <<EOF | python3 script.py\n${{ x }}\nEOF",
        "echo \"${{ x }}\" | tee out.txt | grep -c .",
        "echo \"${{ x }}\" > value.txt\nbash script.sh < value.txt",
        "perl -e 'print $ARGV[0]' -- \"${{ x }}\"",
        "perl -e 'print \"@ARGV\"' file.txt \"${{ x }}\"",
        "node -e 'console.log(process.argv[1])' -- \"${{ x }}\"",
        "node script.js \"${{ x }}\"",
        "declare x=\"${{ x }}\"",
        "export X=\"${{ x }}\"",
        "f() { local y=\"${{ x }}\"; }",
        "readonly Z=${{ x }}",
        "MY_PS4=\"${{ x }}\"",
        "x=\"${{ x }}\"; echo \"${x@Q}\" \"${#x}\" \"${x:-d}\" \"${!x*}\" \"${!x@}\"",
        "x=\"${{ x }}\"; bash -c 'echo \"$1\"' _ \"$x\"; python3 script.py \"$x\"",
        "x=\"${{ x }}\"; eval 'echo done'",
        "x=\"${{ x }}\"; [[ $x =~ ^[0-9]+$ ]] && echo $(( x + 1 ))",
        "git -c user.name=\"${{ x }}\" commit",
        "command -v \"${{ x }}\"",
        "case \"${{ x }}\" in a) echo a;; esac",
        "case $y in ${{ x }}) echo;; esac",
        "for f in \"${{ x }}\"; do echo \"$f\"; done",
        "if [ -n \"${{ x }}\" ]; then echo ok; fi",
        "exec > \"${{ x }}.log\"",
        "time ./run.sh \"${{ x }}\"",
        "wait -n -p pid $job; echo \"${{ x }}\"",
        "getopts \"${{ x }}\" opt",
        "getopts ab ${{ x }}",  // getopts refuses a name that is not an identifier, so no subscript is evaluated
        "sqlite3 db.sqlite \"SELECT 1\" > \"${{ x }}\"",
        "echo \"${{ x }}\" | ./filter | bash script.sh",
    ]

    @Test(arguments: safe)
    func ordinaryUsesAreAccepted(script: String) {
        #expect(ShellSubstitution.problems(in: script) == [])
    }
}
