import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Runs pipelines of `push` steps through the real engine with the standard HTTP and AWS
/// clients, and makes small real images with buildah for them to push.
struct PushHarness {
    let engine: EngineHarness

    init() throws { engine = try EngineHarness() }

    struct Result {
        var status: RunStatus
        var step: StepRecord
        var outputs: [String: String]
        var log: String
        var runID: String
    }

    /// Runs `yaml` (with its step called `push`) with `environment` added to the test's.
    func run(_ yaml: String, environment extra: [String: String] = [:], gitSHA: String? = nil) async throws -> Result {
        let plan = try engine.plan(yaml)
        let environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let options = RunOptions(stateDirectory: engine.statePath, workingDirectory: engine.directory.url.path, environment: environment,
                                 gitSHA: gitSHA, source: yaml, gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: environment, clock: RealClock()))
        let coordinator = try RunCoordinator(plan: plan, database: engine.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options) { _ in }
        let status = await coordinator.execute()
        let steps = try engine.database.steps(of: coordinator.runID)
        let step = try #require(steps.first { $0.stepId == "push" })
        let runFolder = engine.statePath + "/" + coordinator.runID + "/push"
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: runFolder))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
        let log = logs.compactMap { try? String(contentsOfFile: runFolder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        return Result(status: status, step: step, outputs: step.outputValues, log: log, runID: coordinator.runID)
    }

    /// Whether any file of the state directory holds `text`.
    func stateHolds(_ text: String) -> Bool { engine.stateHolds(text) }

    func remove() { engine.directory.remove() }
}

/// Small real images for push tests: `FROM scratch` and one file, named
/// `localhost/flow-test/<uuid>:t`, removed by `remove()`.
struct TestImage {
    let name: String
    /// `buildah bud --iidfile`: the image id.
    let id: String

    static func make(content: String = UUID().uuidString) async throws -> TestImage {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write("Dockerfile", "FROM scratch\nCOPY payload.txt /payload.txt\n")
        _ = try directory.write("payload.txt", content + "\n")
        let name = "localhost/flow-test/\(UUID().uuidString.lowercased()):t"
        let result = try await buildah(["bud", "--isolation", "chroot", "--quiet", "--iidfile", directory.file("iid").path,
                                        "-t", name, directory.url.path])
        try #require(result.status == 0, "buildah bud failed (run script/setup to install buildah): \(result.stderr)")
        let id = try String(contentsOf: directory.file("iid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return TestImage(name: name, id: id)
    }

    static func buildah(_ arguments: [String]) async throws -> ProcessResult {
        try await onOwnThread { try runProcess(URL(fileURLWithPath: "/usr/bin/buildah"), arguments) }
    }

    func remove() async {
        _ = try? await Self.buildah(["rmi", "-f", name])
    }
}

extension LocalService {
    /// `FLOW_REGISTRY` or the like, required.
    func value(_ name: String) throws -> String {
        try #require(environment[name], "script/services exported no \(name)")
    }
}
