import ArgumentParser

/// `flow-bench`: benchmarks that run the engine (and the HTTP client) in-process, without the `flow` binary around it.
struct FlowBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-bench",
        abstract: "In-process benchmarks of flow's engine and HTTP client (build with -c release; see bench/README.md).",
        subcommands: [OverheadCommand.self, SpawnCommand.self, HTTPCommand.self])

    /// Parses the command line and runs the (async) subcommand; exits with its status.
    static func start() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit()
        } catch {
            exit(withError: error)
        }
    }
}

/// `flow-bench overhead`: the engine's cost per step, with steps that return at once.
struct OverheadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overhead",
        abstract: "Median µs per step of the RunCoordinator and a real SQLite RunDatabase, with steps that return at once.",
        discussion: """
            Plans each pipeline from YAML text and runs it through the real RunCoordinator: every state change \
            committed to SQLite before it is acted on (group commits), every attempt's log writer opened and \
            closed (the steps print nothing, so no log file is made). The `shell` steps are \
            `run: "true"` through the built-in shell step (script and $FLOW_OUTPUT files written and read back) with \
            a process runner that returns exit 0 at once; `noop` steps are a registered step type that returns at once. \
            Stores: `full` is the database as `flow` opens it (WAL, synchronous=FULL), `off` the same file with \
            synchronous=OFF (no database fsync), `memory` an in-memory SQLite database.
            """)

    @Option(help: "Steps per pipeline.") var steps = 1000
    @Option(help: "Timed repetitions of each case (after one warm-up).") var repetitions = 7
    @Option(name: .customLong("shape"), help: "independent | chain (repeatable; default both).") var shapes: [Shape] = []
    @Option(name: .customLong("parallel"), help: "max-parallel (repeatable; default 1 and 4).") var parallel: [Int] = []
    @Option(name: .customLong("step"), help: "shell | noop (repeatable; default both).") var kinds: [StepKind] = []
    @Option(name: .customLong("store"), help: "full | off | memory (repeatable; default all three).") var stores: [Store] = []
    @Option(help: ArgumentHelp("Where the state directories go (default: the system temp dir).", valueName: "dir"))
    var directory: String?

    func validate() throws {
        guard steps >= 1, repetitions >= 1 else { throw ValidationError("--steps and --repetitions must be at least 1") }
        guard parallel.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        let benchmark = OverheadBenchmark(
            steps: steps, repetitions: repetitions, directory: directory,
            shapes: shapes.isEmpty ? Shape.allCases : shapes, parallel: parallel.isEmpty ? [1, 4] : parallel,
            kinds: kinds.isEmpty ? StepKind.allCases : kinds, stores: stores.isEmpty ? Store.allCases : stores)
        try await benchmark.run()
    }
}

extension Shape: ExpressibleByArgument {}
extension StepKind: ExpressibleByArgument {}
extension Store: ExpressibleByArgument {}
