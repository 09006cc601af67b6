import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// Every build status a step's build can end in, replayed from recorded `BatchGetBuilds` answers
/// (`Fixtures/CodeBuild/<project>.json`) by a loopback server, through the real engine; the step
/// log comes from moto's CloudWatch Logs.
@Suite("CodeBuild steps: build statuses", .serialized)
struct CodeBuildStatusTests {
    static func pipeline(_ project: String, step extra: String = "", top: String = "") -> String {
        """
        name: remote
        \(top)
        steps:
          train:
            run: |
              echo "training on $(hostname)"
              echo "model=s3://models/1" >> "$FLOW_OUTPUT"
            runs-on:
              codebuild:
                project: \(project)
                image: aws/codebuild/standard:7.0
                compute-type: BUILD_GENERAL1_LARGE
        \(extra)
        """
    }

    func withReplay(_ body: (CodeBuildReplay, CodeBuildHarness) async throws -> Void) async throws {
        let moto = try await MotoServer.shared()
        let replay = try await CodeBuildReplay.start()
        let harness = try CodeBuildHarness(codebuild: replay.url, moto: moto)
        defer { replay.stop(); harness.remove() }
        try await body(replay, harness)
    }

    @Test func succeededBuildAfterPollsGivesOutputsAndStreamsItsLog() async throws {
        try await withReplay { replay, harness in
            try await MotoCalls(try await MotoServer.shared()).putLogEvents(
                group: "/flow-test/replay", stream: "succeeded", ["[Container] Running command bash script\n", "training on ip-10-0-0-1\n"])
            let result = try await harness.run(Self.pipeline("succeeded", step: "    outputs: [image, notes]"))
            #expect(result.status == .succeeded)
            let outputs = result.outputs("train")
            #expect(outputs["image"] == "registry.example/app@sha256:0a1b")
            #expect(outputs["notes"] == "first line\nsecond line")
            #expect(outputs["codebuild-build-id"]?.hasPrefix("succeeded:") == true)
            #expect(outputs["codebuild-log-url"]?.contains("stream=succeeded") == true)
            #expect(result.log("train").contains("training on ip-10-0-0-1"))
            // Three BatchGetBuilds (IN_PROGRESS, IN_PROGRESS, SUCCEEDED), waiting 2 s then 3 s on the step's clock.
            #expect(try await replay.requests("BatchGetBuilds").count == 3)
            #expect(Array(harness.clock.sleeps.prefix(2)) == [.seconds(2), .seconds(3)])
            #expect(result.events("codebuild-started").count == 1)
            #expect(result.events("codebuild-finished").count == 1)
        }
    }

