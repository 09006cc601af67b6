import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// The coordinator on real child processes and a real SQLite file.
@Suite struct RunCoordinatorTests {
    @Test func stepsRunInDependencyOrderAndOutputsFlowDownstream() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            steps:
              a:
                run: |
                  echo "single=one" >> "$FLOW_OUTPUT"
                  { echo 'multi<<END'; printf 'line 1\\nline 2\\n'; echo END; } >> "$FLOW_OUTPUT"
                outputs: [single, multi]
              b:
                needs: [a]
                run: printf '%s|%s' "${{ steps.a.outputs.single }}" "${{ steps.a.outputs.multi }}" > b.txt && echo "seen=yes" >> "$FLOW_OUTPUT"
                outputs: [seen]
            """)
        #expect(out.status == .succeeded)
        #expect(out.steps["a"]?.outputValues == ["single": "one", "multi": "line 1\nline 2"])
        #expect(out.steps["b"]?.outputValues == ["seen": "yes"])
        #expect(try String(contentsOf: h.directory.file("b.txt"), encoding: .utf8) == "one|line 1\nline 2")
        let run = try #require(try h.database.run(out.runID))
        #expect(run.status == .succeeded && run.finishedAt != nil)
    }

    @Test func failureSkipsDependentsButStatusFunctionsDecide() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            steps:
              build: { run: exit 3 }
              test: { needs: [build], run: echo never }
              deploy: { needs: [test], run: echo never }
              on-failure: { needs: [build], if: failure(), run: echo cleaning }
              always: { needs: [deploy], if: always(), run: echo report }
              on-success: { needs: [deploy], if: success(), run: echo never }
            """)
        #expect(out.status == .failed)
        #expect(out.steps["build"]?.status == .failed)
        #expect(out.steps["build"]?.exitCode == 3)
        #expect(out.steps["test"]?.status == .skipped)
        #expect(out.steps["test"]?.reason == "an upstream step failed")
        #expect(out.steps["deploy"]?.status == .skipped)
        #expect(out.steps["on-failure"]?.status == .succeeded)
        #expect(out.steps["always"]?.status == .succeeded)
        #expect(out.steps["on-success"]?.status == .skipped)
    }

    @Test func falseConditionSkipsAndTheSkipPropagates() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            params:
              deploy: { type: bool, default: false }
            steps:
              gate: { if: params.deploy, run: echo deploying }
              after: { needs: [gate], run: echo never }
              report: { needs: [after], if: always(), run: echo report }
            """)
        #expect(out.status == .succeeded)
        #expect(out.steps["gate"]?.status == .skipped)
        #expect(out.steps["gate"]?.reason == "condition is false: params.deploy")
        #expect(out.steps["after"]?.status == .skipped)
        #expect(out.steps["after"]?.reason == "`gate` was skipped")
        #expect(out.steps["report"]?.status == .succeeded)
    }

    @Test func continueOnErrorLetsDependentsRunAndTheRunSucceed() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            steps:
              flaky: { run: exit 1, continue-on-error: true }
              next: { needs: [flaky], run: 'echo "status=${{ steps.flaky.status }}" >> "$FLOW_OUTPUT"', outputs: [status] }
            """)
        #expect(out.status == .succeeded)
        #expect(out.steps["flaky"]?.status == .failed)
        #expect(out.steps["next"]?.outputValues == ["status": "failed"])
    }

    @Test func retriesBackOffThroughTheInjectedClockAndRecordEveryAttempt() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let clock = ManualClock(autoAdvance: true)
        let counter = h.directory.file("count").path
        let yaml = """
            name: t
            steps:
              flaky:
                retry: { attempts: 4, backoff: { initial: 5s, factor: 2, max: 8s } }
                run: |
                  n=$(( $(cat \(counter) 2>/dev/null || echo 0) + 1 )); echo $n > \(counter)
                  echo "attempt $n"
                  [ "$n" -ge 3 ]
            """
        let out = try await h.run(yaml, clock: clock)
        #expect(out.status == .succeeded)
        #expect(clock.sleeps == [.seconds(5), .seconds(8)])
        #expect(out.steps["flaky"]?.attempts == 3)
        let attempts = try h.database.attempts(of: out.runID, step: "flaky")
        #expect(attempts.map(\.status) == [.failed, .failed, .succeeded])
        #expect(attempts.map(\.exitCode) == [1, 1, 0])
        for a in attempts {
            #expect(try String(contentsOfFile: a.logPath, encoding: .utf8).hasPrefix("attempt \(a.number)\n"))
        }
    }

    @Test func exitCodeFilterStopsRetryingOtherCodes() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            steps:
              a: { retry: { attempts: 5, exit-codes: [75] }, run: exit 2 }
            """, clock: ManualClock())
        #expect(out.status == .failed)
        #expect(out.steps["a"]?.attempts == 1)
        #expect(out.steps["a"]?.error == "exited with code 2")
    }

    @Test func timeoutStopsTheStepAndCountsAsAFailedAttempt() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let out = try await h.run("""
            name: t
            steps:
              slow: { timeout: 300ms, run: sleep 999 }
            """)
        #expect(out.status == .failed)
        #expect(out.steps["slow"]?.error == "timed out after 300ms")
    }

    @Test func cancellingTheRunStopsRunningStepsAndRecordsCancelled() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let plan = try h.plan("""
            name: t
            steps:
              slow: { run: sleep 999 }
              after: { needs: [slow], run: echo never }
            """)
        let options = RunOptions(stateDirectory: h.statePath, workingDirectory: h.statePath, environment: ProcessInfo.processInfo.environment,
                                 gracePeriod: .milliseconds(200), heartbeatInterval: nil)
        let events = EventLog()
        let coordinator = try RunCoordinator(plan: plan, database: h.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options) { events.append($0) }
        let task = Task { await coordinator.execute() }
        while !events.all.contains(where: { if case .stepStarted = $0 { return true } else { return false } }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        #expect(await task.value == .cancelled)
        let steps = try h.database.steps(of: coordinator.runID)
        #expect(steps.map(\.status) == [.cancelled, .cancelled])
        #expect(try h.database.run(coordinator.runID)?.status == .cancelled)
    }

    @Test func hostileValuesReachTheScriptAsDataInEveryQuotingContext() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let canary = h.directory.file("canary").path
        let value = "$(touch \(canary)); `touch \(canary)` ' \" \\ ; touch \(canary) *"
        let out = try await h.run("""
            name: t
            params:
              v: { type: string }
            steps:
              a:
                run: |
                  printf '%s' ${{ params.v }} > bare.txt
                  printf '%s' "${{ params.v }}" > double.txt
                  printf '%s' '${{ params.v }}' > single.txt
                  cat > heredoc.txt <<EOF
                  ${{ params.v }}
                  EOF
            """, params: ["v": value])
        #expect(out.status == .succeeded)
        for name in ["bare", "double", "single"] {
            #expect(try String(contentsOf: h.directory.file("\(name).txt"), encoding: .utf8) == value, "\(name)")
        }
        #expect(try String(contentsOf: h.directory.file("heredoc.txt"), encoding: .utf8) == value + "\n")
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    @Test func aPlantedSecretIsAbsentFromEveryFileUnderTheStateDirectory() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let secret = "s3cr3t-Value-42"
        var environment = ProcessInfo.processInfo.environment
        environment["API_TOKEN"] = secret
        let out = try await h.run("""
            name: t
            secrets: [API_TOKEN]
            steps:
              output:
                run: echo "copy=$API_TOKEN" >> "$FLOW_OUTPUT"
                outputs: [copy]
              leak:
                needs: [output]
                run: |
                  echo "token is $API_TOKEN and ${{ steps.output.outputs.copy }}"
                  printf '%s' "$API_TOKEN" | base64
                  exit 1
            """, environment: environment)
        #expect(out.status == .failed)
        #expect(out.steps["output"]?.outputValues == ["copy": "***"])
        let log = try String(contentsOfFile: try #require(try h.database.attempts(of: out.runID, step: "leak").first).logPath, encoding: .utf8)
        #expect(log.hasPrefix("token is *** and ***\n"))
        let encoded = Data(secret.utf8).base64EncodedString()
        var checked = 0
        for file in FileManager.default.enumerator(atPath: h.statePath)!.compactMap({ $0 as? String }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: h.directory.file(file).path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            checked += 1
            let data = try Data(contentsOf: h.directory.file(file))
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(file)")
            #expect(data.range(of: Data(encoded.dropLast(2).utf8)) == nil, "\(file)")
        }
        #expect(checked >= 3)  // the database, its WAL, and the logs
    }

    /// A step's `env:` value for a secret name is computed when the step starts; from then on it
    /// is masked everywhere, in the log of a step that was already running too.
    @Test func aSecretValueLearntWhenAStepStartsIsMaskedInStepsAlreadyRunning() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let seed = "Seed-0c41f7"
        var environment = ProcessInfo.processInfo.environment
        environment["SEED"] = seed
        let out = try await h.run("""
            name: t
            secrets: [LATE_TOKEN]
            steps:
              running:
                run: |
                  touch running-started
                  until test -e go; do sleep 0.02; done
                  echo "running sees $SEED-late"
                  echo "seen=$SEED-late" >> "$FLOW_OUTPUT"
                outputs: [seen]
              first:
                run: until test -e running-started; do sleep 0.02; done
              learner:
                needs: [first]
                env:
                  LATE_TOKEN: ${{ format('{0}-late', env.SEED) }}
                run: touch go && echo "learner has $LATE_TOKEN"
            """, environment: environment)
        #expect(out.status == .succeeded)
        #expect(out.steps["running"]?.outputValues == ["seen": "***"])
        for (step, line) in [("running", "running sees ***\n"), ("learner", "learner has ***\n")] {
            let log = try String(contentsOfFile: try #require(try h.database.attempts(of: out.runID, step: step).first).logPath, encoding: .utf8)
            #expect(log == line)
        }
        var files = 0
        for file in FileManager.default.enumerator(atPath: h.statePath)!.compactMap({ $0 as? String }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: h.directory.file(file).path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files += 1
            #expect(try Data(contentsOf: h.directory.file(file)).range(of: Data("\(seed)-late".utf8)) == nil, "\(file)")
        }
        #expect(files >= 4)  // the database, its WAL, two logs
    }
}

/// Resume: the same run id, succeeded steps reused with their stored outputs, the rest rerun.
@Suite struct ResumeTests {
    @Test func resumeKeepsSucceededOutputsAndRerunsTheRest() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let flag = h.directory.file("fixed").path
        let ledger = h.directory.file("ledger").path
        let yaml = """
            name: t
            steps:
              token:
                run: echo token >> \(ledger) && echo "v=$(head -c 12 /dev/urandom | base64)" >> "$FLOW_OUTPUT"
                outputs: [v]
              flaky:
                needs: [token]
                run: echo flaky >> \(ledger) && test -e \(flag)
              use:
                needs: [flaky]
                run: printf '%s' "${{ steps.token.outputs.v }}" > used.txt
            """
        let first = try await h.run(yaml)
        #expect(first.status == .failed)
        let token = try #require(first.steps["token"]?.outputValues["v"])

        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        let plan = try h.plan(yaml)
        let run = try #require(try h.database.run(first.runID))
        let options = RunOptions(stateDirectory: h.statePath, workingDirectory: h.statePath,
                                 environment: ProcessInfo.processInfo.environment, source: yaml, heartbeatInterval: nil)
        let coordinator = try RunCoordinator(resuming: run, plan: plan, database: h.database, registry: .builtins,
                                             runner: ProcessRunners.standard, clock: RealClock(), options: options)
        #expect(coordinator.runID == first.runID)
        #expect(await coordinator.execute() == .succeeded)

        #expect(try String(contentsOfFile: ledger, encoding: .utf8) == "token\nflaky\nflaky\n")
        #expect(try String(contentsOf: h.directory.file("used.txt"), encoding: .utf8) == token)
        let steps = try h.database.steps(of: first.runID)
        #expect(steps.map(\.status) == [.succeeded, .succeeded, .succeeded])
        #expect(try h.database.attempts(of: first.runID, step: "flaky").map(\.number) == [1, 2])
        let resumed = try #require(try h.database.run(first.runID))
        #expect(resumed.resumeCount == 1 && resumed.status == .succeeded)
    }

    @Test func aRunCanOnlyBeTakenBackFromTheStateItWasSeenIn() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let first = try await h.run("name: t\nsteps:\n  a: { run: exit 1 }\n")
        try h.database.resume(first.runID, from: .failed, steps: ["a"], ownerPid: 1, ownerHost: "h", at: Date())
        #expect(throws: RunDatabase.ResumeRefused.self) {
            try h.database.resume(first.runID, from: .failed, steps: ["a"], ownerPid: 2, ownerHost: "h", at: Date())
        }
    }
}

/// Who owns a running run: the pid on its own host, the heartbeat elsewhere.
@Suite struct RunOwnershipTests {
    func record(status: RunStatus = .running, pid: Int32? = 42, host: String? = "here", heartbeat: Date? = nil) -> RunRecord {
        RunRecord(id: "r", pipeline: "p", file: "p.yml", source: "", sourceDigest: "", params: "{}", profile: nil, trigger: .manual,
                  gitSha: nil, secretNames: [], status: status, createdAt: Date(timeIntervalSince1970: 1000), finishedAt: nil,
                  ownerPid: pid, ownerHost: host, heartbeatAt: heartbeat, resumeCount: 0)
    }

    @Test func onTheOwnersHostThePidDecides() {
        let now = Date(timeIntervalSince1970: 5000)
        let alive = RunOwnership(host: "here", now: now) { $0 == 42 }
        let dead = RunOwnership(host: "here", now: now) { _ in false }
        #expect(alive.verdict(for: record()) == .ownedByLiveProcess(pid: 42, host: "here"))
        #expect(dead.verdict(for: record()) == .ownerGone)
        #expect(dead.verdict(for: record(status: .failed)) == .notRunning)
    }

    /// A `flow` killed with SIGKILL is a zombie until its parent reaps it: its pid still
    /// answers `kill(pid, 0)`, but it is gone, and its run may be resumed.
    @Test func onThisHostAZombieOwnerIsGone() throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        let run = record(pid: pid, host: Host.name())
        #expect(RunOwnership.local(now: Date()).verdict(for: run) == .ownedByLiveProcess(pid: pid, host: Host.name()))
        kill(pid, SIGKILL)
        // Not reaped yet: wait until the kernel shows it as a zombie.
        func state() -> String? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            return stat[stat.index(close, offsetBy: 2)...].split(separator: " ").first.map(String.init)
        }
        let deadline = Date().addingTimeInterval(5)
        while state() != "Z" && Date() < deadline { usleep(1000) }
        try #require(state() == "Z")
        #expect(kill(pid, 0) == 0)
        #expect(RunOwnership.local(now: Date()).verdict(for: run) == .ownerGone)
    }

    @Test func elsewhereAStaleHeartbeatMeansInterrupted() {
        let ownership = RunOwnership(host: "elsewhere", now: Date(timeIntervalSince1970: 1100), staleAfter: 60) { _ in true }
        #expect(ownership.verdict(for: record(heartbeat: Date(timeIntervalSince1970: 1090))) == .ownedByLiveProcess(pid: 42, host: "here"))
        #expect(ownership.verdict(for: record(heartbeat: Date(timeIntervalSince1970: 1010))) == .ownerGone)
        // No heartbeat at all counts from the start time.
        #expect(ownership.verdict(for: record(heartbeat: nil)) == .ownerGone)
    }
}
