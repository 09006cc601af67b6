import ArgumentParser
import FlowCLI
import FlowTestSupport
import Foundation
import Testing
import Yams

/// `flow codebuild buildspec` and `flow codebuild schedule` through the binary.
@Suite struct CodeBuildCommandTests {
    static let pipeline = """
        name: nightly
        schedule:
          - cron: "0 2 * * *"
            timezone: America/New_York
          - cron: "30 4 1,15 * 5"
        steps:
          a:
            run: echo a
        """

    /// Splits a command line the way bash would for the words these buildspecs hold (plain
    /// words and single-quoted ones).
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, inWord = false
        for c in line {
            if quoted {
                if c == "'" { quoted = false } else { current.append(c) }
            } else if c == "'" {
                quoted = true
                inWord = true
            } else if c == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    @Test func theBuildspecParsesBackAndItsFlowCommandsAreFlowCommandLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("pipelines/nightly.yml", Self.pipeline)
        let r = try await runFlow(["codebuild", "buildspec", "pipelines/nightly.yml", "--state-url", "s3://my-builds/flow/nightly",
                                   "--download-url", "s3://my-builds/bin/flow", "-o", "buildspec.yml"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: dir.file("buildspec.yml"), encoding: .utf8)
        let root = try #require(try Yams.compose(yaml: text))
        #expect(root["version"]?.string == "0.2")
        let phases = try #require(root["phases"]?.mapping)
        let commands = phases.flatMap { _, phase in phase["commands"]?.sequence.map(Array.init) ?? [] }
        #expect(!commands.isEmpty)
        for item in commands { #expect(item.any is String, "not a string: \(item)") }
        for (_, group) in try #require(root["reports"]?.mapping) { #expect(group["file-format"]?.string == "JUNITXML") }

        // Every command that starts with `flow` parses as a flow command line (options valid
        // together), and the ones that only read run here.
        let flowLines = commands.compactMap(\.string).filter { $0.hasPrefix("flow ") }
        #expect(flowLines.count == 4)
        for line in flowLines {
            let words = Array(Self.words(line.replacingOccurrences(of: " || true", with: "")).dropFirst())
            if words == ["--version"] {
                // argument-parser answers `--version` by throwing its request to print the version.
                #expect(try await runFlow(words, currentDirectory: dir.url).status == 0)
                continue
            }
            #expect(throws: Never.self, "\(line)") { _ = try FlowCommand.parseAsRoot(words) }
        }
        let run = try #require(flowLines.first { $0.hasPrefix("flow run ") })
        #expect(run.contains("--state-url s3://my-builds/flow/nightly"))
        let dry = try await runFlow(Array(Self.words(run).dropFirst()) + ["--dry-run"], currentDirectory: dir.url)
        #expect(dry.status == 0, "\(dry.stderr)")
        let validate = try #require(flowLines.first { $0.hasPrefix("flow validate ") })
        #expect(try await runFlow(Array(Self.words(validate).dropFirst()), currentDirectory: dir.url).status == 0)
    }

    @Test func aBuildspecForAnInvalidPipelineIsRefusedWithItsLocation() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("bad.yml", "name: bad\nsteps:\n  a:\n    run: echo a\n    needs: [nope]\n")
        let r = try await runFlow(["codebuild", "buildspec", "bad.yml", "-o", "-"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yml:5:"))
        #expect(r.stdout.isEmpty)
        let absolute = try await runFlow(["codebuild", "buildspec", dir.file("bad.yml").path], currentDirectory: dir.url)
        #expect(absolute.status == 2)
        #expect(absolute.stderr.contains("relative to the repository root"))
    }

    @Test func theScheduleCommandPrintsRulesOrWhyNot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("nightly.yml", Self.pipeline)
        let r = try await runFlow(["codebuild", "schedule", "nightly.yml"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("nightly.yml:3:"))
        #expect(r.stdout.contains("no EventBridge rule: America/New_York is UTC−5 in winter and UTC−4 in summer"))
        #expect(r.stdout.contains("EventBridge Scheduler: cron(0 2 * * ? *) with ScheduleExpressionTimezone=America/New_York"))
        #expect(r.stdout.contains("  cron(30 4 1,15 * ? *)\n  cron(30 4 ? * 6 *)\n"))
    }
}
