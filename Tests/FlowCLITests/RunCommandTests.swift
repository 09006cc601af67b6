import Foundation
import Testing
import FlowTestSupport

/// `flow run` and the commands that read runs, through the built binary.
@Suite struct RunCommandTests {
    func workspace(_ pipeline: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("p.yml", pipeline)
        return dir
    }

    @Test func theExamplePipelineRunsToSuccess() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try await runFlow(["run", "pipelines/example.yml", "--state-dir", dir.url.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✓ build"))
        #expect(r.stdout.contains("- publish skipped: condition is false: params.publish && params.channel == 'stable'"))
        #expect(r.stdout.contains("✓ report"))
        #expect(r.stdout.split(separator: "\n").last?.contains("succeeded") == true)
    }

    /// A script step's folder in the state holds only its log, so it is made with the log's
    /// first byte: a step that printed nothing has neither, and `flow logs` shows it empty.
    @Test func aScriptThatPrintsNothingLeavesNoStepFolder() async throws {
        let dir = try workspace("""
            name: p
            steps:
              quiet: { run: "true" }
              loud: { run: echo said }
            """)
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let run = dir.file("runs/\(id)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("quiet").path))
        #expect(try String(contentsOf: run.appendingPathComponent("loud/attempt-1.log"), encoding: .utf8) == "said\n")
        let logs = try await runFlow(["logs", id, "quiet"], currentDirectory: dir.url)
        #expect(logs.status == 0, "\(logs.stdout)\(logs.stderr)")
    }

    @Test func aFailingRunExitsOneAndShowsTheLogTail() async throws {
        let dir = try workspace("""
            name: p
            steps:
              build: { run: 'echo compiling; echo "error: missing header" >&2; exit 4' }
              test: { needs: [build], run: echo never }
            """)
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--junit", "report.xml"], currentDirectory: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout.contains("✗ build failed after"))
        #expect(r.stdout.contains(": exited with code 4\n    compiling\n    error: missing header\n    flow: exited with code 4\n    log: "))
        #expect(r.stdout.contains("- test skipped: an upstream step failed"))
        let junit = try String(contentsOf: dir.file("report.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"p\""))
        #expect(junit.contains("tests=\"2\" failures=\"1\" skipped=\"1\""))
        #expect(junit.contains("<failure message=\"exited with code 4\">"))

        let status = try await runFlow(["status", "--json"], currentDirectory: dir.url)
        #expect(status.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(object["pipeline"] as? String == "p")
        #expect(object["status"] as? String == "failed")
        #expect(object["startedAt"] is String && object["finishedAt"] is String)
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["id"] as? String } == ["build", "test"])
        #expect(steps[0]["exitCode"] as? Int == 4)
        #expect(steps[0]["attempts"] as? Int == 1)
        #expect(steps[1]["reason"] as? String == "an upstream step failed")

        let runs = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["status"] as? String == "failed")

