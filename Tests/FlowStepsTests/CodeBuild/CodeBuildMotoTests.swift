import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `runs-on: codebuild` against moto's CodeBuild (it accepts the calls, runs nothing and answers
/// SUCCEEDED at the first BatchGetBuilds) and moto's CloudWatch Logs.
@Suite("CodeBuild steps against moto", .serialized)
struct CodeBuildMotoTests {
    static func project() -> String { "flow-cb-" + UUID().uuidString.prefix(8).lowercased() }

    @Test func stepStartsOneBuildFollowsItAndRecordsIt() async throws {
        let moto = try await MotoServer.shared()
        let calls = MotoCalls(moto)
        let project = Self.project()
        try await calls.createProject(project)
        let harness = try CodeBuildHarness(codebuild: moto.endpoint, moto: moto)
        defer { harness.remove() }
        let result = try await harness.run("""
            name: remote
            steps:
              build:
                run: make -j8
                runs-on: { codebuild: { project: \(project), compute-type: BUILD_GENERAL1_2XLARGE } }
                outputs: [codebuild-build-id]
              after:
                needs: [build]
                run: echo "built by ${{ steps.build.outputs.codebuild-build-id }}"
            """)
        #expect(result.status == .succeeded)
        let builds = try await calls.builds(of: project)
        #expect(builds.count == 1)
        #expect(result.outputs("build")["codebuild-build-id"] == builds.first)
        #expect(result.log("after").contains("built by \(builds[0])"))
        let started = result.events("codebuild-started")
        #expect(started.count == 1 && started[0].stepId == "build")
        #expect(started[0].data?.contains(builds[0]) == true)
        #expect(result.events("codebuild-finished").first?.data?.contains("SUCCEEDED") == true)
        #expect(result.log("build").contains("started CodeBuild build \(builds[0])"))
    }

    @Test func logEventsStreamIntoTheStepLogPageByPage() async throws {
        let moto = try await MotoServer.shared()
        let calls = MotoCalls(moto)
        let project = Self.project()
        try await calls.createProject(project)
        // The build's stream is named after its id, known once it started: start it the way the
        // step would, then write the stream, then let a step re-attach to it (as after a crash).
        let lines = (1...250).map { "line \($0) of the build\n" }
        let codebuild = CodeBuildClient(moto.client())
        let build = try await codebuild.startBuild(.init(projectName: project))
        try await calls.putLogEvents(group: "/aws/codebuild/\(project)", stream: build.uuid, lines)
        let logs = CloudWatchLogsClient(moto.client())
        var token: String?
        var read = 0
        while true {
            let page = try await logs.getLogEvents(group: "/aws/codebuild/\(project)", stream: build.uuid, nextToken: token, limit: 100)
            read += page.events.count
            if page.nextForwardToken == token || page.events.isEmpty { break }
            token = page.nextForwardToken
        }
        #expect(read == 250)
        let harness = try CodeBuildHarness(codebuild: moto.endpoint, moto: moto)
        defer { harness.remove() }
        let result = try await CodeBuildReattach.resume(harness, build: build.id, project: project)
        #expect(result.status == .succeeded)
        let log = result.log("build")
        #expect(log.contains("re-attaching to CodeBuild build \(build.id)"))
        #expect(log.contains("line 1 of the build\nline 2 of the build\n"))
        #expect(log.contains("line 250 of the build\n"))
        #expect(try await calls.builds(of: project).count == 1)
    }

    @Test func resumedStepReattachesToTheBuildItsKilledAttemptStarted() async throws {
        let moto = try await MotoServer.shared()
        let calls = MotoCalls(moto)
        let project = Self.project()
        try await calls.createProject(project)
        let build = try await CodeBuildClient(moto.client()).startBuild(.init(projectName: project))
        let harness = try CodeBuildHarness(codebuild: moto.endpoint, moto: moto)
        defer { harness.remove() }
        let result = try await CodeBuildReattach.resume(harness, build: build.id, project: project)
        #expect(result.status == .succeeded)
        #expect(try await calls.builds(of: project) == [build.id])
        #expect(result.events("codebuild-reattached").count == 1)
        #expect(result.events("codebuild-starting").isEmpty)
        #expect(result.outputs("build")["codebuild-build-id"] == build.id)
    }
}

/// A run whose first attempt of step `build` started `build` and was killed before it saw it
/// end: the run row, the step `running`, the `codebuild-started` event (what the attempt
/// committed), then a resume of the run through the engine.
enum CodeBuildReattach {
    static func resume(_ harness: CodeBuildHarness, build: String, project: String) async throws -> CodeBuildHarness.Result {
        try await resume(harness, project: project, events: [("codebuild-started", ["build": build, "attempt": "1", "project": project])])
    }

    /// The same, with the events the killed attempt committed given.
    static func resume(_ harness: CodeBuildHarness, project: String, events: [(String, [String: String])]) async throws -> CodeBuildHarness.Result {
        let yaml = """
            name: remote
            steps:
              build:
                run: make
                runs-on: { codebuild: { project: \(project) } }
            """
        let plan = try harness.engine.plan(yaml)
        let options = RunOptions(stateDirectory: harness.engine.statePath, workingDirectory: harness.engine.directory.url.path,
                                 environment: harness.environment, gitSHA: nil, source: yaml, gracePeriod: .milliseconds(300),
                                 heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: harness.environment, clock: harness.clock))
        // The killed process: it recorded the step running and the build, then died mid-follow.
        let first = try RunCoordinator(plan: plan, database: harness.engine.database, registry: .builtins,
                                       runner: ProcessRunners.standard, clock: harness.clock, options: options) { _ in }
        let runID = first.runID
        try harness.engine.database.apply(runId: runID, [.init(stepId: "build", from: .pending, to: .running, at: harness.clock.now(), attempts: 1)])
        for (kind, data) in events {
            try harness.engine.database.appendStepEvent(runId: runID, stepId: "build", kind: kind, data: data, at: harness.clock.now())
        }
        _ = try harness.engine.database.finishRun(runID, to: .interrupted, at: harness.clock.now())
        let run = try #require(try harness.engine.database.run(runID))
        let resumed = try RunCoordinator(resuming: run, plan: plan, database: harness.engine.database, registry: .builtins,
                                                  runner: ProcessRunners.standard, clock: harness.clock, options: options) { _ in }
        let status = await resumed.execute()
        return try harness.result(runID, status: status)
    }
}
