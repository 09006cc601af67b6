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
        try await status(id, at: dir.url)
    }

    /// `flow status [RUN] --json` run in `directory`, with `options` after it (`--state-dir`).
    static func status(_ id: String?, at directory: URL, _ options: [String] = [],
                       environment: [String: String]? = nil) async throws -> [String: Any] {
        let r = try await runFlow(["status"] + (id.map { [$0] } ?? []) + ["--json"] + options, environment: environment,
                                  currentDirectory: directory)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    /// Step id → its status object, from `flow status RUN --json`.
    static func steps(_ id: String, in dir: TemporaryDirectory) async throws -> [String: [String: Any]] {
        try steps(of: try await status(id, in: dir))
    }

    /// Step id → its status object, from a `flow status --json` object.
    static func steps(of status: [String: Any]) throws -> [String: [String: Any]] {
        let steps = try #require(status["steps"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: steps.map { ($0["id"] as? String ?? "", $0) })
    }

    /// The objects of a JSON-lines output (`flow run --json` events, `flow audit --json` rows).
    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
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