        let id = try #require(list[0]["id"] as? String)
        let logs = try await runFlow(["logs", id, "build"], currentDirectory: dir.url)
        #expect(logs.stdout == "compiling\nerror: missing header\nflow: exited with code 4\n")
    }

    @Test func jsonPrintsOneEventPerLine() async throws {
        let dir = try workspace("name: p\nsteps:\n  a: { run: echo hi }\n")
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--json"], currentDirectory: dir.url)
        #expect(r.status == 0)
        let events = try r.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(events.map { $0["event"] as? String } == ["run-started", "step-started", "step-finished", "run-finished"])
        #expect(events[2]["status"] as? String == "succeeded")
    }

    @Test func dryRunPrintsThePlanAndRunsNothing() async throws {
        let dir = try workspace("name: p\nsteps:\n  a: { run: touch ran }\n  b: { needs: [a], run: echo, retry: 2 }\n")
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--dry-run"], currentDirectory: dir.url)
        #expect(r.status == 0)
        #expect(r.stdout == "plan: p (p.yml), 2 steps, max-parallel 4\n1. a: shell\n2. b: shell; needs a; 2 attempts\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("ran").path))
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs").path))
    }

    @Test func invalidPipelineExitsTwoWithoutCreatingState() async throws {
        let dir = try workspace("name: p\nsteps:\n  a: { run: echo, needs: [zz] }\n")
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("p.yml:3:27: error: step `a` needs `zz`"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs").path))
    }

    @Test func logLimitKeepsTheHeadAndTailOfALongLog() async throws {
        let dir = try workspace("""
            name: p
            steps:
              noisy:
                log-limit: 2KiB
                run: for i in $(seq 1 2000); do echo "line $i"; done
            """)
        defer { dir.remove() }
        let r = try await runFlow(["run", "p.yml", "--json"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let path = try #require(r.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("\"step-started\""), let range = line.range(of: "\"log\":\"") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }.first)
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.hasPrefix("line 1\nline 2\n"))
        #expect(log.hasSuffix("line 1999\nline 2000\n"))
        #expect(log.contains(" bytes omitted …\n"))
        // 1 KiB of head and tail, plus the marker line.
        #expect(log.utf8.count < 2048 + 64)
    }

    @Test func sigintCancelsTheRunAndExits130() async throws {
        let dir = try workspace("name: p\nsteps:\n  slow: { run: sleep 999 }\n")
        defer { dir.remove() }
        // Wait for the step to start (its line is printed), then interrupt.
        let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
        kill(process.processIdentifier, SIGINT)
        await process.exited()
        #expect(process.terminationStatus == 130)
        let status = try await runFlow(["status"], currentDirectory: dir.url)
        #expect(status.stdout.contains("cancelled"))
    }

    /// A signal right as the first step starts used to be lost (the handler was installed
    /// asynchronously); every one of these must cancel the run.
    @Test func aSignalTheMomentAStepStartsIsNeverLost() async throws {
        let dir = try workspace("name: p\nsteps:\n  slow: { run: sleep 999 }\n")
        defer { dir.remove() }
        for round in 0..<8 {
            let process = try await startFlow(["run", "p.yml"], currentDirectory: dir.url, waitingFor: "▸ slow")
            kill(process.processIdentifier, round % 2 == 0 ? SIGINT : SIGTERM)
            await process.exited()
            #expect(process.terminationStatus == 130, "round \(round)")
        }
    }

    @Test func stateDirectoryAndFilesAreOwnerOnly() async throws {
        let dir = try workspace("name: p\nsteps:\n  a: { run: echo hi }\n")
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        var info = stat()
        #expect(stat(dir.file("runs").path, &info) == 0 && info.st_mode & 0o777 == 0o700)
        for file in FileManager.default.enumerator(atPath: dir.file("runs").path)!.compactMap({ $0 as? String }) {
            #expect(stat(dir.file("runs/" + file).path, &info) == 0)
            let mode = info.st_mode & 0o777
            #expect(mode == 0o600 || mode == 0o700, "\(file) has mode \(String(mode, radix: 8))")
        }
    }

    @Test func stepsListsBuiltinAndUserTypes() async throws {
        let r = try await runFlow(["steps"])
        #expect(r.status == 0)
        // Names are padded to the longest one, which grows as types are added: compare without it.
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines.contains { $0.hasPrefix("shell Runs a script") })
        #expect(lines.first?.hasPrefix("analyze Checks a Dockerfile") == true)
        #expect(lines.contains("notify Post a message to a Slack-compatible webhook, or print it when no webhook is given (steps/notify)"))
        #expect(lines.contains { $0.hasPrefix("smoke-test Checks a built image from inside") })
        #expect(lines.contains { $0.hasPrefix("autofix-retry ") })
    }

    @Test func stepsTypeDescribesEveryInputOutputAndAnExample() async throws {
        let shell = try await runFlow(["steps", "shell"])
        #expect(shell.status == 0)
        #expect(shell.stdout.contains("  script  (script, required)\n"))
        #expect(shell.stdout.contains("  shell  (string)\n      the interpreter: `bash` (run with `-eo pipefail`; the default)"))
        #expect(shell.stdout.contains("those the step declares under `outputs:`"))
        #expect(shell.stdout.contains("example:\n  test:\n    run: |"))
        let notify = try await runFlow(["steps", "notify"])
        #expect(notify.stdout.contains("notify (steps/notify/step.yml): Post a message"))
        #expect(notify.stdout.contains("  message  (string, required)\n      the text to send\n"))
        let unknown = try await runFlow(["steps", "shel"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no step type `shel`; did you mean `shell`?"))
    }

    /// The engine's memory stays flat while a step prints: 256 MB at full speed and one 32 MB
    /// line without a newline, through the masker into the log. Measured on the flow process alone.
    @Test func floodingOutputKeepsTheEnginesPeakMemoryUnder64MiB() async throws {
        let dir = try workspace("""
            name: p
            secrets: [HOME]
            steps:
              flood: { run: head -c 268435456 /dev/zero | tr '\\0' 'a' | fold -w 120 }
              one-line: { run: head -c 33554432 /dev/zero | tr '\\0' 'b' }
            """)
        defer { dir.remove() }
        let directory = dir.url
        let (status, peak) = try await onOwnThread { try runMeasuringPeakMemory(Repository.flowBinary, ["run", "p.yml"], currentDirectory: directory) }
        #expect(status == 0)
        #expect(peak < 64 << 20, "peak RSS \(peak >> 20) MiB")
        let logs = try FileManager.default.subpathsOfDirectory(atPath: dir.file("runs").path).filter { $0.hasSuffix(".log") }
        #expect(logs.count == 2)
    }
}
