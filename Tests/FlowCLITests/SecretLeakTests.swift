import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// Secret values never reach a log, the database, a report, an event or the terminal, wherever
/// they were set: flow's environment, the pipeline's or a step's `env:`.
@Suite struct SecretLeakTests {
    @Test func aSecretSetInThePipelinesOrAStepsEnvIsMaskedInEverySink() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pipelineValue = "pipe-Literal-7f3a91"
        let stepValue = "step-Literal-2b8c44"
        let seed = "Seed-5e1d07"
        let computed = seed + "-computed"
        _ = try dir.write("p.yml", """
            name: p
            secrets: [PIPE_TOKEN, STEP_TOKEN, LATE_TOKEN]
            env:
              PIPE_TOKEN: \(pipelineValue)
            steps:
              early:
                run: echo "early sees $PIPE_TOKEN and \(stepValue)"
              a:
                needs: [early]
                env:
                  STEP_TOKEN: \(stepValue)
                run: |
                  echo "pipeline $PIPE_TOKEN step $STEP_TOKEN"
                  echo "copy=$STEP_TOKEN" >> "$FLOW_OUTPUT"
                outputs: [copy]
              b:
                needs: [a]
                run: echo "b got ${{ steps.a.outputs.copy }}"
              gate:
                if: "'\(stepValue)' == 'open'"
                run: echo never
              late:
                needs: [b]
                env:
                  LATE_TOKEN: ${{ format('{0}-computed', env.SEED) }}
                run: |
                  echo "late $LATE_TOKEN"
                  echo "x<<$LATE_TOKEN" >> "$FLOW_OUTPUT"
              after:
                needs: [late]
                if: always()
                run: echo "after prints $SEED-computed"
            """)
        var sinks = try SecretSinks(dir)
        var environment = ProcessInfo.processInfo.environment
        environment["SEED"] = seed
        let run = try await sinks.flow(["run", "p.yml", "--json", "--junit", "report.xml"], environment: environment)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        try await sinks.collect(reports: ["report.xml"])
        sinks.expectNone(of: [pipelineValue, stepValue, computed])

        // Masked, not lost: every step printed its line with `***` in place of the value.
        let logs = sinks.text("stdout of flow logs")
        for line in ["early sees *** and ***", "pipeline *** step ***", "b got ***", "late ***", "after prints ***"] {
            #expect(logs.contains(line + "\n"), "\(logs)")
        }
        let id = try await Runs.newestID(in: dir)
        let steps = try await Runs.steps(id, in: dir)
        #expect(steps["a"]?["outputs"] as? [String: String] == ["copy": "***"])
        #expect((steps["late"]?["reason"] as? String)?.contains("`x<<***` is not closed") == true)
        #expect(steps["gate"]?["reason"] as? String == "condition is false: '***' == 'open'")
    }

    /// The pipeline's text is stored with the run masked; resume and retry take the file instead,
    /// as long as it is the very file the run started from.
    @Test func aRunWhoseFileHoldsASecretValueIsResumedFromTheFileWhileItIsUnchanged() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let literal = "file-Literal-6d3a0e"
        let yaml = """
            name: p
            secrets: [TOKEN]
            env: { TOKEN: \(literal) }
            steps:
              use: { run: 'printf "%s" "$TOKEN" > got && test -e fixed' }
            """
        _ = try dir.write("p.yml", yaml)
        var sinks = try SecretSinks(dir)
        #expect(try await sinks.flow(["run", "p.yml"]).status == 1)
        let id = try await Runs.newestID(in: dir)
        let stored = try #require(try StateSnapshot.read(databaseAt: dir.file("runs/flow.db").path)?.runs.first)
        #expect(stored.source == yaml.replacingOccurrences(of: literal, with: "***"))

        _ = try dir.write("p.yml", yaml + "\n# edited\n")
        let resume = try await sinks.flow(["resume", id])
        #expect(resume.status == 2)
        #expect(resume.stderr.contains("run \(id)'s definition was stored with its secret values masked, and p.yml is no longer the file it started from"),
                "\(resume.stderr)")
        #expect(resume.stderr.contains("`flow resume \(id) --reload` runs the file as it is now"))
        let retry = try await sinks.flow(["retry", id, "--step", "use"])
        #expect(retry.status == 2 && retry.stderr.contains("put p.yml back as it was to retry the run"), "\(retry.stderr)")

        // Reloaded: the edited file is the run's definition now (stored masked again).
        #expect(try await sinks.flow(["resume", id, "--reload"]).status == 1)
        dir.touch("fixed")
        let resumed = try await sinks.flow(["resume", id])
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try String(contentsOf: dir.file("got"), encoding: .utf8) == literal)
        try await sinks.collect()
        sinks.expectNone(of: [literal])
    }
}
