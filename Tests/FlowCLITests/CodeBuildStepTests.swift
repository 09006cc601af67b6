import Foundation
import Testing
import FlowEngine
import FlowHTTP
import FlowTestSupport

/// `runs-on: codebuild` through the built `flow` binary: a run against moto, and a run killed
/// with SIGKILL while it follows its build, resumed, re-attaching to that build.
@Suite("CodeBuild steps through flow", .serialized)
struct CodeBuildStepTests {
    static func environment(_ moto: MotoServer, codebuild: String? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        environment["AWS_ACCESS_KEY_ID"] = moto.credentials.accessKeyId
        environment["AWS_SECRET_ACCESS_KEY"] = moto.credentials.secretAccessKey
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_ENDPOINT_URL"] = moto.endpoint
        if let codebuild { environment["AWS_ENDPOINT_URL_CODEBUILD"] = codebuild }
        return environment
    }

    static func pipeline(_ project: String) -> String {
        """
        name: remote
        steps:
          train:
            run: python train.py --epochs 3
            runs-on:
              codebuild:
                project: \(project)
                compute-type: BUILD_GENERAL1_LARGE
            outputs: [codebuild-build-id]
          report:
            needs: [train]
            run: echo "trained in ${{ steps.train.outputs.codebuild-build-id }}"
        """
    }

    @Test func flowRunStartsTheStepsBuildOnMotoAndSucceeds() async throws {
        let moto = try await MotoServer.shared()
        let project = "flow-cli-" + UUID().uuidString.prefix(8).lowercased()
        let client = moto.client()
        try await MotoCalls(client: client).createProject(project)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("remote.yml", Self.pipeline(project))
        let validate = try await runFlow(["validate", "remote.yml"], environment: Self.environment(moto), currentDirectory: dir.url)
        #expect(validate.status == 0, "\(validate.stderr)")
        let result = try await runFlow(["run", "remote.yml"], environment: Self.environment(moto), currentDirectory: dir.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let builds = try await MotoCalls(client: client).builds(of: project)
        #expect(builds.count == 1)
        let database = try RunDatabase(path: dir.url.path + "/runs/flow.db")
        let run = try #require(try database.runs().first)
        let logs = try await runFlow(["logs", run.id, "report"], environment: Self.environment(moto), currentDirectory: dir.url)
        #expect(logs.stdout.contains("trained in \(builds[0])"), "\(logs.stdout)\(logs.stderr)")
    }

    @Test func runKilledWhileFollowingItsBuildReattachesOnResume() async throws {
        let moto = try await MotoServer.shared()
        let script = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/CodeBuild/codebuild_replay.py").path
        let replay = try await LoopbackServer.announcing("python3", [script])
        defer { replay.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("remote.yml", Self.pipeline("forever"))
        let environment = Self.environment(moto, codebuild: replay.baseURL())
        let flow = try BackgroundFlow(["run", "remote.yml"], in: dir.url, environment: environment, log: dir.file("first.log"))
        // Wait (bounded) until the build is on record, then kill flow mid-follow.
        var build: String?
        for _ in 0..<1500 where build == nil {
            // Opened only once flow has made and migrated the database (it printed the step starting).
            if flow.output.contains("▸ train"), let database = try? RunDatabase(path: dir.url.path + "/runs/flow.db"),
               let run = try? database.runs().first,
               let event = try? database.events(of: run.id).first(where: { $0.kind.rawValue == "codebuild-started" }) {
                build = event.data.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }?["build"]
            }
            if build == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let id = try #require(build, "no build on record; flow said: \(flow.output)")
        kill(flow.process.processIdentifier, SIGKILL)
        _ = await flow.wait()

        // The build finishes while flow is away; the resumed run takes its result, starting nothing.
        let client = HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never)
        _ = try await client.send(HTTPRequest(method: "GET", url: replay.baseURL() + "/_control/finish/" + id))
        let resumed = try await runFlow(["resume", "--last"], environment: environment, currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let requests = try await client.send(HTTPRequest(method: "GET", url: replay.baseURL() + "/_control/requests"))
        let text = String(decoding: requests.body, as: UTF8.self)
        #expect(text.components(separatedBy: "\"StartBuild\"").count - 1 == 1)
        #expect(!text.contains("\"StopBuild\""))
        let database = try RunDatabase(path: dir.url.path + "/runs/flow.db")
        let run = try #require(try database.runs().first)
        let kinds = try database.events(of: run.id).map(\.kind.rawValue).filter { $0.hasPrefix("codebuild-") }
        #expect(kinds == ["codebuild-starting", "codebuild-started", "codebuild-reattached", "codebuild-finished"])
    }

    @Test func sigtermWhileFollowingStopsTheBuildAndExits130() async throws {
        let moto = try await MotoServer.shared()
        let script = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/CodeBuild/codebuild_replay.py").path
        let replay = try await LoopbackServer.announcing("python3", [script])
        defer { replay.stop() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("remote.yml", Self.pipeline("forever"))
        let flow = try BackgroundFlow(["run", "remote.yml"], in: dir.url, environment: Self.environment(moto, codebuild: replay.baseURL()),
                                      log: dir.file("run.log"))
        let client = HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never)
        var started = false
        for _ in 0..<1500 where !started {
            let requests = try await client.send(HTTPRequest(method: "GET", url: replay.baseURL() + "/_control/requests"))
            started = String(decoding: requests.body, as: UTF8.self).contains("\"StartBuild\"") && flow.output.contains("▸ train")
            if !started { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(started, "flow said: \(flow.output)")
        kill(flow.process.processIdentifier, SIGTERM)
        #expect(await flow.wait() == 130, "\(flow.output)")
        let requests = try await client.send(HTTPRequest(method: "GET", url: replay.baseURL() + "/_control/requests"))
        let text = String(decoding: requests.body, as: UTF8.self)
        #expect(text.components(separatedBy: "\"StopBuild\"").count - 1 == 1, "\(text)")
        let database = try RunDatabase(path: dir.url.path + "/runs/flow.db")
        let run = try #require(try database.runs().first)
        #expect(run.status == .cancelled)
        let finished = try database.events(of: run.id).first { $0.kind.rawValue == "codebuild-finished" }
        #expect(finished?.data?.contains("cancelled") == true)
    }
}
