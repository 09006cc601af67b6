import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One program ``ChildProcess`` started: its pid (also its process group's id), the read ends
/// of its standard output and error, and a stop pipe that wakes ``collect(outputLimit:errorLimit:)``
/// when the group has been killed.
final class RunningChild: Sendable {
    /// Why the group was killed before the program ended by itself.
    enum StopReason: Sendable { case timedOut, cancelled }

    private struct State {
        /// The leader has exited (it may still be unreaped): the group is no longer signalled.
        var exited = false
        var stop: StopReason?
    }

    let pid: pid_t
    private let standardOutput: Int32
    private let standardError: Int32
    private let stopRead: Int32
    private let stopWrite: Int32
    private let state = Mutex(State())

    private init(pid: pid_t, standardOutput: Int32, standardError: Int32, stopRead: Int32, stopWrite: Int32) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.stopRead = stopRead
        self.stopWrite = stopWrite
    }

    /// Starts `path` as the leader of a new process group, stdin `/dev/null`, stdout and
    /// stderr on pipes of ours.
    static func start(_ path: String, _ arguments: [String], name: String, environment: [String: String],
                      directory: String?) throws(ChildProcess.Failure) -> RunningChild {
        var opened: [Int32] = []
        func closeOpened() { for fd in opened { close(fd) } }
        func pipe() throws(ChildProcess.Failure) -> (read: Int32, write: Int32) {
            guard let ends = ChildSpawn.pipe() else {
                let reason = errnoText(errno)
                closeOpened()
                throw .spawnFailed(path: path, reason: "pipe: \(reason)")
            }
            opened += [ends.read, ends.write]
            return ends
        }
        let output = try pipe()
        let error = try pipe()
        let stop = try pipe()
        var pid: pid_t = 0
        let status = ChildSpawn.spawn(path, arguments, name: name, environment: environment, directory: directory,
                                      input: -1, output: output.write, error: error.write, newSession: false, pid: &pid)
        close(output.write)
        close(error.write)
        guard status == 0 else {
            close(output.read)
            close(error.read)
            close(stop.read)
            close(stop.write)
            throw .spawnFailed(path: path, reason: errnoText(status))
        }
        return RunningChild(pid: pid, standardOutput: output.read, standardError: error.read,
                            stopRead: stop.read, stopWrite: stop.write)
    }

    /// Why ``stop(_:)`` killed the group, or nil when the program ended by itself.
    var stopReason: StopReason? { state.withLock { $0.stop } }

    /// Kills the whole group (SIGKILL) and wakes ``collect(outputLimit:errorLimit:)``, unless the
    /// leader has already exited or the group was stopped before. Never blocks.
    func stop(_ reason: StopReason) {
        state.withLock { state in
            guard !state.exited, state.stop == nil else { return }
            state.stop = reason
            // The leader is not reaped yet (`exited` is set before reaping), so `pid` is still
            // this group's id.
            _ = kill(-pid, SIGKILL)
            var byte: UInt8 = 1
            _ = write(stopWrite, &byte, 1)
        }
    }

    /// Reads standard output and error to their end (or until ``stop(_:)``), waits for the
    /// leader to exit, reaps it and closes every descriptor. Blocks: call it off the
    /// cooperative pool, once.
    func collect(outputLimit: Int, errorLimit: Int) -> ChildProcess.Output {
        var output: [UInt8] = []
        var errorTail: [UInt8] = []
        var truncated = false
        var fds = [pollfd(fd: standardOutput, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: standardError, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        reading: while fds[0].fd >= 0 || fds[1].fd >= 0 {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            // Stopped: the group is dead; what it left unread no longer matters, and a
            // descendant that escaped the group must not keep us reading.
            if fds[2].revents != 0 { break reading }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    continue
                }
                let bytes = buffer[0..<count]
                if index == 0 {
                    let room = outputLimit - output.count
                    if count > room { truncated = true }
                    output.append(contentsOf: bytes.prefix(max(0, room)))
                } else {
                    errorTail.append(contentsOf: bytes)
                    // Keep the end only; trimmed in steps so a long stream is not copied per read.
                    if errorTail.count > 2 * errorLimit { errorTail.removeFirst(errorTail.count - errorLimit) }
                }
            }
        }
        for index in 0..<2 where fds[index].fd >= 0 { close(fds[index].fd) }
        if errorTail.count > errorLimit { errorTail.removeFirst(errorTail.count - errorLimit) }

        // Wait for the exit without reaping, so the group id stays ours until `exited` is set.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        state.withLock { $0.exited = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        ChildSpawn.reaped(pid)
        close(stopRead)
        close(stopWrite)

        let exited = status & 0x7f == 0
        return ChildProcess.Output(exitStatus: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                                   standardOutput: output, standardError: errorTail, outputTruncated: truncated)
    }
}
