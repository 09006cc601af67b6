import Foundation
import Testing

@testable import FlowCore

/// The refusals of `SecondInterpreterTests` are needed and the accepted uses are safe, shown with the real
/// programs: with the references written in anyway, each refused script runs a command hidden in the value;
/// each accepted one runs nothing, whatever the value holds.
@Suite("Second interpreters, run")
struct SecondInterpreterRunTests {
    static let touch = "touch CANARY"
    static let arithmeticSubscript = "a[$(touch CANARY)]"
    static let substitution = "$(touch CANARY)"

    /// A refused script and a value that makes it run `touch CANARY`.
    static let refused: [(String, String)] = [
        ("timeout 5 bash -c \"${{ x }}\"", touch),
        ("env -i PATH=/usr/bin:/bin FOO=1 bash -c \"${{ x }}\"", touch),
        ("nice -n 5 bash -c \"${{ x }}\"", touch),
        ("nohup bash -c \"${{ x }}\" >/dev/null 2>&1", touch),
        ("(exec bash -c \"${{ x }}\")", touch),
        ("command bash -c \"${{ x }}\"", touch),
        ("builtin eval \"${{ x }}\"", touch),
        ("stdbuf -oL bash -c \"${{ x }}\"", touch),
        ("setsid -w bash -c \"${{ x }}\"", touch),
        ("xargs bash -c \"${{ x }}\" </dev/null", touch),
        ("echo | xargs sh -c 'echo ${{ x }}'", "; touch CANARY"),
        ("find . -maxdepth 0 -exec sh -c 'echo ${{ x }}' \\;", "; touch CANARY"),
        ("B=bash; $B -c \"${{ x }}\"", touch),
        ("SHELL=/bin/bash; \"$SHELL\" -c \"${{ x }}\"", touch),
        ("flock ./lock -c \"${{ x }}\"", touch),
        ("env -S \"${{ x }}\"", touch),
        ("bash <<< \"${{ x }}\"", touch),
        ("sh <<< \"${{ x }}\"", touch),
        ("echo \"${{ x }}\" | bash", touch),
        ("printf '%s\\n' \"${{ x }}\" | sh -s -- arg", touch),
        ("echo \"${{ x }}\" | python3", "import os; os.system('touch CANARY')"),
        ("echo \"${{ x }}\" | python3 -", "import os; os.system('touch CANARY')"),
        ("echo \"${{ x }}\" | perl", "system('touch CANARY')"),
        ("echo \"${{ x }}\" | node", "require('child_process').execSync('touch CANARY')"),
        ("echo \"${{ x }}\" | sqlite3 :memory:", ".shell touch CANARY"),
        ("echo \"${{ x }}\" | tclsh", "exec touch CANARY"),
        ("echo \"${{ x }}\" | sed 's/^//' | bash", touch),
        ("cat <<EOF | bash\n${{ x }}\nEOF", touch),
        ("bash <<EOF\n${{ x }}\nEOF", touch),
        ("{ echo \"${{ x }}\"; } | sh", touch),
        ("(echo \"${{ x }}\") | sh", touch),
        ("echo \"${{ x }}\" | (bash)", touch),
        ("echo \"${{ x }}\" | while read -r line; do bash; done", "\n" + touch),
        ("source <(echo \"${{ x }}\")", touch),
        (". <(printf '%s' \"${{ x }}\")", touch),
        ("source /dev/stdin <<< \"${{ x }}\"", touch),
        ("echo \"${{ x }}\" | . /dev/stdin", touch),
        ("bash <(echo \"${{ x }}\")", touch),
        ("bash < <(echo \"${{ x }}\")", touch),
        ("python3 - <<< \"${{ x }}\"", "import os; os.system('touch CANARY')"),
        ("bash -s <<< \"${{ x }}\"", touch),
        ("X=bash; echo \"${{ x }}\" | $X", touch),
        ("echo \"${{ x }}\" | xargs sh -c", "touch${IFS}CANARY"),
        ("echo \"${{ x }}\" | xargs -I{} sh -c 'echo {}'", "x; touch CANARY"),
        ("echo \"${{ x }}\" | awk -f /dev/stdin", "BEGIN { system(\"touch CANARY\") }"),
        ("echo a > in.txt; echo \"${{ x }}\" | sed -f /dev/stdin in.txt", "1e touch CANARY"),
        ("f() { local ${{ x }}=1; }; f", arithmeticSubscript),
        ("declare \"${{ x }}\"", arithmeticSubscript + "=1"),
        ("declare -n ref=\"${{ x }}\"; echo \"$ref\"", arithmeticSubscript),
        ("typeset -n ref; ref=${{ x }}; echo \"$ref\"", arithmeticSubscript),
        ("sleep 0 & wait -n -p ${{ x }} $!", arithmeticSubscript),
        ("a=(1 2); unset \"${{ x }}\"", arithmeticSubscript),
        ("PS4=\"${{ x }}\"; set -x; :", substitution),
        // (`env PS4=… bash -x` is refused too, but bash run as root, as here, does not import PS4.)
        ("BASH_ENV=\"${{ x }}\" bash -c :", substitution),
        ("shopt -s expand_aliases\nalias t=\"${{ x }}\"\nt", touch),
        ("mapfile -C \"${{ x }}\" -c 1 lines <<< line", touch),
        ("compgen -W \"${{ x }}\" a", substitution),
        ("x=\"${{ v }}\"; echo \"${!x}\"", arithmeticSubscript),
        ("x=\"${{ v }}\"; echo \"${x@P}\"", substitution),
        ("x=\"${{ v }}\"; eval \"$x\"", touch),
        ("x=${{ v }}; y=\"pre $x\"; bash -c \"$y\"", "; touch CANARY"),
        ("python3 -c \"print('${{ x }}')\"", "'); __import__('os').system('touch CANARY'); print('"),
        ("/usr/bin/python3.11 -Bc \"${{ x }}\"", "__import__('os').system('touch CANARY')"),
        ("python3 \"${{ x }}\"", "-c__import__('os').system('touch CANARY')"),
        ("perl -e 'print \"${{ x }}\"'", "\"; system(\"touch CANARY\"); print \""),
        ("perl -lne 'print if /${{ x }}/' /dev/null; perl -E \"say '${{ x }}'\"", "'; system('touch CANARY'); say '"),
        ("node -e \"console.log('${{ x }}')\"", "'); require('child_process').execSync('touch CANARY'); ('"),
        ("awk 'BEGIN { print \"${{ x }}\" }'", "\"; system(\"touch CANARY\"); print \""),
        ("awk -F: -v n=1 \"BEGIN { print ${{ x }} }\"", "1; system(\"touch CANARY\")"),
        ("echo a | sed \"s/a/${{ x }}/\"", "b/\n1e touch CANARY\ns/x/y"),
        ("echo a | sed -n -e \"${{ x }}\"", "1e touch CANARY"),
        ("sqlite3 :memory: \"${{ x }}\"", ".shell touch CANARY"),
        ("printf 'all:\\n\\t@echo \"$(V)\"\\n' > Makefile; make -s V=\"${{ x }}\"", "$(shell touch CANARY)"),
        ("perl -e 'print $ARGV[0]' \"${{ x }}\"", "-e;system('touch CANARY')"),
        ("node -e 'console.log(process.argv[1])' \"${{ x }}\"", "--eval=require('child_process').execSync('touch CANARY')"),
        ("echo a > in.txt; sed 's/a/b/' in.txt \"${{ x }}\"", "-e1e touch CANARY"),
    ]

