import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `push` to ECR with moto as ECR's API and a docker-registry playing ECR's registry.
///
/// moto answers `GetAuthorizationToken`, `DescribeRepositories` and `CreateRepository` (SigV4
/// checked), but its `proxyEndpoint` (`https://<account>.dkr.ecr.<region>.amazonaws.com`) is not
/// reachable. So the test reproduces ECR's login flow: it starts a registry whose htpasswd holds
/// the user `AWS` with the password moto's token carries, and the step's `registry-endpoint`
/// sends the push there. Real ECR also: serves the registry at `proxyEndpoint` with a token valid
/// 12 hours, scans on push, refuses to move an immutable tag, and may omit
/// `Docker-Content-Digest` (flow hashes the body either way).
@Suite(.serialized) struct PushECRTests {
    @Test func createsTheRepositoryInEachRegionLogsInWithTheTokenAndFindsItTheSecondTime() async throws {
        let moto = try await MotoServer.shared()
        let login = try await ECRRegistry(moto.client()).login(account: nil)
        let users = try TemporaryDirectory()
        defer { users.remove() }
        let usersFile = try users.write("users", "AWS:\(login.credentials.password)\n")
        let registry = try await LocalService.start("registry", arguments: ["--users", usersFile.path])
        defer { registry.stop() }
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let repository = "flow-test/ecr-\(UUID().uuidString.prefix(8).lowercased())"
        let environment = [
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey, "AWS_REGION": "us-east-1",
        ]
        let yaml = """
            name: p
            steps:
              push:
                uses: push
                with:
                  image: \(image.name)
                  repository: \(repository)
                  regions: [us-east-1, us-west-2]
                  tags: [v1]
                  scan-on-push: true
                  immutable-tags: true
                  registry-endpoint: \(registry.address)
                  insecure: true
            """
        let first = try await h.run(yaml, environment: environment)
        let second = try await h.run(yaml, environment: environment)
        await image.remove()

        #expect(first.status == .succeeded, "\(first.log)")
        #expect(first.log.contains("ECR us-east-1: created repository \(repository) (scan-on-push true, tags immutable)"))
        #expect(first.log.contains("ECR us-west-2: created repository \(repository)"))
        #expect(first.outputs["uri"] == "\(registry.address)/\(repository):v1")
        #expect(first.outputs["uris"] == "\(registry.address)/\(repository):v1,\(registry.address)/\(repository):v1")
        // The repository as ECR's API reads it back, in both regions.
        for region in ["us-east-1", "us-west-2"] {
            let described = try #require(try await ECRRegistry(moto.client(region: region)).describe(repository, account: nil))
            #expect(described.imageScanningConfiguration?.scanOnPush == true)
            #expect(described.imageTagMutability == "IMMUTABLE")
        }
        #expect(second.status == .succeeded, "\(second.log)")
        #expect(second.log.contains("ECR us-east-1: repository \(repository) exists"))
        #expect(!second.log.contains("created repository"))
        #expect(second.outputs["digest"] == first.outputs["digest"])
        // The token and the password inside it never reach the state.
        #expect(!h.stateHolds(login.token))
        #expect(!h.stateHolds(login.credentials.password))
    }

    @Test func aMissingRepositoryWithoutCreateRepositoryIsATerminalError() async throws {
        let moto = try await MotoServer.shared()
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let result = try await h.run("""
            name: p
            steps:
              push:
                uses: push
                with: { image: \(image.name), region: eu-west-1, repository: flow-test/absent, create-repository: false,
                        registry-endpoint: "127.0.0.1:9" }
            """, environment: ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
                               "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey])
        await image.remove()
        #expect(result.status == .failed)
        #expect(result.step.error?.contains("does not exist and `create-repository` is false") == true, "\(result.step.error ?? "")")
    }
}
