import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// One attempt of a step that runs on CodeBuild (see `docs/codebuild-steps.md`): starts the
/// build (or re-attaches to the one an earlier attempt of the step left running when flow died),
/// records it in the run's events before following it, follows it with backoff through the
/// step's clock while its CloudWatch Logs stream into the step log, maps its end to the attempt,
/// and stops it when the attempt is cancelled or times out.
struct CodeBuildStepRun {
    let target: CodeBuildTarget
    let buildspec: CodeBuildBuildspec
    let context: StepContext
    let codebuild: CodeBuildClient
    let logs: CloudWatchLogsClient
    let view: RunView

    /// Waits between two `BatchGetBuilds`: from `initialPoll`, times `pollFactor`, at most `maxPoll`.
    static let initialPoll = 2.0
    static let pollFactor = 1.5
    static let maxPoll = 30.0

    init(target: CodeBuildTarget, buildspec: CodeBuildBuildspec, context: StepContext) throws {
        self.target = target
        self.buildspec = buildspec
        self.context = context
        let aws = try context.network().aws(region: target.region)
        codebuild = CodeBuildClient(aws)
        logs = CloudWatchLogsClient(aws)
        view = try context.runView()
    }

    func run() async throws -> StepOutcome {
        let variables = try CodeBuildEnvironment.variables(context: context, secrets: target.secrets ?? [:])
        let deadline = context.timeout.map { context.clock.now().addingTimeInterval(Self.seconds($0)) }
        let build: CodeBuildClient.Build
        if let running = try await reattachable() {
            build = running
        } else {
            build = try await start(variables)
        }
        return try await follow(build, deadline: deadline)
    }

    // MARK: Starting and re-attaching

    /// The build an earlier attempt of this step started and nobody saw end (flow was killed):
    /// still running, or succeeded meanwhile, it is this attempt's build. One that ended otherwise
    /// is recorded as ended, and a new build starts.
    func reattachable() async throws -> CodeBuildClient.Build? {
        let events = try view.stepEvents(context.stepID, kindPrefix: CodeBuildEvent.prefix)
        let finished = Set(events.filter { $0.kind == CodeBuildEvent.finished }.compactMap { $0.data["build"] })
        guard let open = events.last(where: { $0.kind == CodeBuildEvent.started && !finished.contains($0.data["build"] ?? "") }),
              let id = open.data["build"] else { return nil }
        let found = try await AWSCall.mapping("read build \(id)", context: context) { try await codebuild.batchGetBuilds([id]) }
        guard let build = found.first(where: { $0.id == id }) else {
            try record(CodeBuildEvent.finished, ["build": id, "status": "NOT_FOUND"])
            return nil
        }
        if !build.isFinished || build.buildStatus == "SUCCEEDED" {
            context.log.note("re-attaching to CodeBuild build \(id), started by attempt \(open.data["attempt"] ?? "?") (\(build.buildStatus ?? "IN_PROGRESS"))")
            try record(CodeBuildEvent.reattached, ["build": id])
            return build
        }
        try record(CodeBuildEvent.finished, ["build": id, "status": build.buildStatus ?? ""])
        context.log.note("CodeBuild build \(id) of an earlier attempt ended \(build.buildStatus ?? "") while flow was away; starting a new build")
        return nil
    }

    func start(_ variables: [CodeBuildClient.EnvironmentVariable]) async throws -> CodeBuildClient.Build {
        var request = CodeBuildClient.StartRequest(projectName: target.project)
        request.buildspecOverride = buildspec.text
        request.environmentVariablesOverride = variables
        request.imageOverride = target.image
        request.computeTypeOverride = target.computeType
        request.sourceVersion = target.sourceVersion.flatMap { $0.isEmpty ? nil : $0 }
        request.privilegedModeOverride = target.privileged
        if let timeout = context.timeout {
            request.timeoutInMinutesOverride = min(max(Int((Self.seconds(timeout) / 60).rounded(.up)), 5), 2160)
        }
        request.idempotencyToken = try token()
        // The token is on record before the call: a flow killed before it records the build
        // sends the same token again on resume (CodeBuild answers with the same build for 5 minutes).
        try record(CodeBuildEvent.starting, ["token": request.idempotencyToken ?? ""])
        let build = try await AWSCall.mapping("start a build of CodeBuild project \(target.project)", context: context) {
            try await codebuild.startBuild(request)
        }
        do {
            try record(CodeBuildEvent.started, ["build": build.id, "arn": build.arn ?? "", "project": target.project])
        } catch {
            await stop(build.id, reason: "its start could not be recorded")
            throw StepError("cannot record CodeBuild build \(build.id): \(error); the build was stopped", kind: .terminal)
        }
        context.log.note("started CodeBuild build \(build.id) of project \(target.project)")
        return build
    }

