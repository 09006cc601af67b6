import FlowEngine
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Records everything a run prints (for small outputs) plus chunk statistics.
final class OutputRecorder: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var chunkCount = 0
        var largestChunk = 0
    }
    private let state = Mutex(State())
    private let onChunk: @Sendable () -> Void

    init(onChunk: @escaping @Sendable () -> Void = {}) {
        self.onChunk = onChunk
    }

    var handler: OutputHandler {
        { chunk in
            self.state.withLock { state in
                state.bytes.append(contentsOf: chunk)
                state.chunkCount += 1
                state.largestChunk = max(state.largestChunk, chunk.count)
            }
            self.onChunk()
        }
    }

    var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
    var largestChunk: Int { state.withLock { $0.largestChunk } }
}

/// Counts output without keeping it; compares every byte with the expected one (with
/// `memcmp`, so that 200 MB are checked quickly in a debug build too).
final class OutputCounter: Sendable {
    private struct State {
        var total = 0
        var chunkCount = 0
        var largestChunk = 0
        var emptyChunks = 0
        var unexpectedChunks = 0
    }
    private let state = Mutex(State())
    private let reference: [UInt8]

    init(expectedByte: UInt8) {
        self.reference = [UInt8](repeating: expectedByte, count: 64 * 1024)
    }

    var handler: OutputHandler {
        { chunk in
            let expected = chunk.count <= self.reference.count && chunk.withUnsafeBytes { bytes in
                self.reference.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, bytes.count) == 0 }
            }
            self.state.withLock { state in
                state.total += chunk.count
                state.chunkCount += 1
                state.largestChunk = max(state.largestChunk, chunk.count)
                if chunk.isEmpty { state.emptyChunks += 1 }
                if !expected { state.unexpectedChunks += 1 }
            }
        }
    }

    var total: Int { state.withLock { $0.total } }
    var chunkCount: Int { state.withLock { $0.chunkCount } }
    var largestChunk: Int { state.withLock { $0.largestChunk } }
    var emptyChunks: Int { state.withLock { $0.emptyChunks } }
    /// Chunks with a byte other than the expected one (or larger than 64 KiB).
    var unexpectedChunks: Int { state.withLock { $0.unexpectedChunks } }
}

/// The two process runners: every process test runs against both, since either may be the
/// one flow uses (``ProcessRunners/standard``).
enum RunnerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case spawn = "SpawnRunner"
    case subprocess = "SubprocessRunner"

    func make() -> any ProcessRunner {
        switch self {
        case .spawn: SpawnRunner()
        case .subprocess: SubprocessRunner()
        }
    }

    var testDescription: String { rawValue }
}

/// Specs, markers and an independent look at /proc for the process tests.
enum ProcessTests {
    static let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]

    private static let counter = Atomic<Int>(0)

    /// A marker no other test (or test run) uses.
    static func marker(_ name: String) -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "flow-test/\(getpid())/\(name)/\(n)/\(UInt32.random(in: 0...UInt32.max))"
    }

    /// `/bin/sh -c script` with the test environment.
    static func shell(
        _ script: String,
        marker: String,
        timeout: Duration? = nil,
        grace: Duration = .milliseconds(300)
    ) -> ProcessSpec {
        ProcessSpec(
            executable: "/bin/sh",
            arguments: ["-c", script],
            environment: environment,
            marker: marker,
            timeout: timeout,
            gracePeriod: grace
        )
    }

    /// Runs `spec` on `runner`, recording the output.
    static func run(on runner: RunnerKind, _ spec: ProcessSpec, recorder: OutputRecorder = OutputRecorder()) async throws -> ProcessOutcome {
        try await runner.make().run(spec, output: recorder.handler)
    }

    // MARK: - /proc, read independently of the code under test

    static func processIDs() -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = pid_t(name) { pids.append(pid) }
        }
        return pids
    }

    static func readAll(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return result }
            result.append(contentsOf: buffer[0..<n])
        }
    }

    /// Processes (zombies excluded: their environ is empty) with `FLOW_STEP_ID=<marker>`.
    static func survivors(of marker: String) -> [pid_t] {
        let wanted = Array("FLOW_STEP_ID=\(marker)".utf8)
        return processIDs().filter { pid in
            guard let environ = readAll("/proc/\(pid)/environ") else { return false }
            return environ.split(separator: 0).contains { Array($0) == wanted }
        }
    }

    /// Members of process group `group` that are not zombies.
    static func liveGroupMembers(_ group: pid_t) -> [pid_t] {
        processIDs().filter { pid in
            guard let stat = readAll("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return false }
            let fields = stat[(close + 2)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 2, let pgrp = pid_t(String(decoding: fields[2], as: UTF8.self)) else { return false }
            return pgrp == group && fields[0].first != UInt8(ascii: "Z")
        }
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = readAll("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return false }
        let state = stat[(close + 2)...].first
        return state != nil && state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }

    /// Whether `pid` is a zombie child of this process (one the runner failed to reap).
    static func isOurZombie(_ pid: pid_t) -> Bool {
        guard let stat = readAll("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return false }
        let fields = stat[(close + 2)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return false }
        return fields[0].first == UInt8(ascii: "Z") && pid_t(String(decoding: fields[1], as: UTF8.self)) == getpid()
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attos) = duration.components
        return Double(s) + Double(attos) / 1e18
    }
}