    @Test func failedBuildFailsTheAttemptWithItsPhaseAndExitStatus() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("failed"))
            #expect(result.status == .failed)
            let step = try result.step("train")
            #expect(step.status == .failed)
            #expect(step.exitCode == 3)
            #expect(step.error?.contains("failed in phase BUILD") == true)
            #expect(step.error?.contains("COMMAND_EXECUTION_ERROR") == true)
            #expect(try await replay.requests("StartBuild").count == 1)
        }
    }

    @Test func failedBuildIsRetriedUnderTheRetryPolicyWithANewBuild() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("failed", step: "    retry: { attempts: 2, exit-codes: [3] }"))
            #expect(result.status == .failed)
            #expect(try result.step("train").attempts == 2)
            let starts = try await replay.requests("StartBuild")
            #expect(starts.count == 2)
            // Each attempt has its own idempotency token.
            #expect(starts[0].body["idempotencyToken"] != starts[1].body["idempotencyToken"])
        }
    }

    @Test func faultIsRetryable() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("fault", step: "    retry: { attempts: 2 }"))
            let step = try result.step("train")
            #expect(step.status == .failed)
            #expect(step.attempts == 2)
            #expect(step.error?.contains("CodeBuild fault in phase PROVISIONING") == true)
            #expect(step.error?.contains("BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE") == true)
        }
    }

    @Test func timedOutBuildIsATimeout() async throws {
        try await withReplay { _, harness in
            let result = try await harness.run(Self.pipeline("timed-out"))
            let step = try result.step("train")
            #expect(step.status == .failed)
            #expect(step.error?.contains("timed out") == true)
        }
    }

    @Test func buildStoppedElsewhereIsTerminalAndNotRetried() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("stopped", step: "    retry: { attempts: 3 }"))
            let step = try result.step("train")
            #expect(step.status == .failed)
            #expect(step.attempts == 1)
            #expect(step.error?.contains("stopped outside this attempt") == true)
            #expect(try await replay.requests("StartBuild").count == 1)
            #expect(try await replay.requests("StopBuild").isEmpty)
        }
    }

    @Test func stepTimeoutStopsTheBuild() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("forever", step: "    timeout: 1m"))
            let step = try result.step("train")
            #expect(step.status == .failed)
            #expect(step.error?.contains("timed out after 1m") == true)
            let stops = try await replay.requests("StopBuild")
            #expect(stops.count == 1)
            let started = try #require(result.events("codebuild-started").first?.data)
            guard case .string(let stopped)? = stops.first?.body["id"] else { Issue.record("StopBuild without an id"); return }
            #expect(started.contains(stopped))
            #expect(result.events("codebuild-finished").count == 1)
            // The build's own timeout is set from the step's, as a backstop should flow die.
            let start = try #require(try await replay.requests("StartBuild").first)
            #expect(start.body["timeoutInMinutesOverride"] == .number(5))
        }
    }

    @Test func cancellingTheRunStopsTheBuild() async throws {
        try await withReplay { replay, harness in
            let result = try await harness.run(Self.pipeline("forever")) { task in
                // Cancel once the build is being followed.
                for _ in 0..<500 {
                    if try await !replay.requests("BatchGetBuilds").isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                task.cancel()
            }
            #expect(result.status == .cancelled)
            #expect(try result.step("train").status == .cancelled)
            #expect(try await replay.requests("StopBuild").count == 1)
            #expect(result.log("train").contains("stopped CodeBuild build"))
        }
    }

    @Test func attemptKilledBeforeRecordingItsBuildSendsTheSameTokenAgain() async throws {
        try await withReplay { replay, harness in
            let result = try await CodeBuildReattach.resume(harness, project: "succeeded",
                                                            events: [("codebuild-starting", ["token": "flow-killed-attempt-token", "attempt": "1"])])
            #expect(result.status == .succeeded)
            let starts = try await replay.requests("StartBuild")
            #expect(starts.count == 1)
            #expect(starts.first?.body["idempotencyToken"] == .string("flow-killed-attempt-token"))
        }
    }

    @Test func buildOfAKilledAttemptThatFailedMeanwhileIsNotAdoptedAndANewOneStarts() async throws {
        try await withReplay { replay, harness in
            let codebuild = try CodeBuildClient(AWSClient(http: HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never),
                                                          credentials: StaticCredentials(AWSCredentials(accessKeyId: "a", secretAccessKey: "b", source: .explicit)),
                                                          region: "us-east-1", environment: ["AWS_ENDPOINT_URL": replay.url]))
            let old = try await codebuild.startBuild(.init(projectName: "stopped"))
            _ = try await codebuild.stopBuild(old.id)
            let result = try await CodeBuildReattach.resume(harness, project: "succeeded",
                                                            events: [("codebuild-started", ["build": old.id, "attempt": "1"])])
            #expect(result.status == .succeeded)
            #expect(try await replay.requests("StartBuild").count == 2)
            #expect(result.log("build").contains("ended STOPPED while flow was away; starting a new build"))
            #expect(result.events("codebuild-finished").first?.data?.contains(old.id) == true)
        }
    }
}