    /// The attempt's idempotency token; the one of a start that was not seen through, if any.
    func token() throws -> String {
        let events = try view.stepEvents(context.stepID, kindPrefix: CodeBuildEvent.prefix)
        if let last = events.last, last.kind == CodeBuildEvent.starting, let token = last.data["token"], !token.isEmpty {
            return token
        }
        return "flow-" + String(SHA256.hex(Array("\(context.runID)\n\(context.stepID)\n\(context.attempt)".utf8)).prefix(40))
    }

    // MARK: Following

    func follow(_ first: CodeBuildClient.Build, deadline: Date?) async throws -> StepOutcome {
        var build = first
        var follower = CodeBuildLogFollower(logs: logs, group: "", stream: "")
        var delay = Self.initialPoll
        do {
            while true {
                // A stream named by the build replaces the default one as long as nothing was read.
                if let (group, stream) = Self.logStream(of: build), follower.lines == 0,
                   group != follower.group || stream != follower.stream {
                    follower = CodeBuildLogFollower(logs: logs, group: group, stream: stream)
                }
                if !follower.group.isEmpty {
                    try await AWSCall.mapping("read the log of build \(build.id)", context: context) { try await follower.drain(into: context.log) }
                }
                if build.isFinished { break }
                if let deadline, context.clock.now() >= deadline {
                    await stop(build.id, reason: "timed out")
                    throw StepError("timed out after \(DurationValue(milliseconds: Int64(Self.seconds(context.timeout ?? .zero) * 1000))); CodeBuild build \(build.id) was stopped",
                                    kind: .retryable, timedOut: true)
                }
                var wait = delay
                if let deadline { wait = min(wait, max(deadline.timeIntervalSince(context.clock.now()), 0.001)) }
                try await context.clock.sleep(for: .milliseconds(Int64(wait * 1000)))
                delay = min(delay * Self.pollFactor, Self.maxPoll)
                let id = build.id
                let found = try await AWSCall.mapping("read build \(id)", context: context) { try await codebuild.batchGetBuilds([id]) }
                guard let next = found.first(where: { $0.id == id }) else {
                    throw StepError("CodeBuild has no build \(id) any more", kind: .retryable)
                }
                build = next
            }
        } catch is CancellationError {
            await stop(build.id, reason: "cancelled")
            throw CancellationError()
        } catch let error as StepError where error.timedOut {
            throw error
        } catch {
            // Whatever stops flow following the build stops the build: a retry starts afresh.
            await stop(build.id, reason: "flow could not follow it")
            throw error
        }
        try record(CodeBuildEvent.finished, ["build": build.id, "status": build.buildStatus ?? ""])
        return try CodeBuildOutcome.map(build, context: context)
    }

    /// The build's log group and stream: as `BatchGetBuilds` names them, else CodeBuild's
    /// defaults (`/aws/codebuild/<project>`, the build id's uuid) once the build is past its queue.
    static func logStream(of build: CodeBuildClient.Build) -> (String, String)? {
        if let group = build.logs?.groupName, let stream = build.logs?.streamName, !group.isEmpty, !stream.isEmpty, group != "null" {
            return (group, stream)
        }
        guard let project = build.projectName ?? build.id.split(separator: ":").first.map(String.init) else { return nil }
        return ("/aws/codebuild/\(project)", build.uuid)
    }

    /// `StopBuild`, whatever the task's state (a cancelled attempt still stops its build), then
    /// the build's end on record. A failure to stop is said in the log, never thrown.
    func stop(_ id: String, reason: String) async {
        let codebuild = self.codebuild
        let result = await Task.detached { () -> String? in
            do { return try await codebuild.stopBuild(id)?.buildStatus ?? "STOPPED" } catch { return nil }
        }.value
        if let status = result {
            context.log.note("stopped CodeBuild build \(id) (\(reason))")
            try? record(CodeBuildEvent.finished, ["build": id, "status": status, "reason": reason])
        } else {
            context.log.note("could not stop CodeBuild build \(id) (\(reason)); stop it in the console or with `aws codebuild stop-build --id \(id)`")
        }
    }

    func record(_ kind: String, _ data: [String: String]) throws {
        var data = data
        data["attempt"] = String(context.attempt)
        try view.recordStepEvent(context.stepID, kind: kind, data: data, at: context.clock.now())
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The kinds of the events a CodeBuild step records (``RunView/recordStepEvent(_:kind:data:at:)``).
enum CodeBuildEvent {
    static let prefix = "codebuild-"
    static let starting = "codebuild-starting"
    static let started = "codebuild-started"
    static let reattached = "codebuild-reattached"
    static let finished = "codebuild-finished"
}

/// AWS errors of a CodeBuild step as step errors: retryable when AWS says so, else terminal, masked.
enum AWSCall {
    static func mapping<T>(_ what: String, context: StepContext, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch where Task.isCancelled {
            throw CancellationError()
        } catch let error as AWSError {
            throw StepError(context.mask("cannot \(what): \(error)"), kind: error.isRetryable ? .retryable : .terminal)
        } catch let error as HTTPError {
            throw StepError(context.mask("cannot \(what): \(error)"), kind: .retryable)
        }
    }
}
