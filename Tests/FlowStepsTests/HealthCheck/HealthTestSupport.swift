import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `health_server.py` on a free loopback port: the service the health checks check (routes that
/// are healthy, flap, are slow, answer a status, redirect, echo headers; HTTPS with a self-signed
/// certificate on request). One plain server is shared by the process; stopped when it ends.
final class HealthServer: Sendable {
    let server: LoopbackServer
    let tls: Bool
    private let control = CurlTransport(environment: [:])

    private init(tls: Bool) async throws {
        self.tls = tls
        let script = Repository.root.appendingPathComponent("Tests/FlowStepsTests/HealthCheck/health_server.py").path
        server = try await LoopbackServer.announcing("python3", [script] + (tls ? ["--tls", "self-signed"] : []))
    }

    static func start(tls: Bool = false) async throws -> HealthServer { try await HealthServer(tls: tls) }
    static func shared() async throws -> HealthServer { try await sharedServer.get() }
    private static let sharedServer = StartedOnce { try await HealthServer.start() }

    var url: String { server.baseURL(scheme: tls ? "https" : "http") }
    func url(_ path: String) -> String { url + path }

    /// Requests the server counted under `key`.
    func count(_ key: String) async throws -> Int {
        let response = try await control.perform(HTTPRequest(url: url("/_control/count/\(key)"), insecure: tls)).requireSuccess()
        return try JSONDecoder().decode([String: Int].self, from: response.body)["count"] ?? -1
    }

    func stop() { server.stop() }
}

/// Runs pipelines through the real engine with the standard HTTP client and a clock that jumps
/// over every wait at once (`ManualClock(autoAdvance:)`), so tries and backoff take no time.
struct HealthHarness {
    let engine: EngineHarness
    let clock = ManualClock(autoAdvance: true)

    init() throws { engine = try EngineHarness() }

    struct Result {
        var status: RunStatus
        var steps: [String: StepRecord]
        var logs: [String: String]
        var runID: String

        func step(_ id: String = "health") throws -> StepRecord { try #require(steps[id]) }
        func outputs(_ id: String = "health") -> [String: String] { steps[id]?.outputValues ?? [:] }
        func log(_ id: String = "health") -> String { logs[id] ?? "" }
        func error(_ id: String = "health") -> String { steps[id]?.error ?? "" }
    }

    func run(_ yaml: String, environment extra: [String: String] = [:]) async throws -> Result {
        let plan = try engine.plan(yaml)
        let environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let options = RunOptions(stateDirectory: engine.statePath, workingDirectory: engine.directory.url.path, environment: environment,
                                 gitSHA: nil, source: yaml, gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: environment, clock: clock))
        let coordinator = try RunCoordinator(plan: plan, database: engine.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: clock, options: options) { _ in }
        let status = await coordinator.execute()
        let records = try engine.database.steps(of: coordinator.runID)
        var logs: [String: String] = [:]
        for record in records {
            let folder = engine.statePath + "/" + coordinator.runID + "/" + record.stepId
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
            logs[record.stepId] = files.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        }
        return Result(status: status, steps: Dictionary(uniqueKeysWithValues: records.map { ($0.stepId, $0) }), logs: logs,
                      runID: coordinator.runID)
    }

    /// Whether any file of the state directory holds `text`.
    func stateHolds(_ text: String) -> Bool { engine.stateHolds(text) }

    func remove() { engine.directory.remove() }
}

/// A counter key no other test uses.
func healthKey(_ name: String = #function) -> String {
    "\(name.prefix { $0 != "(" })-\(UUID().uuidString.prefix(8))"
}
