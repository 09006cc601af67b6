import CFlowSystem
import FlowCore
import Foundation
import Glibc

/// Runs one short-lived program to completion and captures what it prints: enough for a
/// `credential_process`. The child gets its own process group, so a timeout or a cancelled
/// caller kills it and anything it started; standard input is `/dev/null`.
enum ChildProcess {
    struct Result: Sendable {
        /// The exit status, or nil when a signal ended it (`signal`).
        var status: Int32?
        var signal: Int32?
        var stdout: Data
        var stderr: Data
        /// Standard output was longer than the limit and was cut.
        var truncated: Bool
    }

    enum Failure: Error, Equatable {
        case notFound(String)
        case spawn(String, reason: String)
        case timedOut
    }

    static let outputLimit = 1 << 20

    /// Runs `arguments[0]` (looked up on the `PATH` of `environment` when it has no `/`) with
    /// `environment`, waiting at most `timeout` on `clock`.
    static func run(_ arguments: [String], environment: [String: String], timeout: Duration,
                    clock: any FlowClock) async throws -> Result {
        guard let program = arguments.first else { throw Failure.notFound("") }
        guard let path = locate(program, path: environment["PATH"]) else { throw Failure.notFound(program) }
        let spawned = try spawn(path, arguments, environment: environment)
        let child = spawned.child

        enum Event: Sendable { case exited(Result), timedOut }
        return try await withThrowingTaskGroup(of: Event.self) { group in
            group.addTask {
                .exited(await withCheckedContinuation { continuation in
                    DispatchQueue.global().async { continuation.resume(returning: collect(spawned)) }
                })
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                return .timedOut
            }
            var result: Result?
            var timedOut = false
            var failure: (any Error)?
            while result == nil {
                do {
                    switch try await group.next() {
                    case .exited(let finished): result = finished
                    case .timedOut: timedOut = true; kill(-child, SIGKILL)
                    case nil: break
                    }
                } catch {
                    failure = error
                    kill(-child, SIGKILL)
                }
            }
            group.cancelAll()
            if let failure { throw failure }
            if timedOut { throw Failure.timedOut }
            return result!
        }
    }

    /// The program's path: itself when it has a `/`, else the first executable of that name
    /// in `path` (`/usr/bin:/bin` when unset), like `execvp`.
    static func locate(_ program: String, path: String?) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    struct Spawned: Sendable {
        var child: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    private static func spawn(_ path: String, _ arguments: [String], environment: [String: String]) throws -> Spawned {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        // Socket pairs rather than pipes: they can be made close-on-exec atomically from Swift
        // (`pipe2` is not visible), so no other child spawned meanwhile inherits a write end.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &out) == 0 else {
            throw Failure.spawn(path, reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        guard socketpair(AF_UNIX, type, 0, &err) == 0 else {
            let reason = String(cString: strerror(errno))
            close(out[0]); close(out[1])
            throw Failure.spawn(path, reason: "socketpair: \(reason)")
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // flow's one spawn: own process group, every signal at its default, stdin /dev/null,
        // every other descriptor closed, and recorded as flow's own child (so a sweep for
        // orphans during a run never takes it for one).
        var pid: pid_t = 0
        let status = flow_spawn_child(&pid, path, argv, envp, nil, -1, out[1], err[1], 0, 0)
        close(out[1])
        close(err[1])
        guard status == 0 else {
            close(out[0]); close(err[0])
            throw Failure.spawn(path, reason: String(cString: strerror(status)))
        }
        return Spawned(child: pid, stdout: out[0], stderr: err[0])
    }

    /// Reads both streams to their end, then reaps the child. Blocks: runs off the cooperative pool.
    private static func collect(_ spawned: Spawned) -> Result {
        var stdout = Data()
        var stderr = Data()
        var truncated = false
        var fds = [pollfd(fd: spawned.stdout, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: spawned.stderr, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while fds.contains(where: { $0.fd >= 0 }) {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    continue
                }
                let bytes = buffer[0..<count]
                if index == 0 {
                    let room = outputLimit - stdout.count
                    if count > room { truncated = true }
                    stdout.append(contentsOf: bytes.prefix(max(0, room)))
                } else {
                    stderr.append(contentsOf: bytes)
                    if stderr.count > 16 << 10 { stderr = stderr.suffix(8 << 10) }
                }
            }
        }
        for fd in fds where fd.fd >= 0 { close(fd.fd) }
        var status: Int32 = 0
        while waitpid(spawned.child, &status, 0) < 0 && errno == EINTR {}
        flow_child_reaped(spawned.child)
        let exited = status & 0x7f == 0
        return Result(status: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                      stdout: stdout, stderr: stderr, truncated: truncated)
    }
}
