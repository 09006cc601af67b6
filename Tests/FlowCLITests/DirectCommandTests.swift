import Foundation
import Testing
import FlowTestSupport

/// A `run:` script that is one simple command runs without bash, as make runs a recipe line;
/// its environment, exit code and errors are what bash would have given.
@Suite struct DirectCommandTests {
    @Test func aOneCommandScriptRunsWithoutBashAndSeesTheEnvironmentBashWouldGive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("parent.sh", "#!/bin/sh\ncat /proc/$PPID/comm\nenv | grep -v '^FLOW_' | sort > \"$1\"\n")
        chmod(dir.file("parent.sh").path, 0o755)
        _ = try dir.write("p.yml", """
            name: p
            steps:
              direct: { run: ./parent.sh env-direct }
              shell: { run: "./parent.sh env-shell && true" }
              written: { shell: bash, run: ./parent.sh env-written }
            """)
        let r = try await runFlow(["run", "p.yml", "--max-parallel", "1"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let id = try await Runs.newestID(in: dir)
        #expect(try await runFlow(["logs", id, "direct"], currentDirectory: dir.url).stdout == "flow\n", "started by flow itself")
        #expect(try await runFlow(["logs", id, "shell"], currentDirectory: dir.url).stdout == "bash\n")
        #expect(try await runFlow(["logs", id, "written"], currentDirectory: dir.url).stdout == "bash\n", "`shell:` keeps bash")
        let direct = try String(contentsOf: dir.file("env-direct"), encoding: .utf8)
        let shell = try String(contentsOf: dir.file("env-shell"), encoding: .utf8)
        #expect(direct == shell, "the same environment (PWD, SHLVL, _ as bash sets them)")
        #expect(direct.contains("SHLVL=") && direct.contains("PWD=\(dir.url.path)\n"))
    }

    @Test func exitCodesAndErrorsAreBashs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("noexec", "echo never\n")
        _ = try dir.write("plain", "echo plain script without a shebang\n")
        chmod(dir.file("plain").path, 0o755)
        _ = try dir.write("p.yml", """
            name: p
            steps:
              fails: { run: "false" }
              code: { run: python3 -c 'import sys; sys.exit(3)' }
              missing: { run: no-such-program-here arg }
              denied: { run: ./noexec }
              no-shebang: { run: ./plain }
              killed: { run: "sh -c 'kill -TERM $$'" }
              self-killed: { run: ./killer.sh }
            """)
        _ = try dir.write("killer.sh", "#!/bin/sh\nkill -TERM $$\n")
        chmod(dir.file("killer.sh").path, 0o755)
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 1)
        let id = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["fails"]?["exitCode"] as? Int == 1)
        #expect(steps["code"]?["exitCode"] as? Int == 3)
        #expect(steps["missing"]?["exitCode"] as? Int == 127)
        #expect(try await runFlow(["logs", id, "missing"], currentDirectory: dir.url).stdout.contains("line 1: no-such-program-here: command not found"))
        #expect(steps["denied"]?["exitCode"] as? Int == 126)
        #expect(try await runFlow(["logs", id, "denied"], currentDirectory: dir.url).stdout.contains("line 1: ./noexec: Permission denied"))
        #expect(steps["no-shebang"]?["status"] as? String == "succeeded", "bash runs a file without #! as a script")
        #expect(steps["killed"]?["exitCode"] as? Int == 143)
        #expect(steps["self-killed"]?["exitCode"] as? Int == 143, "a command a signal ended is 128+N, as bash reports it")
    }
}
