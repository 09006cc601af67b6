import Foundation
import Testing
import FlowTestSupport

/// End-to-end: the built `flow` binary, as a user runs it.
@Suite struct FlowBinaryTests {
    @Test func validateOfTheExamplePipelinesSucceeds() async throws {
        let r = try await runFlow(["validate", "pipelines/example.yml", "pipelines/nightly.yml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "pipelines/example.yml: valid, 5 steps\npipelines/nightly.yml: valid, 3 steps\n")
        #expect(r.stderr.isEmpty)
    }

    @Test func invalidFileExitsTwoWithEveryProblemOnStandardError() async throws {
        let r = try await runFlow(["validate", "Tests/FlowCoreTests/Fixtures/invalid/unknown-need.yml"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "Tests/FlowCoreTests/Fixtures/invalid/unknown-need.yml:6:13: error: step `test` needs `biuld`, which is not a step of this pipeline")
        #expect(lines[1].hasSuffix("note: did you mean `build`?"))
    }

    @Test func validFilesAreReportedEvenWhenAnotherFails() async throws {
        let r = try await runFlow(["validate", "pipelines/example.yml", "Tests/FlowCoreTests/Fixtures/invalid/self-need.yml"])
        #expect(r.status == 2)
        #expect(r.stdout == "pipelines/example.yml: valid, 5 steps\n")
        #expect(r.stderr.contains("self-need.yml:5:12: error: step `a` needs itself"))
    }

    @Test func jsonListsDiagnosticsWithPositions() async throws {
        let r = try await runFlow(["validate", "--json", "Tests/FlowCoreTests/Fixtures/invalid/self-need.yml"])
        #expect(r.status == 2)
        let items = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items[0]["file"] as? String == "Tests/FlowCoreTests/Fixtures/invalid/self-need.yml")
        #expect(items[0]["line"] as? Int == 5)
        #expect(items[0]["column"] as? Int == 12)
        #expect(items[0]["severity"] as? String == "error")
        #expect((items[0]["message"] as? String)?.hasPrefix("step `a` needs itself") == true)
        #expect(items[0]["notes"] is [Any])
    }

    @Test func jsonOfAValidFileIsAnEmptyArray() async throws {
        let r = try await runFlow(["validate", "--json", "pipelines/example.yml"])
        #expect(r.status == 0)
        #expect(r.stdout == "[]\n")
    }

    @Test func missingFileAndDirectoryAreClearErrors() async throws {
        let r = try await runFlow(["validate", "no/such.yml", "pipelines"])
        #expect(r.status == 2)
        #expect(r.stderr == "no/such.yml: error: cannot read no/such.yml: No such file or directory\npipelines: error: cannot read pipelines: it is a directory, not a regular file\n")
    }

    @Test func paramValuesAreCheckedAgainstTheirTypes() async throws {
        let r = try await runFlow(["validate", "pipelines/example.yml", "--param", "publish=maybe", "--param", "colour=red", "--param", "oops"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("command line: error: `--param oops` must be written as `--param NAME=VALUE`"))
        #expect(r.stderr.contains("command line: error: `publish` is a bool parameter; `maybe` is not a bool"))
        #expect(r.stderr.contains("command line: error: no parameter `colour` is declared under `params`"))
    }

    @Test func hundredMegabyteFileIsRejectedWithoutReadingIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let big = dir.file("big.yml")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 100 << 20)
        try handle.close()
        let r = try await runFlow(["validate", big.path])
        #expect(r.status == 2)
        #expect(r.stderr == "\(big.path):1:1: error: file is 100 MB; pipeline files are limited to 10 MB\n")
    }

    @Test func graphPrintsMermaidAndDot() async throws {
        let mermaid = try await runFlow(["graph", "pipelines/example.yml"])
        #expect(mermaid.status == 0, "\(mermaid.stderr)")
        #expect(mermaid.stdout.hasPrefix("flowchart TD\n"))
        #expect(mermaid.stdout.contains("test[python=3.10]"))
        let dot = try await runFlow(["graph", "--format", "dot", "pipelines/example.yml"])
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph \"example\" {"))
        #expect(dot.stdout.contains("\"build\" -> \"test[python=3.11]\";"))
    }

    @Test func graphOfAnInvalidFileExitsTwo() async throws {
        let r = try await runFlow(["graph", "Tests/FlowCoreTests/Fixtures/invalid/cycle-three.yml"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("error: steps form a cycle: a → c → b → a"))
    }

    @Test func versionHelpAndCompletions() async throws {
        let version = try await runFlow(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
        let help = try await runFlow(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("validate") && help.stdout.contains("graph"))
        for shell in ["bash", "zsh", "fish"] {
            let completion = try await runFlow(["--generate-completion-script", shell])
            #expect(completion.status == 0)
            #expect(completion.stdout.contains("validate"))
        }
    }

    @Test func usageErrorsExitTwo() async throws {
        let unknown = try await runFlow(["frobnicate"])
        #expect(unknown.status == 2)
        let noFiles = try await runFlow(["validate"])
        #expect(noFiles.status == 2)
        #expect(noFiles.stderr.contains("Missing expected argument '<files> ...'"))
        let badFormat = try await runFlow(["graph", "--format", "png", "pipelines/example.yml"])
        #expect(badFormat.status == 2)
    }

    @Test func userStepTypesAreValidatedFromTheStepsFolder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("steps/greet/step.yml", "name: greet\ninputs:\n  who: { required: true }\noutputs: [greeting]\nrun: greet.sh\n")
        _ = try dir.write("steps/greet/greet.sh", "echo hi\n")
        _ = try dir.write("steps/broken/step.yml", "name: brokn\nrun: missing.sh\n")
        _ = try dir.write("p.yml", """
            name: p
            steps:
              a:
                uses: greet
                with: { who: world }
              b:
                needs: [a]
                uses: greet
                with: { whom: x }
                env: { G: "${{ steps.a.outputs.greeting }}", H: "${{ steps.a.outputs.nope }}" }
            """)
        let r = try await runFlow(["validate", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr == """
            steps/broken/step.yml:1:7: error: step type name `brokn` does not match its folder `steps/broken`; rename one so they agree
            p.yml:8:11: error: step type `greet` requires the input `who`; add it under `with:`
            p.yml:9:13: error: step type `greet` has no input `whom`
            p.yml:9:13: note: did you mean `who`?
            p.yml:10:58: error: step `a` declares no output `nope`; it declares `greeting`

            """)
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        // Standard error is a pipe here, so no escape codes even without NO_COLOR.
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NO_COLOR")
        env["NO_COLOR"] = nil
        let r = try runProcess(Repository.flowBinary, ["validate", "Tests/FlowCoreTests/Fixtures/invalid/self-need.yml"],
                               environment: env, currentDirectory: Repository.root)
        #expect(!r.stderr.contains("\u{1B}["))
    }

    /// On a real terminal (a pty from util-linux `script`) errors are coloured, unless NO_COLOR is set.
    @Test func colourOnATerminalUnlessNoColorIsSet() throws {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        let command = "\(Repository.flowBinary.path) validate Tests/FlowCoreTests/Fixtures/invalid/self-need.yml"
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        env["TERM"] = "xterm"
        let coloured = try runProcess(script, ["-qec", command, "/dev/null"], environment: env, currentDirectory: Repository.root)
        #expect(coloured.status == 2)
        #expect(coloured.stdout.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        env["NO_COLOR"] = "1"
        let plain = try runProcess(script, ["-qec", command, "/dev/null"], environment: env, currentDirectory: Repository.root)
        #expect(plain.status == 2)
        #expect(plain.stdout.contains("error: step `a` needs itself"))
        #expect(!plain.stdout.contains("\u{1B}["))
    }
}
