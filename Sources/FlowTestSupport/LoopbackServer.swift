import FlowSystem
import Foundation
import Glibc

/// A real server a test starts on a free loopback port and stops: a script of ours that
/// binds port 0 and announces itself with a line `READY <port>` on standard output, or a
/// program told its port (`moto_server`), waited for until it accepts connections. Every
/// server runs under `Tests/Servers/parent_watch.py`, which stops it when this test process
/// ends, even by a crash or SIGKILL, so no server outlives the suite.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    public let process: ChildProcess
    /// Everything the server printed to standard error, for failure messages.
    private let errorLog: URL
    /// The write end of the watcher's standard input, held open while the server should live.
    private let lifeline: ChildPipe
    /// The lines an announcing server printed before `READY <port>`.
    public private(set) var announcement: [String] = []

    /// `http://127.0.0.1:<port>` (or https when the caller says so).
    public func baseURL(scheme: String = "http") -> String { "\(scheme)://127.0.0.1:\(port)" }

    private init(port: Int, launched: Launched) {
        self.port = port
        process = launched.process
        errorLog = launched.errorLog
        lifeline = launched.lifeline
    }

    /// Runs `executable arguments…`, which must print `READY <port>` once it listens.
    public static func announcing(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                                  within seconds: Double = 30) async throws -> LoopbackServer {
        // Waiting for a server blocks, so it happens on a thread of its own.
        try await onOwnThread { try announcingBlocking(executable, arguments, environment: environment, within: seconds) }
    }

    private static func announcingBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                           within seconds: Double) throws -> LoopbackServer {
        let launched = try launch(executable, arguments, environment: environment, stdoutPipe: true)
        let (process, errorLog) = (launched.process, launched.errorLog)
        let handle = launched.output!.fileHandleForReading
        var seen = Data()
        var announced: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let newline = seen.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: seen[..<newline], as: UTF8.self)
                if line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) {
                    let server = LoopbackServer(port: port, launched: launched)
                    server.announcement = announced
                    return server
                }
                announced.append(line)
                seen.removeSubrange(...newline)
                continue
            }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        process.terminate()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        throw HarnessError("\(executable) \(arguments.joined(separator: " ")) did not announce its port: \(stderr)")
    }

    /// Runs a program that takes its port as an argument (`{port}` in `arguments` is
    /// replaced by a free one) and waits until 127.0.0.1:<port> accepts a connection.
    public static func listening(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                                 within seconds: Double = 60) async throws -> LoopbackServer {
        try await onOwnThread { try listeningBlocking(executable, arguments, environment: environment, within: seconds) }
    }

    private static func listeningBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                          within seconds: Double) throws -> LoopbackServer {
        let port = try freePort()
        let launched = try launch(executable, arguments.map { $0.replacingOccurrences(of: "{port}", with: "\(port)") },
                                  environment: environment, stdoutPipe: false)
        let (process, errorLog) = (launched.process, launched.errorLog)
        let server = LoopbackServer(port: port, launched: launched)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !process.isRunning { break }
            if canConnect(port: port) { return server }
            usleep(50_000)
        }
        let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        server.stop()
        throw HarnessError("\(executable) did not accept connections on port \(port) within \(seconds) s: \(stderr.suffix(2000))")
    }

    /// Stops the server (SIGTERM, then SIGKILL) and waits for it.
    public func stop() {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: errorLog)
    }

    /// What the server wrote to standard error so far.
    public var standardError: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

    deinit { if process.isRunning { stop() } }

    private struct Launched {
        var process: ChildProcess
        var output: ChildPipe?
        var errorLog: URL
        var lifeline: ChildPipe
    }

    private static func launch(_ executable: String, _ arguments: [String], environment: [String: String]?,
                               stdoutPipe: Bool) throws -> Launched {
        let program = executable.hasPrefix("/") ? executable : try which(executable)
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("flow-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errorLog)
        defer { try? errorHandle.close() }
        let lifeline = try ChildPipe()
        let pipe = stdoutPipe ? try ChildPipe() : nil
        let process = try ChildProcess(URL(fileURLWithPath: try which("python3")),
                                       [Repository.root.appendingPathComponent("Tests/Servers/parent_watch.py").path, program] + arguments,
                                       environment: environment, standardInput: .pipe(lifeline),
                                       standardOutput: pipe.map { .pipe($0) } ?? .null, standardError: .handle(errorHandle))
        return Launched(process: process, output: pipe, errorLog: errorLog, lifeline: lifeline)
    }

    /// A loopback port that refuses connections for as long as the value lives: a socket
    /// bound to it and never listening, so no server started meanwhile can take it (as one
    /// could a port from `freePort()`, which is free only at the moment it is read).
    public final class ClosedPort: @unchecked Sendable {
        public let port: Int
        private let fd: Int32

        public init() throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
            do { port = try LoopbackServer.bindToAnyPort(fd) } catch { close(fd); throw error }
        }

        deinit { close(fd) }
    }

    /// A port nobody listens on right now (bound to 0, read back, closed).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try bindToAnyPort(fd)
    }

    /// Binds `fd` to 127.0.0.1 on a port the kernel picks, and returns the port.
    static func bindToAnyPort(_ fd: Int32) throws -> Int {
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func which(_ name: String) throws -> String {
        do {
            return try ExecutableLookup.resolve(name, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw HarnessError("\(name) is not on PATH (\(error)); script/setup installs it")
        }
    }
}
