import FlowEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Process trees that try to outlive their step. After `run` returns, nothing carrying the
/// step's marker may be left (checked with our own /proc scan).
@Suite("Process runner: hostile process trees")
struct HostileTreeTests {
    // No assertion here is about time (timing belongs in bench/): each checks what happened.
    private func runHostile(_ runner: RunnerKind, _ script: String, timeout: Duration = .milliseconds(500), grace: Duration = .milliseconds(200)) async throws -> (ProcessOutcome, String) {
        let marker = ProcessTests.marker("hostile")
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell(script, marker: marker, timeout: timeout, grace: grace))
        #expect(ProcessTests.survivors(of: marker).isEmpty, "processes with the marker survived: \(script)")
        return (outcome, marker)
    }

    @Test("backgrounded grandchildren are killed with the group", arguments: RunnerKind.allCases)
    func backgroundedGrandchildren(_ runner: RunnerKind) async throws {
        let (outcome, _) = try await runHostile(runner, "sleep 999 & sleep 999 & wait")
        #expect(outcome.timedOut)
    }

    @Test("a grandchild that escaped the group with setsid is swept and counted", arguments: RunnerKind.allCases)
    func setsidEscapee(_ runner: RunnerKind) async throws {
        let (outcome, _) = try await runHostile(runner, "setsid sleep 999 & wait", timeout: .seconds(1))
        #expect(outcome.timedOut)
        #expect(outcome.strayProcessesKilled >= 1)
    }

    @Test("a tree that ignores SIGTERM is SIGKILLed", arguments: RunnerKind.allCases)
    func ignoresTerm(_ runner: RunnerKind) async throws {
        let (outcome, _) = try await runHostile(runner, "trap '' TERM; sleep 999 & sleep 999")
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGKILL))
    }

    @Test("RELIABILITY: background, subshell orphan, setsid and exec together", arguments: RunnerKind.allCases)
    func everythingAtOnce(_ runner: RunnerKind) async throws {
        let (outcome, _) = try await runHostile(runner, 
            "sleep 999 & (sleep 999 &); setsid sleep 999 & exec sleep 999", timeout: .seconds(1)
        )
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(outcome.strayProcessesKilled >= 1)
    }

    @Test("a double fork that escapes with setsid and forks again is swept", arguments: RunnerKind.allCases)
    func doubleForkAfterSetsid(_ runner: RunnerKind) async throws {
        let (outcome, _) = try await runHostile(runner, 
            "setsid sh -c 'sleep 999 & sleep 999 & wait' & wait", timeout: .seconds(1)
        )
        #expect(outcome.strayProcessesKilled >= 3)
    }

    @Test("a normal exit with a leftover background grandchild returns promptly and sweeps it", arguments: RunnerKind.allCases)
    func leftoverAfterNormalExit(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("leftover")
        // The grandchild holds the output pipe open: run must not wait for EOF.
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell("sleep 999 & echo $$; exit 0", marker: marker), recorder: recorder)
        #expect(outcome == ProcessOutcome(termination: .exited(0), strayProcessesKilled: 1))
        #expect(ProcessTests.survivors(of: marker).isEmpty)
        let child = try #require(pid_t(recorder.text.split(separator: "\n").first.map(String.init) ?? ""))
        #expect(!ProcessTests.isOurZombie(child), "the child was not reaped")
        #expect(ProcessTests.liveGroupMembers(child).isEmpty)
    }

    @Test("a leftover grandchild that keeps writing cannot hold run up", arguments: RunnerKind.allCases)
    func leftoverWriter(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("writer")
        let counter = OutputCounter(expectedByte: UInt8(ascii: "y"))
        // Had run waited for the writer's EOF, it would only return at the spec's timeout.
        let outcome = try await runner.make().run(
            ProcessTests.shell("yes y | tr -d '\\n' & head -c 1000 /dev/zero | tr '\\0' y; exit 0", marker: marker, timeout: .seconds(60)),
            output: counter.handler
        )
        #expect(outcome.termination == .exited(0))
        #expect(outcome.strayProcessesKilled >= 1)
        #expect(!outcome.timedOut)
        #expect(counter.unexpectedChunks == 0)
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }

    @Test("the sweep matches the marker exactly: a longer marker sharing its prefix survives", arguments: RunnerKind.allCases)
    func sweepIsExact(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("exact")
        let neighbour = marker + "-neighbour"
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let recorder = OutputRecorder(onChunk: { startedSignal.yield() })
        let long = Task {
            try await ProcessTests.run(on: runner, ProcessTests.shell("echo $$; exec sleep 999", marker: neighbour, timeout: .seconds(600)), recorder: recorder)
        }
        for await _ in started { break }
        let neighbourPid = try #require(pid_t(recorder.text.split(separator: "\n").first.map(String.init) ?? ""))
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell("sleep 999 & exit 0", marker: marker))
        #expect(outcome.strayProcessesKilled == 1)
        #expect(ProcessTests.isAlive(neighbourPid), "the sweep killed another step's process")
        long.cancel()
        _ = try await long.value
        #expect(ProcessTests.survivors(of: neighbour).isEmpty)
    }
}
