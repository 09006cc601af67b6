import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `Fixtures/CodeBuild/codebuild_replay.py` on a free loopback port: answers StartBuild, and then
/// BatchGetBuilds from the recorded answers file named by the project (`failed`, `fault`,
/// `timed-out`, `stopped`, `succeeded`, `forever`), records every request, obeys StopBuild.
final class CodeBuildReplay: Sendable {
    let server: LoopbackServer
    private let control = CurlTransport(environment: [:])

    private init(server: LoopbackServer) { self.server = server }

    static func start() async throws -> CodeBuildReplay {
        let script = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/CodeBuild/codebuild_replay.py").path
        return CodeBuildReplay(server: try await LoopbackServer.announcing("python3", [script]))
    }

    var url: String { server.baseURL() }

    struct Request: Decodable {
        var operation: String
        var body: JSONValue

        /// StartBuild's `environmentVariablesOverride`: name → (value, type).
        var variables: [String: (value: String, type: String)] {
            guard case .array(let items)? = body["environmentVariablesOverride"] else { return [:] }
            var variables: [String: (value: String, type: String)] = [:]
            for item in items {
                if case .string(let name)? = item["name"], case .string(let value)? = item["value"], case .string(let type)? = item["type"] {
                    variables[name] = (value, type)
                }
            }
            return variables
        }
    }

    /// Every request so far, in order.
    func requests() async throws -> [Request] {
        struct Answer: Decodable { var requests: [Request] }
        return try JSONDecoder().decode(Answer.self, from: try await get("/_control/requests")).requests
    }

    /// Every request so far as the server recorded them: JSON text, for "this never went out" checks.
    func rawRequests() async throws -> String {
        String(decoding: try await get("/_control/requests"), as: UTF8.self)
    }

    func requests(_ operation: String) async throws -> [Request] {
        try await requests().filter { $0.operation == operation }
    }

    /// Makes the build answer SUCCEEDED from now on.
    func finish(_ buildID: String) async throws { _ = try await get("/_control/finish/" + buildID) }

    private func get(_ path: String) async throws -> Data {
        let client = HTTPClient(transport: control, clock: SystemTestClock(), retry: .never)
        let response = try await client.send(HTTPRequest(method: "GET", url: url + path))
        return response.body
    }

    func stop() { server.stop() }
}

/// Runs pipelines with `runs-on: codebuild` steps through the real engine: CodeBuild answered
/// by `codebuild` (moto or the replay server), CloudWatch Logs by moto, time by a manual clock
/// that moves at each wait (the polls' backoff costs nothing).
struct CodeBuildHarness {
    let engine: EngineHarness
    let environment: [String: String]
    let clock = ManualClock(autoAdvance: true)

    init(codebuild: String, moto: MotoServer, environment extra: [String: String] = [:]) throws {
        engine = try EngineHarness()
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        environment["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_ENDPOINT_URL"] = moto.endpoint
        environment["AWS_ENDPOINT_URL_CODEBUILD"] = codebuild
        for (key, value) in extra { environment[key] = value }
        self.environment = environment
    }

    struct Result {
        var status: RunStatus
        var steps: [String: StepRecord]
        var attempts: [AttemptRecord]
        var runID: String
        var logs: [String: String]
        var events: [EventRecord]

        func step(_ id: String) throws -> StepRecord { try #require(steps[id], "no step \(id)") }
        func outputs(_ id: String) -> [String: String] { steps[id]?.outputValues ?? [:] }
        func log(_ id: String) -> String { logs[id] ?? "" }
        func events(_ kind: String) -> [EventRecord] { events.filter { $0.kind.rawValue == kind } }
    }

    /// Runs `yaml` to its end; `whileRunning` runs alongside (to cancel it: `task.cancel()`).
    func run(_ yaml: String, whileRunning: (@Sendable (Task<RunStatus, Never>) async throws -> Void)? = nil) async throws -> Result {
        let plan = try engine.plan(yaml)
        let options = RunOptions(stateDirectory: engine.statePath, workingDirectory: engine.directory.url.path, environment: environment,
                                 gitSHA: nil, source: yaml, gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: environment, clock: clock))
        let coordinator = try RunCoordinator(plan: plan, database: engine.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: clock, options: options) { _ in }
        let task = Task { await coordinator.execute() }
        if let whileRunning { try await whileRunning(task) }
        let status = await task.value
        return try result(coordinator.runID, status: status)
    }

    func result(_ runID: String, status: RunStatus) throws -> Result {
        let steps = try engine.database.steps(of: runID)
        var logs: [String: String] = [:]
        for step in steps {
            let folder = engine.statePath + "/" + runID + "/" + RunID.directoryName(forStep: step.stepId)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
            logs[step.stepId] = files.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        }
        return Result(status: status, steps: Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) }),
                      attempts: try engine.database.attempts(of: runID), runID: runID, logs: logs,
                      events: try engine.database.events(of: runID))
    }

    func remove() { engine.directory.remove() }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}
