import FlowEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Process runner: exit status and output")
struct ExitAndOutputTests {
    @Test("exit codes are reported as .exited", arguments: RunnerKind.allCases, [0, 1, 42])
    func exitCodes(_ runner: RunnerKind, code: Int32) async throws {
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell("exit \(code)", marker: ProcessTests.marker("exit")))
        #expect(outcome == ProcessOutcome(termination: .exited(code)))
    }

    @Test("a signal death is reported as .signaled", arguments: RunnerKind.allCases)
    func signalDeath(_ runner: RunnerKind) async throws {
        let outcome = try await ProcessTests.run(on: runner, ProcessTests.shell("kill -9 $$", marker: ProcessTests.marker("signal")))
        #expect(outcome.termination == .signaled(SIGKILL))
        #expect(!outcome.timedOut && !outcome.cancelled)
    }

    @Test("stdout and stderr share one pipe, in write order", arguments: RunnerKind.allCases)
    func interleaving(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("echo a; echo b >&2; echo c; echo d >&2", marker: ProcessTests.marker("interleave")),
            recorder: recorder
        )
        #expect(outcome.termination == .exited(0))
        #expect(recorder.text == "a\nb\nc\nd\n")
    }

    @Test("stdin is /dev/null", arguments: RunnerKind.allCases)
    func stdinIsDevNull(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        // `cat` would block forever on an inherited terminal or pipe.
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("readlink /proc/self/fd/0; cat; echo done", marker: ProcessTests.marker("stdin"), timeout: .seconds(5)),
            recorder: recorder
        )
        #expect(outcome.termination == .exited(0))
        #expect(!outcome.timedOut)
        #expect(recorder.text == "/dev/null\ndone\n")
    }

    @Test("the child leads its own session and process group", arguments: RunnerKind.allCases)
    func ownSession(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        // Fields 5 and 6 of /proc/PID/stat are pgrp and session ("(sh)" has no space).
        _ = try await ProcessTests.run(on: runner,
            ProcessTests.shell("echo $$; cut -d ' ' -f 5,6 /proc/$$/stat", marker: ProcessTests.marker("session")),
            recorder: recorder
        )
        let lines = recorder.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let pid = try #require(lines.first)
        #expect(pid != "\(getpid())")
        #expect(lines.last == "\(pid) \(pid)")
    }

    @Test("the child starts with no signal ignored or blocked, whatever flow ignores", arguments: RunnerKind.allCases)
    func defaultSignalDispositions(_ runner: RunnerKind) async throws {
        // An ignored disposition survives exec; a step must not inherit flow's (SIGPIPE here).
        signal(SIGPIPE, SIG_IGN)
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("grep -E '^Sig(Ign|Blk):' /proc/self/status", marker: ProcessTests.marker("signals")),
            recorder: recorder
        )
        #expect(outcome.termination == .exited(0))
        let masks = Dictionary(uniqueKeysWithValues: recorder.text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t")
            return (String(parts[0]), UInt64(parts.last ?? "", radix: 16) ?? .max)
        })
        #expect(masks["SigBlk:"] == 0)
        // Signals 1-31. (glibc's posix_spawn leaves its own two internal signals, 32 and 33,
        // ignored in every child it starts; no program can use them.)
        #expect(masks["SigIgn:"].map { $0 & 0x7fff_ffff } == 0)
    }

    @Test("output written after a long silence still arrives; each chunk is at most 64 KiB", arguments: RunnerKind.allCases)
    func chunking(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("head -c 300000 /dev/zero | tr '\\0' 'z'; printf end", marker: ProcessTests.marker("chunks")),
            recorder: recorder
        )
        #expect(outcome.termination == .exited(0))
        #expect(recorder.text == String(repeating: "z", count: 300_000) + "end")
        #expect(recorder.largestChunk <= 64 * 1024)
    }
}

@Suite("Process runner: output closed before exit")
struct OutputClosedEarlyTests {
    @Test("a child that closes fds 1 and 2 and keeps running is still waited for", arguments: RunnerKind.allCases)
    func closesOutputThenExits(_ runner: RunnerKind) async throws {
        let recorder = OutputRecorder()
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("echo before; exec >&- 2>&-; sleep 0.3; exit 5", marker: ProcessTests.marker("eof")),
            recorder: recorder
        )
        #expect(outcome == ProcessOutcome(termination: .exited(5)))
        #expect(recorder.text == "before\n")
    }

    @Test("a child that closed its output is still stopped by the timeout", arguments: RunnerKind.allCases)
    func closesOutputThenTimesOut(_ runner: RunnerKind) async throws {
        let marker = ProcessTests.marker("eof-timeout")
        let outcome = try await ProcessTests.run(on: runner,
            ProcessTests.shell("exec >&- 2>&-; exec sleep 999", marker: marker, timeout: .milliseconds(300))
        )
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(ProcessTests.survivors(of: marker).isEmpty)
    }
}
