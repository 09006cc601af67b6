import Foundation
import FlowCore

/// Starting runs, below any command line: load, validate, plan, apply the concurrency policy,
/// create a run or take a recorded one over, and run it. `flow run`, `resume` and `retry` use
/// it, and so do the schedule daemon and CodeBuild. It prints nothing, chooses no exit code and
/// installs no signal handler: every outcome is a typed value or error, and cancelling the task
/// that runs ``execute(_:)`` cancels the run.
public struct RunLauncher: Sendable {
    public var source: PipelineSource
    public var stateDirectory: String
    /// The environment flow was started with (the base of every step's).
    public var environment: [String: String]
    public var workingDirectory: String
    public var runner: any ProcessRunner
    public var clock: any EngineClock
    public var resources: StepResources
    /// `--no-cache`: memoized steps run (``RunOptions/readCache``).
    public var readCache = true

    public init(source: PipelineSource, stateDirectory: String, environment: [String: String],
                workingDirectory: String, runner: any ProcessRunner, clock: any EngineClock, resources: StepResources) {
        self.source = source
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.runner = runner
        self.clock = clock
        self.resources = resources
    }

    /// What a new run is asked to be.
    public struct Request: Sendable {
        public var file: String
        /// `--param NAME=VALUE` texts.
        public var params: [String]
        public var profile: String?
        /// `--image NAME=IMAGE` texts.
        public var images: [String]
        public var maxParallel: Int?
        /// `--only`: these steps and what they need.
        public var only: [String]
        /// What starts the run: `.manual`, `.codebuild(buildID:)`, `.schedule(entry:scheduledAt:)`.
        public var trigger: RunTrigger
        public var gitSHA: String?
        public var gitBranch: String?

        public init(file: String, params: [String] = [], profile: String? = nil, images: [String] = [], maxParallel: Int? = nil,
                    only: [String] = [], trigger: RunTrigger = .manual, gitSHA: String? = nil, gitBranch: String? = nil) {
            self.file = file
            self.images = images
            self.params = params
            self.profile = profile
            self.maxParallel = maxParallel
            self.only = only
            self.trigger = trigger
            self.gitSHA = gitSHA
            self.gitBranch = gitBranch
        }
    }

    /// Loads, validates and plans a new run (narrowed by `--only`). Touches no state.
    public func prepare(_ request: Request) throws(DiagnosticList) -> PipelineSource.Loaded {
        var loaded: PipelineSource.Loaded
        switch source.load(request.file, params: request.params, profile: request.profile, images: request.images,
                           maxParallel: request.maxParallel,
                           requireAllParams: true) {
        case .success(let l): loaded = l
        case .failure(let list): throw list
        }
        if !request.only.isEmpty {
            let (narrowed, problems) = loaded.plan.only(request.only)
            guard let narrowed else { throw DiagnosticList(problems) }
            loaded.plan = narrowed
        }
        return loaded
    }

    /// Takes the plan's concurrency group as its policy says (see ``ConcurrencyEntry``).
    public func enterGroup(of plan: RunPlan, database: RunDatabase, isCancelled: @Sendable () -> Bool,
                           notice: (ConcurrencyEntry.Notice) -> Void) async throws -> ConcurrencyEntry.Outcome {
        try await ConcurrencyEntry.enter(plan.concurrency, stateDirectory: stateDirectory, database: database, clock: clock,
                                         isCancelled: isCancelled, notice: notice)
    }

    /// Records a new run of `loaded` and returns its coordinator, ready to ``execute(_:)``.
    public func create(_ loaded: PipelineSource.Loaded, _ request: Request, database: RunDatabase,
                       onEvent: @escaping RunEventHandler) throws -> RunCoordinator {
        var options = RunOptions(stateDirectory: stateDirectory, workingDirectory: workingDirectory, environment: environment,
                                 trigger: request.trigger, gitSHA: request.gitSHA, gitBranch: request.gitBranch,
                                 source: loaded.source, resources: resources)
        options.reruns = rerunPolicy(loaded.pipeline)
        options.readCache = readCache
        return try RunCoordinator(plan: loaded.plan, database: database, registry: loaded.registry, runner: runner,
                                  clock: clock, options: options, onEvent: onEvent)
    }

    /// Runs a coordinator to its end; cancelling the calling task cancels the run. Adopting
    /// orphans (``AdoptedOrphans/adopt()``) changes the whole process, so the command that owns
    /// the process decides it, not the launcher.
    public static func execute(_ coordinator: RunCoordinator) async -> RunStatus {
        await coordinator.execute()
    }
}