    @Test(arguments: refused)
    func refusedScriptRunsTheValue(script: String, payload: String) async throws {
        #expect(!ShellSubstitution.problems(in: script).isEmpty)
        // Substitute regardless of the problems (the scanner still writes the references) and run it.
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = directory.appendingPathComponent("CANARY").path
        let scan = ShellScanner.scan(script)
        var environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        for variable in scan.variables {
            environment[variable.name] = payload.replacingOccurrences(of: "CANARY", with: canary)
        }
        _ = try await BashHarness.run(scan.script, environment: environment, in: directory)
        #expect(FileManager.default.fileExists(atPath: canary), "the payload did not run; is the refusal needed?")
    }

    /// Accepted scripts, run next to `script.py`, `script.sh` and `run.sh` (which print their arguments).
    static let accepted: [String] = [
        "echo \"${{ x }}\"",
        "printf '%s\\n' \"${{ x }}\"",
        "python3 script.py \"${{ x }}\"",
        "python3 -c 'import sys; print(sys.argv[1])' \"${{ x }}\"",
        "bash script.sh \"${{ x }}\"",
        "bash -c 'echo \"$1\"' bash \"${{ x }}\"",
        "timeout 5 ./run.sh \"${{ x }}\"",
        "env FOO=\"${{ x }}\" ./run.sh",
        "echo \"${{ x }}\" | xargs -n1 echo",
        "echo \"${{ x }}\" | xargs",
        "find . -name \"${{ x }}\" -print",
        "find . -maxdepth 0 -exec echo \"${{ x }}\" \\;",
        "find . -maxdepth 0 -exec sh -c 'echo \"$1\"' sh \"${{ x }}\" \\;",
        "awk -v v=\"${{ x }}\" 'BEGIN { print v }'",
        "echo \"${{ x }}\" | awk '{ print $1 }'",
        "echo \"${{ x }}\" | sed 's/a/b/'",
        "sed 's/a/b/' <<< \"${{ x }}\"",
        "jq -n --arg v \"${{ x }}\" '$v'",
        "jq -n \"\\\"${{ x }}\\\"\" || true",
        "echo \"${{ x }}\" | python3 script.py",
        "echo \"${{ x }}\" | bash script.sh",
        "echo \"${{ x }}\" | bash -c 'read -r v; echo \"$v\"'",
        "cat <<EOF | python3 script.py\n${{ x }}\nEOF",
        "perl -e 'print $ARGV[0]' -- \"${{ x }}\"",
        "node -e 'console.log(process.argv[1])' -- \"${{ x }}\"",
        "echo a > in.txt; sed 's/a/b/' in.txt -- \"${{ x }}\" || true",
        "x=\"${{ x }}\"; echo \"${x@Q}\" \"${#x}\" \"${!x*}\"",
        "x=\"${{ x }}\"; bash -c 'echo \"$1\"' _ \"$x\"",
        "getopts ab ${{ x }} -a || true",
        "MY_PS4=\"${{ x }}\"; set -x; :",
    ]

