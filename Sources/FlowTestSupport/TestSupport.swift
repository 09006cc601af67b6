import Foundation
import FlowCore
import FlowEngine
import FlowSteps

/// Paths of the repository the tests run in, found from this source file's location.
public enum Repository {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/FlowCoreTests/Fixtures/<sub>`.
    public static func fixtures(_ sub: String) -> URL {
        root.appendingPathComponent("Tests/FlowCoreTests/Fixtures").appendingPathComponent(sub)
    }

    /// The `flow` executable SwiftPM built next to the test bundle.
    public static var flowBinary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flow")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return root.appendingPathComponent(".build/debug/flow")
    }
}

/// Validation options for tests: the built-in catalog and the system's time zone database.
/// `includes`: sub-pipeline files by path (`pipelines/x.yml` for `uses: ./pipelines/x.yml`).
public func testValidationOptions(catalog: StepCatalog = .builtins, includes: [String: String] = [:]) -> ValidationOptions {
    ValidationOptions(catalog: catalog, isKnownTimeZone: { TimeZone(identifier: $0) != nil }, readInclude: { reference, _ in
        let path = String(reference.dropFirst(2))
        guard let text = includes[path] else { return .problem("\(path): No such file or directory") }
        return .file(path: path, key: path, bytes: Array(text.utf8))
    })
}

extension StepRegistry {
    /// flow's built-in step types, as the CLI registers them.
    public static var builtins: StepRegistry { BuiltinSteps.registry }
}

extension StepCatalog {
    /// The signatures of flow's built-in step types.
    public static var builtins: StepCatalog { BuiltinSteps.registry.catalog }
}

/// A directory under the system temp dir, removed when `remove()` is called.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    public func write(_ name: String, _ text: String) throws -> URL {
        let f = file(name)
        try FileManager.default.createDirectory(at: f.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: f)
        return f
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// Standard output's bytes as written.
    public var output: Data
    public var stderr: String

    /// Standard output as text.
    public var stdout: String { String(decoding: output, as: UTF8.self) }
}

/// Runs a real child process to completion, capturing both output streams.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                       currentDirectory: URL? = nil) throws -> ProcessResult {
    let out = try ChildPipe(), err = try ChildPipe()
    let process = try ChildProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory,
                                   standardOutput: .pipe(out), standardError: .pipe(err))
    // Read both pipes concurrently so neither fills up and blocks the child.
    nonisolated(unsafe) var errData = Data()
    let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return ProcessResult(status: process.terminationStatus, output: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs blocking work (waiting for a process or a server) on a thread of its own and awaits
/// it. The test runner's cooperative pool has as many threads as cores (two here); a test
/// blocking one would stall every other test's timers and tasks meanwhile.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Runs the built `flow` binary.
/// Waited for on a thread of its own (see ``onOwnThread(_:)``), so the tests' cooperative
/// threads stay free while `flow` runs.
public func runFlow(_ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil) async throws -> ProcessResult {
    var env = environment ?? ProcessInfo.processInfo.environment
    env["NO_COLOR"] = env["NO_COLOR"] ?? "1"
    let directory = currentDirectory ?? Repository.root
    return try await onOwnThread { [env] in try runProcess(Repository.flowBinary, arguments, environment: env, currentDirectory: directory) }
}

/// Runs a child with output discarded and returns its exit status and peak resident set size,
/// measured by GNU time (`%M`), which forks a fresh process for it. (posix_spawn from this test
/// process would not do: glibc spawns with CLONE_VM, and Linux then charges this process's own
/// high-water RSS to the child's `maxrss`.) The figure includes the child's reaped descendants.
public func runMeasuringPeakMemory(_ executable: URL, _ arguments: [String], currentDirectory: URL) throws -> (status: Int32, peakBytes: Int) {
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("flow-rss-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: report) }
    let result = try runProcess(URL(fileURLWithPath: "/usr/bin/time"), ["-f", "%M", "-o", report.path, executable.path] + arguments,
                                currentDirectory: currentDirectory)
    let text = try String(contentsOf: report, encoding: .utf8)
    guard let kilobytes = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
        throw HarnessError("cannot read GNU time's report: \(text)")
    }
    return (result.status, kilobytes * 1024)
}

/// Starts the built `flow` binary in the background and returns once its standard output has
/// printed `line` (or it ended first). For tests that interrupt or kill a run in the middle.
/// `includingStandardError` reads standard error too, for lines flow prints there (waiting
/// for a concurrency group).
public func startFlow(_ arguments: [String], currentDirectory: URL, waitingFor line: String,
                      includingStandardError: Bool = false, environment: [String: String]? = nil) async throws -> ChildProcess {
    try await onOwnThread {
        try startFlowBlocking(arguments, currentDirectory: currentDirectory, waitingFor: line, includingStandardError: includingStandardError,
                              environment: environment)
    }
}

private func startFlowBlocking(_ arguments: [String], currentDirectory: URL, waitingFor line: String,
                               includingStandardError: Bool, environment given: [String: String]?) throws -> ChildProcess {
    var environment = given ?? ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    let out = try ChildPipe()
    let process = try ChildProcess(Repository.flowBinary, arguments, environment: environment, currentDirectory: currentDirectory,
                                   standardOutput: .pipe(out), standardError: includingStandardError ? .pipe(out) : .null)
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains(line) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }  // flow ended first: the caller's expectations will say so
        seen.append(chunk)
    }
    // The rest is read and dropped until flow closes its end, so flow never blocks on a full
    // pipe nor dies of SIGPIPE (children start with every signal at its default).
    Thread { _ = out.fileHandleForReading.readDataToEndOfFile() }.start()
    return process
}

/// Pids of live processes whose environment holds a `FLOW_STEP_ID` marker of `runID`
/// (`<run-id>/<step-id>/<attempt>`): the step processes of that run. Zombies have an empty
/// environment and do not count.
public func stepProcesses(ofRun runID: String) -> [Int32] {
    let prefix = Array("FLOW_STEP_ID=\(runID)/".utf8)
    let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    return pids.filter { pid in
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return environ.split(separator: 0).contains { $0.starts(with: prefix) }
    }
}
