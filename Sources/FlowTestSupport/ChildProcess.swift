import FlowEngine
import FlowSystem
import Foundation

/// A child process for tests, in the shape of Foundation's `Process` (`processIdentifier`,
/// `isRunning`, `waitUntilExit()`, `terminationStatus`, `terminationReason`, `terminate()`), but
/// spawned through ``ChildSpawn`` with every other descriptor closed, and waited for with
/// `waitpid(2)`.
///
/// Why not `Process`: on Linux it creates a socket pair per child without close-on-exec and
/// learns of the child's exit only when that socket closes. A second `Process` started on
/// another thread at that moment inherits the socket, so `waitUntilExit()` on the first waits
/// until the second ends too, and it spins a run loop on the calling thread meanwhile. With
/// tests starting servers and `flow` processes in parallel, that turned into waits of tens of
/// seconds and, once, a hang: two cooperative threads spinning on servers whose sockets other
/// servers held, whose tests could not run to stop them.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream {
        /// /dev/null.
        case null
        /// The write end (for output) or read end (for input) of `pipe`; the parent's copy of
        /// that end is closed once the child is started.
        case pipe(ChildPipe)
        /// A descriptor of the parent's, left open (a file the caller owns).
        case handle(FileHandle)
    }

    /// How the child ended: by exiting, or by a signal it did not catch (as Foundation's `Process` says it).
    public enum TerminationReason: Sendable, Hashable {
        /// It exited (``terminationStatus`` is its exit status).
        case exit
        /// A signal ended it (``terminationStatus`` is the signal's number).
        case uncaughtSignal
    }

    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var ended: (status: Int32, reason: TerminationReason)?

    /// Starts `executable` with `arguments`; `environment` nil means this process's.
    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
                standardInput: Stream = .null, standardOutput: Stream = .null, standardError: Stream = .null) throws {
        func descriptor(_ stream: Stream, input: Bool) -> Int32 {
            switch stream {
            case .null: -1
            case .pipe(let pipe): input ? pipe.readEnd : pipe.writeEnd
            case .handle(let handle): handle.fileDescriptor
            }
        }
        var pid: pid_t = 0
        let error = ChildSpawn.spawn(executable.path, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                                     directory: currentDirectory?.path, input: descriptor(standardInput, input: true),
                                     output: descriptor(standardOutput, input: false), error: descriptor(standardError, input: false),
                                     newSession: false, pid: &pid)
        for case .pipe(let pipe) in [standardOutput, standardError] { pipe.closeWriteEnd() }
        if case .pipe(let pipe) = standardInput { pipe.closeReadEnd() }
        guard error == 0 else { throw HarnessError("cannot start \(executable.path): \(String(cString: strerror(error)))") }
        processIdentifier = pid
    }

    deinit {
        // Reap it if it already ended, so finished tests leave no zombies; never block here.
        if ended == nil {
            var status: Int32 = 0
            if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier { ChildSpawn.reaped(processIdentifier) }
        }
    }

    /// Whether it has not ended yet. Looks without reaping (`WNOWAIT`).
    public var isRunning: Bool {
        if lock.withLock({ ended != nil }) { return false }
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT)
        // 0 with no pid: still running. -1 (ECHILD): reaped by a waiter on another thread.
        return result == 0 && info._sifields._kill.si_pid == 0
    }

    /// Blocks until it ends (and reaps it).
    public func waitUntilExit() {
        lock.withLock {
            guard ended == nil else { return }
            var status: Int32 = 0
            while waitpid(processIdentifier, &status, 0) < 0 && errno == EINTR {}
            ChildSpawn.reaped(processIdentifier)
            let signal = status & 0x7f
            ended = signal == 0 ? ((status >> 8) & 0xff, .exit) : (signal, .uncaughtSignal)
        }
    }

    /// Waits until it ends (and reaps it) on a thread of its own, so an async test's
    /// cooperative thread stays free meanwhile.
    public func exited() async {
        _ = try? await onOwnThread { [self] in waitUntilExit() }
    }

    /// Its exit status, or the signal that ended it (as `Process` reports them); waits for it.
    public var terminationStatus: Int32 {
        waitUntilExit()
        return lock.withLock { ended!.status }
    }

    /// Whether it exited or a signal ended it; waits for it.
    public var terminationReason: TerminationReason {
        waitUntilExit()
        return lock.withLock { ended!.reason }
    }

    /// Sends SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }
}

/// A close-on-exec pipe for a ``ChildProcess``'s standard stream: the child gets one end, the
/// test reads or writes the other through `fileHandleForReading` / `fileHandleForWriting`.
public final class ChildPipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32
    public let fileHandleForReading: FileHandle
    public let fileHandleForWriting: FileHandle

    public init() throws {
        guard let ends = ChildSpawn.pipe() else { throw HarnessError("pipe2: \(String(cString: strerror(errno)))") }
        (readEnd, writeEnd) = ends
        fileHandleForReading = FileHandle(fileDescriptor: readEnd, closeOnDealloc: true)
        fileHandleForWriting = FileHandle(fileDescriptor: writeEnd, closeOnDealloc: true)
    }

    func closeWriteEnd() { try? fileHandleForWriting.close() }
    func closeReadEnd() { try? fileHandleForReading.close() }
}

/// Writes an executable file (mode 0755) that a test is about to run. The bytes are copied into
/// place by a child (`install`), so this process never holds a writable descriptor of the file
/// a test then executes: a child another thread forks meanwhile would inherit that descriptor
/// until its exec, and running the file then fails with ETXTBSY ("Text file busy").
public func writeExecutable(_ text: String, to path: String) throws {
    let source = path + ".source"
    try Data(text.utf8).write(to: URL(fileURLWithPath: source))
    defer { try? FileManager.default.removeItem(atPath: source) }
    let result = try runProcess(URL(fileURLWithPath: "/usr/bin/install"), ["-m", "0755", source, path])
    guard result.status == 0 else { throw HarnessError("install \(path): \(result.stderr)") }
}
