import Foundation
import Testing
import FlowSteps
import FlowTestSupport

/// The reference pipeline, `pipelines/fsdp.yml`, run as a user runs it: the `flow` binary in the
/// repository root, on real local services — a docker-registry playing ECR's registry (it takes
/// moto's ECR login), moto for ECR's API, LocalStack for CloudFormation — and flow's CPU stand-in
/// for the NGC base image (script/base-image). Each test has a stack, an image and a state
/// folder of its own. What the emulators do not model (App Runner; resource replacement in an
/// update) is in docs/fsdp.md.
@Suite(.serialized) struct FSDPPipelineTests {
    /// The steps of the mission's step types and what each must end as.
    static let missionSteps = ["analyze", "image", "smoke-test", "push", "deploy", "health", "remediate"]

    struct Run {
        let id: String
        let state: TemporaryDirectory
        let environment: [String: String]
        let params: [String]
    }

    /// A registry of the suite's own whose htpasswd also holds moto's ECR login.
    private static let registry = StartedOnce {
        let users = FileManager.default.temporaryDirectory.appendingPathComponent("flow-ecr-users-\(UUID().uuidString)")
        try "AWS:\(MotoServer.account)-auth-token\n".write(to: users, atomically: true, encoding: .utf8)
        return try await LocalService.start("registry", arguments: ["--users", users.path])
    }

