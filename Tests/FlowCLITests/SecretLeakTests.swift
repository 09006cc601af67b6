import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// Secret values never reach a log, the database, a report, an event or the terminal, wherever
/// they were set: flow's environment, the pipeline's or a step's `env:`, a param, an output's name.
@Suite struct SecretLeakTests {
    /// A value given to an input a step type declares `secret: true` is a secret, whether it is
    /// written in the file, computed by an expression or the declared default.
    @Test func aValueGivenToASecretInputIsMaskedInEverySink() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let literal = "literal-Input-9c2e51"
        let computedSeed = "computed-Input-41d7"
        let fallback = "default-Input-a03f66"
        _ = try dir.write("steps/say/step.yml", """
            name: say
            description: prints its token
            inputs:
              token: { secret: true, default: \(fallback) }
            outputs: [echo]
            run: say.sh
            """)
        try writeExecutable("#!/bin/bash\necho \"token is $INPUT_TOKEN\"\necho \"echo=$INPUT_TOKEN\" >> \"$FLOW_OUTPUT\"\n",
                            to: dir.file("steps/say/say.sh").path)
        _ = try dir.write("p.yml", """
            name: p
            params:
              seed: { type: string, default: \(computedSeed) }
            steps:
              literal: { uses: say, with: { token: \(literal) } }
              computed: { uses: say, with: { token: "${{ params.seed }}-x" } }
              fallback: { uses: say }
              after: { needs: [literal], run: 'echo "after got ${{ steps.literal.outputs.echo }}"' }
            """)
        var sinks = try SecretSinks(dir)
        let run = try await sinks.flow(["run", "p.yml", "--json", "--junit", "report.xml"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        try await sinks.collect(reports: ["report.xml"])
        sinks.expectNone(of: [literal, computedSeed + "-x", fallback])
        let logs = sinks.text("stdout of flow logs")
        #expect(logs.components(separatedBy: "token is ***").count == 4, "\(logs)")
        #expect(logs.contains("after got ***"))
    }

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

    @Test func aSecretParamIsMaskedEverywhereAndItsValueIsNeverStored() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let token = "Tok-9d2e6b51"
        let key = "Key-4a7c1f09"
        let keyDefault = "KeyDefault-83be"
        _ = try dir.write("p.yml", """
            name: p
            params:
              token: { type: string, secret: true }
              api-key: { type: string, default: \(keyDefault) }
              region: { type: string, default: eu-west-1 }
            secrets: [API_KEY]
            env:
              API_KEY: "key ${{ params.api-key }}"
            steps:
              use:
                run: |
                  echo "token ${{ params.token }} in ${{ params.region }}"
                  echo "t=${{ params.token }}" >> "$FLOW_OUTPUT"
                outputs: [t]
              gate:
                needs: [use]
                run: test -e fixed || { echo "no fix for ${{ params.api-key }}"; exit 1; }
            """)
        var sinks = try SecretSinks(dir)
        let given = ["--param", "token=\(token)", "--param", "api-key=\(key)"]
        let dry = try await sinks.flow(["run", "p.yml", "--dry-run"] + given)
        #expect(dry.stdout.contains("params: token=*** api-key=*** region=eu-west-1\n"), "\(dry.stdout)\(dry.stderr)")
        let first = try await sinks.flow(["run", "p.yml", "--json", "--junit", "first.xml"] + given)
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        let id = try await Runs.newestID(in: dir)

        // The run keeps its other params and the secret ones' names, never their values.
        let stored = try #require(try StateSnapshot.read(databaseAt: dir.file("runs/flow.db").path)?.runs.first)
        #expect(stored.params == #"{"region":"eu-west-1"}"#)
        #expect(stored.secretNames == ["API_KEY", "params.token", "params.api-key"])

        dir.touch("fixed")
        let resumed = try await sinks.flow(["resume", id, "--json", "--junit", "second.xml"] + given)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        try await sinks.collect(reports: ["first.xml", "second.xml"])
        sinks.expectNone(of: [token, key, keyDefault])
        #expect(sinks.text("stdout of flow logs").contains("token *** in eu-west-1\n"))
        #expect(try await Runs.steps(id, in: dir)["use"]?["outputs"] as? [String: String] == ["t": "***"])
    }

    @Test func resumeAndRetryAskForASecretParamAgainAndTakeNoOtherParam() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            params:
              token: { type: string, secret: true }
              region: { type: string, default: eu-west-1 }
            steps:
              use:
                run: printf '%s' "${{ params.token }}" > got && test -e fixed
            """)
        #expect(try await runFlow(["run", "p.yml", "--param", "token=first-Token-1"], currentDirectory: dir.url).status == 1)
        let id = try await Runs.newestID(in: dir)
        dir.touch("fixed")
        try FileManager.default.removeItem(at: dir.file("got"))

        let bare = try await runFlow(["resume", id], currentDirectory: dir.url)
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("run \(id) was started with secret param `token`; give it again: flow resume \(id) --param token=…"),
                "\(bare.stderr)")
        let other = try await runFlow(["resume", id, "--param", "token=x-Token-2", "--param", "region=us-east-1"], currentDirectory: dir.url)
        #expect(other.status == 2)
        #expect(other.stderr.contains("`--param region`: only secret params can be given to resume; run \(id)'s other params are stored"),
                "\(other.stderr)")
        let retryBare = try await runFlow(["retry", id, "--step", "use"], currentDirectory: dir.url)
        #expect(retryBare.status == 2)
        #expect(retryBare.stderr.contains("give it again: flow retry \(id) --step use --param token=…"), "\(retryBare.stderr)")
        // Refused before doing anything: the run was not taken, nothing ran.
        #expect(!FileManager.default.fileExists(atPath: dir.file("got").path))
        let untouched = try #require(try StateSnapshot.read(databaseAt: dir.file("runs/flow.db").path)?.runs.first)
        #expect(untouched.status == .failed && untouched.resumeCount == 0)
        // Previewing runs nothing, so it needs no secret.
        #expect(try await runFlow(["resume", id, "--plan"], currentDirectory: dir.url).status == 0)

        let resumed = try await runFlow(["resume", id, "--param", "token=second-Token-2"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try String(contentsOf: dir.file("got"), encoding: .utf8) == "second-Token-2")
        let retried = try await runFlow(["retry", id, "--step", "use", "--param", "token=third-Token-3"], currentDirectory: dir.url)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(try String(contentsOf: dir.file("got"), encoding: .utf8) == "third-Token-3")
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

    @Test func anOutputWhoseNameHoldsASecretIsStoredUnderAMaskedName() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let token = "Tok3n-Name-58f1"
        _ = try dir.write("p.yml", """
            name: p
            secrets: [TOKEN]
            steps:
              a:
                run: |
                  echo "plain=yes" >> "$FLOW_OUTPUT"
                  echo "key_${TOKEN}=v" >> "$FLOW_OUTPUT"
                outputs: [plain]
              b:
                needs: [a]
                run: echo '${{ toJSON(steps.a.outputs) }}'
            """)
        var sinks = try SecretSinks(dir)
        var environment = ProcessInfo.processInfo.environment
        environment["TOKEN"] = token
        let run = try await sinks.flow(["run", "p.yml", "--json", "--junit", "report.xml"], environment: environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        try await sinks.collect(reports: ["report.xml"])
        sinks.expectNone(of: [token])
        let id = try await Runs.newestID(in: dir)
        #expect(try await Runs.steps(id, in: dir)["a"]?["outputs"] as? [String: String] == ["plain": "yes", "key_***": "v"])
    }
}
