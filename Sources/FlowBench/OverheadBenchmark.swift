import Foundation
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport
import GRDB

/// The DAG of an overhead pipeline.
enum Shape: String, CaseIterable, Sendable {
    /// Every step on its own: the ready queue is always full.
    case independent
    /// Each step needs the one before: one step at a time whatever max-parallel says.
    case chain
}

/// What each step of an overhead pipeline is.
enum StepKind: String, CaseIterable, Sendable {
    /// `run: "true"` through the built-in shell step, with a process runner that returns at once.
    case shell
    /// `uses: noop`, a step type that returns at once.
    case noop
}

/// Where an overhead run keeps its state.
enum Store: String, CaseIterable, Sendable {
    /// `RunDatabase(path:)`, as `flow` opens it: a file, WAL, synchronous=FULL.
    case full
    /// The same file and settings but synchronous=OFF: the cost of the database's fsyncs removed.
    case off
    /// An in-memory SQLite database: the cost of the file removed too.
    case memory

    var title: String {
        switch self {
        case .full: "file FULL"
        case .off: "file OFF"
        case .memory: "memory"
        }
    }

    func open(in directory: String) throws -> RunDatabase {
        switch self {
        case .full:
            return try RunDatabase(path: directory + "/flow.db")
        case .off:
            // RunDatabase(path:)'s configuration, synchronous aside.
            var config = Configuration()
            config.busyMode = .timeout(30)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = OFF")
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            return try RunDatabase(writer: DatabasePool(path: directory + "/flow.db", configuration: config))
        case .memory:
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON") }
            return try RunDatabase(writer: DatabaseQueue(configuration: config))
        }
    }
}

/// The engine's cost per step, in-process: each case plans a pipeline from YAML text and runs it
/// through the real `RunCoordinator`, timing the coordinator's creation of the run (every step's
/// row) and its execution to the end. Opening the database (and migrating it) is not timed.
struct OverheadBenchmark {
    /// The issue's target for the engine overhead per step, with a real SQLite file (synchronous=FULL).
    static let targetMicroseconds = 150.0

    var steps: Int
    var repetitions: Int
    var directory: String?
    var shapes: [Shape]
    var parallel: [Int]
    var kinds: [StepKind]
    var stores: [Store]

    func run() async throws {
        let base = directory ?? FileManager.default.temporaryDirectory.path
        var registry = BuiltinSteps.registry
        registry.register(NoopStep())
        print("flow-bench overhead: RunCoordinator + RunDatabase in-process, steps that return at once")
        print("\(steps) steps; state under \(base); median of \(repetitions) repetitions after 1 warm-up; "
              + "µs per step (run created + executed)")
        let fsync = try Self.fsyncProbe(in: base)
        print("fsync of a new empty file under \(base) (about the least a durable commit costs on this disk): "
              + String(format: "median %.0f µs, mean %.0f µs", fsync.median, fsync.mean))
        let header = ["shape", "max-parallel", "step"].map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined()
            + stores.map { $0.title.leftPadded(11) }.joined()
        print("\n" + header)
        var verdicts: [String] = []
        for shape in shapes {
            for maxParallel in parallel {
                for kind in kinds {
                    let yaml = Self.pipeline(shape, steps: steps, maxParallel: maxParallel, kind: kind)
                    let plan = try Self.plan(yaml, registry: registry)
                    var line = [shape.rawValue, String(maxParallel), kind.rawValue]
                        .map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined()
                    for store in stores {
                        var perStep: [Double] = []
                        for repetition in 0...repetitions {
                            let seconds = try await once(plan, yaml: yaml, store: store, registry: registry, base: base)
                            if repetition > 0 { perStep.append(seconds / Double(steps) * 1e6) }
                        }
                        let median = perStep.sorted()[perStep.count / 2]
                        line += String(format: "%.0f", median).leftPadded(11)
                        if store == .full && kind == .shell {
                            let verdict = median <= Self.targetMicroseconds ? "met"
                                : String(format: "MISSED by %.0f µs", median - Self.targetMicroseconds)
                            verdicts.append(String(format: "%@ max-parallel %d: %.0f µs, %@", shape.rawValue, maxParallel, median, verdict))
                        }
                    }
                    print(line)
                }
            }
        }
        if !verdicts.isEmpty {
            print(String(format: "\ntarget ≤ %.0f µs per step (file FULL, shell step): ", Self.targetMicroseconds) + verdicts.joined(separator: "; "))
        }
    }

    /// One run of `plan` in a fresh state directory: its wall time in seconds, after checking that every step succeeded.
    func once(_ plan: RunPlan, yaml: String, store: Store, registry: StepRegistry, base: String) async throws -> Double {
        let state = base + "/flow-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: state) }
        let database = try store.open(in: state)
        let options = RunOptions(stateDirectory: state, workingDirectory: state, environment: ProcessInfo.processInfo.environment,
                                 source: yaml)
        let clock = ContinuousClock()
        let start = clock.now
        let coordinator = try RunCoordinator(plan: plan, database: database, registry: registry, runner: InstantRunner(),
                                             clock: RealClock(), options: options)
        let status = await coordinator.execute()
        let elapsed = clock.now - start
        let succeeded = try database.steps(of: coordinator.runID).filter { $0.status == .succeeded }.count
        guard status == .succeeded, succeeded == plan.steps.count else {
            throw HarnessError("run \(coordinator.runID) ended \(status.rawValue) with \(succeeded) of \(plan.steps.count) steps succeeded")
        }
        return elapsed.inSeconds
    }

    static func pipeline(_ shape: Shape, steps: Int, maxParallel: Int, kind: StepKind) -> String {
        var yaml = "name: overhead-\(shape.rawValue)\nmax-parallel: \(maxParallel)\nsteps:\n"
        for i in 0..<steps {
            yaml += "  s\(i):\n"
            if shape == .chain && i > 0 { yaml += "    needs: [s\(i - 1)]\n" }
            yaml += kind == .shell ? "    run: \"true\"\n" : "    uses: noop\n"
        }
        return yaml
    }

    /// Validates and plans `yaml` as `flow run` would (the registry's catalog knows `noop`).
    static func plan(_ yaml: String, registry: StepRegistry) throws -> RunPlan {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "overhead.yml",
                                                          options: testValidationOptions(catalog: registry.catalog))
        guard let pipeline, !diagnostics.hasErrors else { throw HarnessError(DiagnosticRenderer(color: false).text(diagnostics)) }
        let (plan, problems) = RunPlanner.plan(pipeline)
        guard let plan else { throw HarnessError(DiagnosticRenderer(color: false).text(problems)) }
        return plan
    }

    /// µs to create, fsync and close an empty file under `directory`, over 200 files. The mean
    /// is what a run pays per log; the median says whether a few slow ones make it.
    static func fsyncProbe(in directory: String) throws -> (median: Double, mean: Double) {
        let folder = directory + "/flow-bench-fsync-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let clock = ContinuousClock()
        var samples: [Double] = []
        for i in 0..<200 {
            let start = clock.now
            let fd = open(folder + "/\(i).log", O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw HarnessError("cannot create a file in \(folder): errno \(errno)") }
            fsync(fd)
            close(fd)
            let elapsed = clock.now - start
            samples.append(elapsed.inSeconds * 1e6)
        }
        return (samples.sorted()[samples.count / 2], samples.reduce(0, +) / Double(samples.count))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
