import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// Every place a run's text can end up, read as bytes, for tests that plant secret values and
/// look for them: what the commands printed (the terminal and `--json` events), the JUnit
/// reports, every file under the state directory (the logs, `flow.db` and its `-wal`), and what
/// `flow status`, `flow status --json`, `flow runs --json` and `flow logs` print afterwards.
struct SecretSinks {
    let dir: TemporaryDirectory
    /// Kept open from before the first run until the sinks are read, so the last `flow` to close
    /// the database cannot checkpoint and delete its WAL: the WAL's bytes are read too.
    private let holder: RunDatabase
    private(set) var sinks: [(name: String, bytes: Data)] = []

    init(_ dir: TemporaryDirectory) throws {
        self.dir = dir
        try FileManager.default.createDirectory(at: dir.file("runs"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        holder = try RunDatabase(path: dir.file("runs/flow.db").path)
    }

    /// Runs `flow` in the workspace and keeps what it printed as two sinks.
    mutating func flow(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
        let result = try await runFlow(arguments, environment: environment, currentDirectory: dir.url)
        let name = arguments.joined(separator: " ")
        sinks.append(("stdout of flow \(name)", result.output))
        sinks.append(("stderr of flow \(name)", Data(result.stderr.utf8)))
        return result
    }

    /// Reads everything a run left behind: the files named (reports), every file under the state
    /// directory, and the state commands' output for every run. Expects the database and its WAL
    /// to be among the files.
    mutating func collect(reports: [String] = []) async throws {
        for report in reports { sinks.append((report, try Data(contentsOf: dir.file(report)))) }
        let state = dir.file("runs")
        var names: [String] = []
        for case let file as String in FileManager.default.enumerator(atPath: state.path)! {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: state.appendingPathComponent(file).path, isDirectory: &isDirectory),
                  !isDirectory.boolValue else { continue }
            names.append(file)
            sinks.append((file, try Data(contentsOf: state.appendingPathComponent(file))))
        }
        #expect(names.contains("flow.db") && names.contains("flow.db-wal"), "\(names)")
        #expect(names.contains { $0.hasSuffix(".log") }, "\(names)")
        for run in try holder.runs(limit: 100) {
            for command in [["status", run.id, "--json"], ["status", run.id], ["logs", run.id]] {
                _ = try await flow(command)
            }
        }
        _ = try await flow(["runs", "--json"])
        withExtendedLifetime(holder) {}
    }

    /// Expects no sink to hold any of `values` (raw bytes).
    func expectNone(of values: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for value in values {
            for sink in sinks where sink.bytes.range(of: Data(value.utf8)) != nil {
                Issue.record("`\(value)` is in \(sink.name)", sourceLocation: sourceLocation)
            }
        }
    }

    /// The text of the first sink whose name starts with `prefix`.
    func text(_ prefix: String) -> String {
        sinks.first { $0.name.hasPrefix(prefix) }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
    }
}
