import FlowEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Process runner: timeout and cancellation")
struct TimeoutAndCancellationTests {
    @Test("a timeout stops the child long before it would end", arguments: RunnerKind.allCases)
    func timeoutKills(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("timeout")
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell("exec sleep 999", marker: marker, timeout: .milliseconds(300)))
        #expect(outcome.timedOut)
        #expect(!outcome.cancelled)
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }

    @Test("a child that ignores SIGTERM gets SIGTERM first, then SIGKILL", arguments: RunnerKind.allCases)
    func ignoresTerm(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("trap")
        let recorder = OutputRecorder()
        // The trap notes SIGTERM and carries on; only SIGKILL can end it.
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("trap 'echo got TERM' TERM; while :; do sleep 1; done", marker: marker,
                               timeout: .milliseconds(300), grace: .milliseconds(300)),
            recorder: recorder)
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGKILL))
        #expect(recorder.text.contains("got TERM"))
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }

    @Test("a child that handles SIGTERM gets to finish within the grace period", arguments: RunnerKind.allCases)
    func gracefulExitWithinGrace(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell(
                // The trap takes a while, as real clean-ups do: a second SIGTERM arriving
                // meanwhile (once the leader got one through the group and one of its own)
                // would run it twice.
                "trap 'echo cleaning up; sleep 0.2; exit 3' TERM; echo started; sleep 999 & wait",
                marker: ProcessTests.marker("graceful"), timeout: .milliseconds(300), grace: .seconds(5)
            ),
            recorder: recorder
        )
        #expect(outcome.timedOut)
        #expect(outcome.termination == .exited(3))
        #expect(recorder.text == "started\ncleaning up\n")
    }

    @Test("cancelling the calling task stops the whole group", arguments: RunnerKind.allCases)
    func cancellation(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("cancel")
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let recorder = OutputRecorder(onChunk: { startedSignal.yield() })
        // Prints its pid (= its pgid) once running, so the test can cancel and then check the group.
        let spec = ProcessTests.shell("sleep 999 & echo $$; wait", marker: marker, grace: .milliseconds(300))
        let task = Task { try await ProcessTests.run(on: runner, spec, recorder: recorder) }
        for await _ in started { break }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.cancelled)
        #expect(!outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGTERM))
        let group = try #require(pid_t(recorder.text.split(separator: "\n").first.map(String.init) ?? ""))
        #expect(ProcessTests.liveGroupMembers(group).isEmpty)
        #expect(ProcessTests.survivors(of: marker).isEmpty)
        #expect(!ProcessTests.isOurZombie(group), "the child was not reaped")
    }

    @Test("cancelling the calling task also sweeps a grandchild that left the group with setsid", arguments: RunnerKind.allCases)
    func cancellationSweepsEscapee(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("cancel-setsid")
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let recorder = OutputRecorder(onChunk: { startedSignal.yield() })
        // The escapee is running (it printed) before the test cancels.
        let spec = ProcessTests.shell("setsid sh -c 'echo escaped; exec sleep 999' & wait", marker: marker, grace: .milliseconds(300))
        let task = Task { try await ProcessTests.run(on: runner, spec, recorder: recorder) }
        for await _ in started { break }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.cancelled)
        #expect(outcome.strayProcessesKilled >= 1)
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }

    @Test("a task cancelled before run starts stops the child at once", arguments: RunnerKind.allCases)
    func cancelledBeforeStart(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("precancel")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await ProcessTests.run(on: runner, ProcessTests.shell("exec sleep 999", marker: marker, grace: .milliseconds(300)))
        }
        let outcome = try await task.value
        #expect(outcome.cancelled)
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }
}
