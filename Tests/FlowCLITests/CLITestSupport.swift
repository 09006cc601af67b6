import Foundation
import Testing
import FlowTestSupport

/// Reading recorded runs through `flow runs --json` and `flow status --json`.
enum Runs {
    /// Every run in `dir`'s state directory, newest first, as `flow runs --json` prints them.
    static func list(in dir: TemporaryDirectory) async throws -> [[String: Any]] {
        let r = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    /// The id of the newest run.
    static func newestID(in dir: TemporaryDirectory) async throws -> String {
        try #require(try await list(in: dir).first?["id"] as? String)
    }

    /// `flow status RUN --json`.
    static func status(_ id: String, in dir: TemporaryDirectory) async throws -> [String: Any] {
        let r = try await runFlow(["status", id, "--json"], currentDirectory: dir.url)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Step id → its status object, from `flow status RUN --json`.
    static func steps(_ id: String, in dir: TemporaryDirectory) async throws -> [String: [String: Any]] {
        let steps = try #require(try await status(id, in: dir)["steps"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: steps.map { ($0["id"] as? String ?? "", $0) })
    }
}

extension TemporaryDirectory {
    /// The lines of a file in the directory (empty when it does not exist).
    func lines(_ name: String) -> [String] {
        guard let text = try? String(contentsOf: file(name), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Creates an empty file (the `go` flag steps wait for).
    func touch(_ name: String) {
        _ = FileManager.default.createFile(atPath: file(name).path, contents: nil)
    }
}

/// Waits until a process of `runID`'s steps exists (a step's start is printed just before its
/// process is spawned), for at most ten seconds; returns whether one did.
@discardableResult
func waitForStepProcesses(ofRun runID: String) async throws -> Bool {
    for _ in 0..<1000 {
        if !stepProcesses(ofRun: runID).isEmpty { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// Runs the built `flow` in `dir` under `timeout -s KILL`, so a hang fails the test (status
/// 137) instead of stalling the suite.
func runFlowOrKill(_ arguments: [String], in dir: TemporaryDirectory, seconds: Int = 30) async throws -> ProcessResult {
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    return try await onOwnThread { [environment] in
        try runProcess(URL(fileURLWithPath: "/usr/bin/timeout"), ["-s", "KILL", "\(seconds)", Repository.flowBinary.path] + arguments,
                       environment: environment, currentDirectory: dir.url)
    }
}
