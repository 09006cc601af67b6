import Foundation
import GRDB
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Runs pipelines with a `remediate` step through the real engine (real SQLite, real processes,
/// the standard HTTP and AWS clients), with runbooks and alarm files written into the workspace.
struct RemediateHarness {
    let engine: EngineHarness

    init() throws { engine = try EngineHarness() }

    var workspace: String { engine.directory.url.path }

    struct Result {
        var status: RunStatus
        var runID: String
        var steps: [String: StepRecord]
        /// The remediate step's outputs.
        var outputs: [String: String]
        /// Every log of the remediate step, attempts in order.
        var log: String
        var audit: [AuditRecord]
    }

    /// Writes `text` to `name` in the workspace.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try engine.directory.write(name, text).path
    }

    /// Runs `yaml`; its remediate step is called `remediate` unless told.
    func run(_ yaml: String, params: [String: String] = [:], environment extra: [String: String] = [:],
             step: String = "remediate") async throws -> Result {
        let plan = try engine.plan(yaml, params: params)
        let environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let options = RunOptions(stateDirectory: engine.statePath, workingDirectory: workspace, environment: environment,
                                 source: yaml, gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: environment, clock: RealClock()))
        let coordinator = try RunCoordinator(plan: plan, database: engine.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options) { _ in }
        let status = await coordinator.execute()
        let steps = try engine.database.steps(of: coordinator.runID)
        let folder = engine.statePath + "/" + coordinator.runID + "/" + step
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
        let log = logs.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        return Result(status: status, runID: coordinator.runID, steps: Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) }),
                      outputs: steps.first { $0.stepId == step }?.outputValues ?? [:], log: log,
                      audit: try engine.database.audits(of: coordinator.runID))
    }

    /// Every row of every table of the state database, as text.
    func databaseDump() throws -> String {
        try engine.database.writer.read { db in
            var text = ""
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") { text += table + ": " + row.description + "\n" }
            }
            return text
        }
    }

    /// Whether any file of the state directory holds `text`.
    func stateHolds(_ text: String) -> Bool { engine.stateHolds(text) }

    func remove() { engine.directory.remove() }
}

/// `webhook_server.py`: records every request it gets as a JSON line in a file.
final class WebhookServer: Sendable {
    let server: LoopbackServer
    let record: String

    init() async throws {
        let directory = try TemporaryDirectory()
        record = directory.file("requests.jsonl").path
        let script = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Remediate/webhook_server.py").path
        server = try await LoopbackServer.announcing("/usr/bin/python3", [script, "--record", record])
    }

    var url: String { server.baseURL() }

    struct Request: Decodable {
        var method: String
        var path: String
        var headers: [[String]]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0[0].lowercased() == name.lowercased() }?[1] }
    }

    var requests: [Request] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The raw bytes it recorded.
    var recorded: String { (try? String(contentsOfFile: record, encoding: .utf8)) ?? "" }

    func stop() { server.stop() }
}

/// A pipeline whose step `train` prints `log` and exits `code`, then `remediate` with `with`.
func failingPipeline(log: String = "training", code: Int = 1, with: String, extraSteps: String = "", params: String = "") -> String {
    """
    name: remediate-test
    \(params.isEmpty ? "" : "params:\n" + params)
    steps:
      train:
        run: |
          echo "\(log)"
          exit \(code)
    \(extraSteps)
      remediate:
        uses: remediate
        needs: [train]
        if: failure()
        with:
    \(with.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
    """
}