    static func prepare() async throws -> Run {
        try BaseImage.require(BaseImage.ngcStandIn)
        let moto = try await MotoServer.shared()
        let localstack = try await LocalService.shared("localstack")
        let registry = try await registry.get()
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in registry.environment { environment[key] = value }
        for key in ["AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL_SSM"] { environment[key] = localstack.environment[key] }
        environment["AWS_ENDPOINT_URL"] = moto.endpoint
        environment["AWS_ENDPOINT_URL_ECR"] = moto.endpoint
        environment["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment["AWS_SESSION_TOKEN"] = nil
        environment["AWS_PROFILE"] = nil
        environment["NO_COLOR"] = "1"
        let id = UUID().uuidString.prefix(8).lowercased()
        let state = try TemporaryDirectory()
        return Run(id: String(id), state: state, environment: environment,
                   params: ["--param", "stack=flow-test-fsdp-\(id)", "--param", "image=flow-test/fsdp-\(id)", "--state-dir", state.url.path])
    }

    static func cleanUp(_ run: Run) {
        let images = (try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "images", "--format", "{{.Name}}:{{.Tag}}"]).stdout) ?? ""
        for image in images.split(separator: "\n") where image.contains("flow-test/fsdp-\(run.id)") {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "rmi", "--force", String(image)])
        }
        run.state.remove()
    }

    static func status(_ run: Run, _ id: String? = nil) async throws -> (object: [String: Any], steps: [String: [String: Any]]) {
        let object = try await Runs.status(id, at: Repository.root, ["--state-dir", run.state.url.path], environment: run.environment)
        return (object, try Runs.steps(of: object))
    }

    static func outputs(_ step: [String: Any]?) -> [String: String] { step?["outputs"] as? [String: String] ?? [:] }

    /// The example's fault is the one `analyze` finds and fixes, and `Dockerfile.clean` (what
    /// `--param clean=true` builds) is exactly the Dockerfile with that fix applied.
    @Test func theCleanDockerfileIsTheDockerfileWithAnalyzesFixApplied() async throws {
        let result = try await runFlow(["analyze", "examples/fsdp", "--json"], currentDirectory: Repository.root)
        #expect(result.status == 1, "apt-no-update is an error by default: \(result.stdout)\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.compactMap { $0["rule"] as? String }.filter { $0 != "DL3008" } == ["apt-no-update"], "\(findings)")
        // The image uses the torch NGC ships, so the base it has is the one to keep.
        let recommendation = report["recommendation"] as? [String: Any]
        #expect(recommendation?["image"] as? String == "nvcr.io/nvidia/pytorch:26.07-py3", "\(report["recommendation"] ?? "none")")
        let fix = try #require(findings.first { $0["rule"] as? String == "apt-no-update" }?["fix"] as? [String: Any])
        let edits = try JSONDecoder().decode([TextEdit].self, from: JSONSerialization.data(withJSONObject: try #require(fix["edits"])))
        let bytes = TextEdit.apply(edits, to: Array(try Data(contentsOf: Repository.root.appendingPathComponent("examples/fsdp/Dockerfile"))))
        let clean = Array(try Data(contentsOf: Repository.root.appendingPathComponent("examples/fsdp/Dockerfile.clean")))
        #expect(bytes == clean, "Dockerfile.clean differs from the Dockerfile with analyze's fix")
        let again = try await runFlow(["analyze", "examples/fsdp/Dockerfile.clean", "--json"], currentDirectory: Repository.root)
        #expect(again.status == 0, "\(again.stdout)")
    }

    /// Every pipeline in pipelines/ is valid, and the reference one under each of its profiles.
    @Test func thePipelinesAreValidUnderEveryProfile() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.root.appendingPathComponent("pipelines").path)
            .filter { $0.hasSuffix(".yml") }.sorted().map { "pipelines/" + $0 }
        #expect(files.contains("pipelines/fsdp.yml"))
        let all = try await runFlow(["validate"] + files, currentDirectory: Repository.root)
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        for profile in ["local", "aws"] {
            let result = try await runFlow(["validate", "pipelines/fsdp.yml", "--profile", profile], currentDirectory: Repository.root)
            #expect(result.status == 0, "--profile \(profile): \(result.stdout)\(result.stderr)")
        }
    }

    /// Run without `script/services up`, the pipeline stops at once, before any build, and says
    /// how to start them.
    @Test func withoutTheLocalServicesTheRunStopsBeforeAnyBuildSayingHowToStartThem() async throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        var environment = ProcessInfo.processInfo.environment
        for key in ["FLOW_REGISTRY", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_CLOUDFORMATION"] { environment[key] = nil }
        let result = try await runFlow(["run", "pipelines/fsdp.yml", "--state-dir", state.url.path], environment: environment,
                                       currentDirectory: Repository.root)
        #expect(result.status == 1)
        #expect((result.stdout + result.stderr).contains(#"start them with: eval "$(script/services up)""#), "\(result.stdout)\(result.stderr)")
        let run = Run(id: "", state: state, environment: environment, params: [])
        let (_, steps) = try await Self.status(run)
        #expect(steps["services"]?["status"] as? String == "failed")
        #expect(steps["image"]?["status"] as? String == "skipped")
        #expect(steps["image"]?["attempts"] as? Int == 0)
    }

    /// LocalStack does not run App Runner, so the AWS half of the template is checked by AWS's
    /// own linter against every resource type's schema (script/setup installs cfn-lint).
    @Test func theStackTemplatePassesCfnLint() throws {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["cfn-lint", "examples/fsdp/stack.yml"], currentDirectory: Repository.root)
        #expect(result.status == 0, "cfn-lint: \(result.stdout)\(result.stderr)")
    }

    @Test func killedMidBuildThenResumedTheRunFinishesWithTheFaultRepaired() async throws {
        let run = try await Self.prepare()
        defer { Self.cleanUp(run) }
        let flow = try await startFlow(["run", "pipelines/fsdp.yml"] + run.params, currentDirectory: Repository.root,
                                       waitingFor: "▸ image", environment: run.environment)
        // The build is under way once buildah has printed its first STEP into the attempt's log.
        var runID: String?
        var building = false
        for _ in 0..<6000 where !building {
            runID = runID ?? (try? FileManager.default.contentsOfDirectory(atPath: run.state.url.path))?.first { $0.first?.isNumber == true }
            if let runID, let log = FileManager.default.contents(atPath: run.state.url.appendingPathComponent("\(runID)/image/attempt-1.log").path) {
                building = String(decoding: log, as: UTF8.self).contains("STEP 1/")
            }
            if !building { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(building, "the build never started")
        kill(flow.processIdentifier, SIGKILL)
        await flow.exited()
        let id = try #require(runID)
        let killed = try await Self.status(run, id)
        #expect(killed.steps["image"]?["status"] as? String != "succeeded", "the build finished before the kill: \(killed.object)")

        let resumed = try await runFlow(["resume", "--last", "--json", "--state-dir", run.state.url.path],
                                        environment: run.environment, currentDirectory: Repository.root)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let finished = Runs.jsonLines(resumed.stdout).last { $0["event"] as? String == "run-finished" }
        #expect(finished?["run"] as? String == id && finished?["status"] as? String == "succeeded", "\(resumed.stdout)")

        let (object, steps) = try await Self.status(run, id)
        #expect(object["status"] as? String == "succeeded")
        for step in Self.missionSteps {
            #expect(steps[step]?["status"] as? String == "succeeded", "\(step): \(steps[step] ?? [:])")
        }
        // analyze finished before the kill and was kept; the build went on to repair the fault.
        #expect(steps["analyze"]?["attempts"] as? Int == 1)
        #expect(Self.outputs(steps["analyze"])["warnings"].flatMap(Int.init) ?? 0 >= 1, "apt-no-update is reported: \(steps["analyze"] ?? [:])")
        #expect(Self.outputs(steps["image"])["fixes"] == "apt-get-update", "\(steps["image"] ?? [:])")
        #expect(Self.outputs(steps["push"])["digest"]?.hasPrefix("sha256:") == true)
        #expect(Self.outputs(steps["deploy"])["ImageUri"] == Self.outputs(steps["push"])["ref"])
        #expect(Self.outputs(steps["health"])["status"] == "200")
        #expect(Self.outputs(steps["remediate"])["outcome"] == "nothing-to-do")
        // Nothing of the run is left running: its steps, and the service container.
        #expect(stepProcesses(ofRun: id).isEmpty)
        #expect(!(try BaseImage.containers()).contains("flow-fsdp-\(id)"))
    }

    @Test func aCleanRunThenAnUnhealthyReleaseThatRemediateRollsBack() async throws {
        let run = try await Self.prepare()
        defer { Self.cleanUp(run) }
        let first = try await runFlow(["run", "pipelines/fsdp.yml", "--json", "--param", "clean=true"] + run.params,
                                      environment: run.environment, currentDirectory: Repository.root)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        // Every step type of the mission succeeded, as `--json` reports it.
        let finished = Dictionary(Runs.jsonLines(first.stdout).filter { $0["event"] as? String == "step-finished" }
            .map { ($0["step"] as? String ?? "", $0["status"] as? String ?? "") }) { _, last in last }
        for step in Self.missionSteps {
            #expect(finished[step] == "succeeded", "\(step): \(first.stdout)")
        }
        let firstID = try #require(Runs.jsonLines(first.stdout).first { $0["event"] as? String == "run-started" }?["run"] as? String)
        let healthy = try await Self.status(run, firstID)
        #expect(Self.outputs(healthy.steps["image"])["fixes"] == "", "the clean Dockerfile needs no fix")
        #expect(Self.outputs(healthy.steps["analyze"])["errors"] == "0")

        let second = try await runFlow(["run", "pipelines/fsdp.yml", "--param", "break-health=true", "--param", "within=4s"] + run.params,
                                       environment: run.environment, currentDirectory: Repository.root)
        #expect(second.status == 1, "\(second.stdout)\(second.stderr)")
        let (object, steps) = try await Self.status(run)
        #expect(object["status"] as? String == "failed")
        #expect(steps["health"]?["status"] as? String == "failed")
        #expect(steps["remediate"]?["status"] as? String == "succeeded", "\(steps["remediate"] ?? [:])")
        #expect(Self.outputs(steps["remediate"])["outcome"] == "acted")
        #expect(Self.outputs(steps["remediate"])["action"] == "rollback-stack")
        let secondID = try #require(object["id"] as? String)

        let audit = try await runFlow(["audit", secondID, "--json", "--state-dir", run.state.url.path],
                                      environment: run.environment, currentDirectory: Repository.root)
        #expect(audit.status == 0, "\(audit.stderr)")
        let rows = Runs.jsonLines(audit.stdout)
        #expect(rows.count == 1)
        #expect(rows.first?["rule"] as? String == "unhealthy-after-deploy")
        #expect(rows.first?["outcome"] as? String == "acted")
        #expect((rows.first?["detail"] as? String)?.hasPrefix("stack flow-test-fsdp-\(run.id) rolled back to its template of before this run") == true, "\(rows)")
        #expect(stepProcesses(ofRun: secondID).isEmpty)
        #expect(!(try BaseImage.containers()).contains("flow-fsdp-\(secondID)"))
    }
}
