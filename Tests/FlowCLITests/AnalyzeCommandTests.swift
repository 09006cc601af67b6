import Foundation
import Testing
import FlowTestSupport

/// `flow analyze` and `uses: analyze` as a user runs them: exit codes, the lines, SARIF checked
/// against the official schema, and the artifacts a run keeps.
@Suite struct AnalyzeCommandTests {
    static let brokenDockerfile = """
        FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
        RUN apt-get update && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*
        WORKDIR /app
        COPY requirements.txt .
        RUN pip3 install --no-cache-dir -r requirements.txt
        COPY train.py .
        CMD ["python3", "train.py"]

        """
    static let brokenRequirements = "torch==2.5.1\ntorchvision==0.19.1\n"

    /// A project with a torch 2.5.1 / torchvision 0.19.1 mismatch on a CUDA 11.8 base.
    static func project() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("Dockerfile", brokenDockerfile)
        _ = try dir.write("requirements.txt", brokenRequirements)
        _ = try dir.write("train.py", "print('step')\n")
        return dir
    }

    @Test func findingsPrintAsLinesAndExitOne() async throws {
        let dir = try Self.project()
        defer { dir.remove() }
        let r = try await runFlow(["analyze"], currentDirectory: dir.url)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("requirements.txt:2:12: error[torch-triple]: torchvision 0.19.1 requires torch==2.4.1"))
        #expect(r.stdout.contains("requirements.txt:2:12: note: fix: Pin torchvision==0.20.1"))
        #expect(r.stderr.contains("error"))
        // The same check with the threshold lowered past every finding.
        #expect(try await runFlow(["analyze", ".", "--fail-on", "never"], currentDirectory: dir.url).status == 0)
    }

    @Test func aMissingDockerfileIsBadInput() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try await runFlow(["analyze", "nowhere"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read nowhere"))
        let fifo = dir.file("Dockerfile").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let hostile = try await runFlowOrKill(["analyze", "Dockerfile"], in: dir, seconds: 30)
        #expect(hostile.status == 2)
        #expect(hostile.stderr.contains("not a regular file"))
    }

    @Test func sarifFollowsTheOfficialSchema() async throws {
        let dir = try Self.project()
        defer { dir.remove() }
        let r = try await runFlow(["analyze", "--sarif", "out.sarif", "--fail-on", "never"], currentDirectory: dir.url)
        #expect(r.status == 0, Comment(rawValue: r.stderr))
        let schema = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/SARIF/sarif-schema-2.1.0.json").path
        let check = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            log = json.load(open(sys.argv[2]))
            errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
            for e in errors: print(list(e.path), e.message)
            results = log["runs"][0]["results"]
            print("results", len(results), "fixes", sum(1 for r in results if r.get("fixes")))
            sys.exit(1 if errors else 0)
            """
        let validation = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", check, schema, dir.file("out.sarif").path])
        #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")
        #expect(validation.stdout.contains("results"))
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("out.sarif"))) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let triple = try #require(results.first { $0["ruleId"] as? String == "torch-triple" })
        let region = try #require(((triple["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 2 && region["startColumn"] as? Int == 12)
    }

    @Test func aPipelineStepKeepsItsReportsAsArtifacts() async throws {
        let dir = try Self.project()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: image
            steps:
              check:
                uses: analyze
                with: { dockerfile: Dockerfile, fail-on: never, rules: { base-recommendation: off } }
              report:
                needs: check
                run: echo "errors=${{ steps.check.outputs.errors }} torch=${{ steps.check.outputs.torch }}"
            """)
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let id = try await Runs.newestID(in: dir)
        let log = try await runFlow(["logs", id, "report"], currentDirectory: dir.url)
        #expect(log.stdout.contains("errors=2 torch=2.5.1"))
        let checkLog = try await runFlow(["logs", id, "check"], currentDirectory: dir.url)
        #expect(checkLog.stdout.contains("requirements.txt:2:12: error[torch-triple]"))

        let status = try await runFlow(["status", id], currentDirectory: dir.url)
        #expect(status.stdout.contains("artifact analyze.sarif (sarif,"))
        let listed = try await runFlow(["artifacts", id], currentDirectory: dir.url)
        #expect(listed.stdout.contains("check  attempt 1  analyze.sarif  sarif"))
        #expect(listed.stdout.contains("check  attempt 1  analyze.json  json"))
        let printed = try await runFlow(["artifacts", id, "check", "analyze.sarif"], currentDirectory: dir.url)
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("\"ruleId\" : \"torch-triple\""))
        let copied = try await runFlow(["artifacts", id, "--output", "out"], currentDirectory: dir.url)
        #expect(copied.status == 0, Comment(rawValue: copied.stderr))
        #expect(try Data(contentsOf: dir.file("out/check/analyze.sarif")) == Data(printed.stdout.utf8))
        let missing = try await runFlow(["artifacts", id, "check", "nope.txt"], currentDirectory: dir.url)
        #expect(missing.status == 2)
    }

    @Test func failOnFailsTheStepAndSaysWhy() async throws {
        let dir = try Self.project()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: image\nsteps:\n  check: { uses: analyze, with: { fail-on: error } }\n")
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 1)
        let id = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(id, in: dir)
        #expect((steps["check"]?["reason"] as? String)?.hasPrefix("analyze found 2 errors (fail-on: error)") == true)
        // The reports are kept even when the step fails.
        #expect(try await runFlow(["artifacts", id, "check", "analyze.sarif"], currentDirectory: dir.url).status == 0)
    }
}
