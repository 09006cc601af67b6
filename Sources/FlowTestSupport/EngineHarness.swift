import Foundation
import FlowCore
import FlowEngine

/// Runs a pipeline given as YAML text through the real engine: validated and planned like
/// `flow run`, state in a real SQLite file under a temporary directory.
public struct EngineHarness: Sendable {
    public let directory: TemporaryDirectory
    public let database: RunDatabase

    public init() throws {
        directory = try TemporaryDirectory()
        database = try RunDatabase(path: directory.file("flow.db").path)
    }

    public var statePath: String { directory.url.path }

    /// Whether any file of the state directory (the database, its WAL, logs, artifacts,
    /// snapshots) holds `text`: how tests prove a secret was never stored.
    public func stateHolds(_ text: String) -> Bool {
        let needle = Data(text.utf8)
        guard let walker = FileManager.default.enumerator(atPath: statePath) else { return false }
        for case let relative as String in walker {
            if let data = FileManager.default.contents(atPath: statePath + "/" + relative), data.range(of: needle) != nil { return true }
        }
        return false
    }

    /// The plan for `yaml`; fails the caller (by throwing) when validation reports an error.
    public func plan(_ yaml: String, params: [String: String] = [:], registry: StepRegistry = .builtins) throws -> RunPlan {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "test.yml",
                                                          options: testValidationOptions(catalog: registry.catalog))
        guard let pipeline, !diagnostics.hasErrors else { throw HarnessError(DiagnosticRenderer(color: false).text(diagnostics)) }
        let (plan, problems) = RunPlanner.plan(pipeline, params: params.map { .init(name: $0.key, value: $0.value) })
        guard let plan else { throw HarnessError(DiagnosticRenderer(color: false).text(problems)) }
        return plan
    }

    public struct Outcome: Sendable {
        public var status: RunStatus
        public var runID: String
        public var steps: [String: StepRecord]
        public var events: [RunEvent]
    }

    /// Runs `yaml` to the end with the given runner and clock.
    public func run(_ yaml: String, params: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment,
                    registry: StepRegistry = .builtins, runner: any ProcessRunner = ProcessRunners.standard,
                    clock: any EngineClock = RealClock(), jitter: @escaping @Sendable (Double) -> Double = { $0 },
                    gracePeriod: Duration = .milliseconds(300), gitSHA: String? = nil, readCache: Bool = true,
                    whileRunning: (@Sendable () async -> Void)? = nil) async throws -> Outcome {
        let plan = try self.plan(yaml, params: params, registry: registry)
        let events = EventLog()
        var options = RunOptions(stateDirectory: statePath, workingDirectory: directory.url.path, environment: environment,
                                 gitSHA: gitSHA, source: yaml, gracePeriod: gracePeriod, heartbeatInterval: nil, jitter: jitter)
        options.readCache = readCache
        let coordinator = try RunCoordinator(plan: plan, database: database, registry: registry, runner: runner, clock: clock,
                                             options: options) { events.append($0) }
        let task = Task { await coordinator.execute() }
        if let whileRunning { await whileRunning() }
        let status = await task.value
        let steps = try database.steps(of: coordinator.runID)
        return Outcome(status: status, runID: coordinator.runID,
                       steps: Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) }), events: events.all)
    }
}

/// Wall-clock time for engine tests that run real processes (backoff tests use `ManualClock`).
public struct RealClock: EngineClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A thread-safe list of run events, for assertions.
public final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []
    public init() {}
    public func append(_ event: RunEvent) { lock.withLock { events.append(event) } }
    public var all: [RunEvent] { lock.withLock { events } }
}
