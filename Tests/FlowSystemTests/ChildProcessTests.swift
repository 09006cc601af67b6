import FlowSystem
import Foundation
import Testing

@Suite("ChildProcess: run a program to completion, captured, bounded, killed with its group")
struct ChildProcessTests {
    static let environment = ["PATH": "/usr/bin:/bin"]

    @Test("standard output and error are captured apart, with the exit status")
    func outputAndStatus() async throws {
        let output = try await ChildProcess.run(["sh", "-c", "printf 'to out'; printf 'to err' >&2; exit 3"],
                                                environment: Self.environment, timeout: .seconds(60))
        #expect(output.exitStatus == 3)
        #expect(output.signal == nil)
        #expect(!output.succeeded)
        #expect(output.standardOutputText == "to out")
        #expect(output.standardErrorText == "to err")
        #expect(!output.outputTruncated)
    }

    @Test("a program ended by a signal reports the signal and no status")
    func signalled() async throws {
        let output = try await ChildProcess.run(["sh", "-c", "kill -TERM $$"], environment: Self.environment, timeout: nil)
        #expect(output.exitStatus == nil)
        #expect(output.signal == SIGTERM)
    }

    @Test("exactly the given environment, the given directory, standard input /dev/null")
    func environmentDirectoryAndInput() async throws {
        let output = try await ChildProcess.run(["sh", "-c", "cat; pwd; env"],
                                                environment: ["PATH": "/usr/bin:/bin", "FLOW_TEST_VALUE": "a b"],
                                                directory: "/usr", timeout: .seconds(60))
        // cat read nothing; pwd; then the environment: ours exactly, plus what sh itself sets.
        let lines = output.standardOutputText.split(separator: "\n").map(String.init)
        #expect(lines.first == "/usr")
        let variables = lines.dropFirst().filter { !$0.hasPrefix("PWD=") && !$0.hasPrefix("SHLVL=") && !$0.hasPrefix("_=") }
        #expect(variables.sorted() == ["FLOW_TEST_VALUE=a b", "PATH=/usr/bin:/bin"])
    }

    @Test("standard output is cut at its limit and the rest drained; standard error keeps its end")
    func bounded() async throws {
        let output = try await ChildProcess.run(
            ["sh", "-c", "head -c 300000 /dev/zero; i=0; while [ $i -lt 2000 ]; do echo line $i >&2; i=$((i+1)); done; echo END >&2"],
            environment: Self.environment, timeout: .seconds(60), outputLimit: 1000, errorLimit: 100)
        #expect(output.exitStatus == 0)
        #expect(output.outputTruncated)
        #expect(output.standardOutput.count == 1000)
        #expect(output.standardError.count <= 100)
        #expect(output.standardErrorText.hasSuffix("line 1999\nEND\n"))
    }

    @Test("a program that is not there is a lookup failure, and nothing is started")
    func notFound() async throws {
        await #expect(throws: ChildProcess.Failure.lookup(.notFound(name: "no-such-program-flow"))) {
            try await ChildProcess.run(["no-such-program-flow", "--flag"], environment: Self.environment, timeout: nil)
        }
        await #expect(throws: ChildProcess.Failure.lookup(.notExecutable(path: "/usr", reason: "is a directory"))) {
            try await ChildProcess.run(["/usr"], environment: Self.environment, timeout: nil)
        }
        await #expect(throws: ChildProcess.Failure.invalidCommand(reason: "no program given")) {
            try await ChildProcess.run([], environment: Self.environment, timeout: nil)
        }
        await #expect(throws: ChildProcess.Failure.self) {
            try await ChildProcess.run(["sh", "-c", "exit 0"], environment: Self.environment, directory: "/nonexistent", timeout: nil)
        }
    }

    @Test("at the timeout the whole group is killed, a grandchild included")
    func timeoutKillsTheGroup() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pidFile = folder.path + "/grandchild"
        // The "clock": the timeout comes once the grandchild has written its pid.
        let sleep: @Sendable (Duration) async throws -> Void = { _ in
            while ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        await #expect(throws: ChildProcess.Failure.timedOut(after: .seconds(5))) {
            try await ChildProcess.run(["sh", "-c", "sleep 300 & echo $! > \"$0\"; wait", pidFile],
                                       environment: Self.environment, timeout: .seconds(5), sleep: sleep)
        }
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await Self.ends(pid), "the grandchild outlived the timeout")
    }

    @Test("cancelling the caller kills the group and throws cancelled")
    func cancellationKillsTheGroup() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pidFile = folder.path + "/grandchild"
        let run = Task {
            try await ChildProcess.run(["sh", "-c", "sleep 300 & echo $! > \"$0\"; wait", pidFile],
                                       environment: Self.environment, timeout: nil)
        }
        while ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        run.cancel()
        await #expect(throws: ChildProcess.Failure.cancelled) { try await run.value }
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await Self.ends(pid), "the grandchild outlived the cancellation")
    }

    @Test("a program that ends before the timeout is not killed, and the timer is let go")
    func endsBeforeTheTimeout() async throws {
        // The "clock" never fires by itself; it notes when the run lets it go (cancels it).
        let released = Flag()
        let sleep: @Sendable (Duration) async throws -> Void = { _ in
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                released.set()
                throw error
            }
        }
        let output = try await ChildProcess.run(["sh", "-c", "echo done"], environment: Self.environment, timeout: .seconds(300), sleep: sleep)
        #expect(output.standardOutputText == "done\n")
        #expect(output.succeeded)
        for _ in 0..<500 where !released.isSet { try await Task.sleep(for: .milliseconds(10)) }
        #expect(released.isSet, "the timeout's timer was still waiting after the program ended")
    }

    /// A flag set from another task.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// Whether `pid` is gone (or a zombie waiting for whoever reaps orphans) within 5 s.
    static func ends(_ pid: Int32) async -> Bool {
        for _ in 0..<500 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return true }
            if stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