    /// Shell syntax, and code for each interpreter above.
    static let payloads = [
        "$(touch CANARY)`touch CANARY`;touch CANARY;'\"$(touch CANARY)\"'\n$(touch CANARY)",
        "a[$(touch CANARY)]",
        "-c__import__('os').system('touch CANARY')",
        "'); __import__('os').system('touch CANARY'); print('",
        "\"; system(\"touch CANARY\"); print \"",
        "BEGIN { system(\"touch CANARY\") }",
        "1e touch CANARY",
        ".shell touch CANARY",
        "--eval=require('child_process').execSync('touch CANARY')",
        "-exec touch CANARY ;",
        "-I{} sh -c {}",
        "-e;system('touch CANARY')",
        "-e1e touch CANARY",
    ]

    @Test(arguments: accepted)
    func acceptedScriptRunsNothing(script: String) async throws {
        #expect(ShellSubstitution.problems(in: script) == [])
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "script.py": "import sys\nprint(sys.argv[1:], sys.stdin.read() if not sys.stdin.isatty() else '')\n",
            "script.sh": "printf '%s\\n' \"$@\"; cat\n", "run.sh": "#!/bin/sh\nprintf '%s\\n' \"$@\" \"$FOO\"\n",
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        chmod(directory.appendingPathComponent("run.sh").path, 0o755)
        let canary = directory.appendingPathComponent("CANARY").path
        let substitution = try ShellSubstitution.substitute(script)
        for payload in Self.payloads {
            var environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
            for variable in substitution.variables {
                environment[variable.name] = payload.replacingOccurrences(of: "CANARY", with: canary)
            }
            _ = try await BashHarness.run(substitution.script, environment: environment, in: directory)
            #expect(!FileManager.default.fileExists(atPath: canary), "the value ran a command, with \(payload)")
            try? FileManager.default.removeItem(atPath: canary)
        }
    }
}
