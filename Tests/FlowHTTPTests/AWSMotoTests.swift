import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// Signed calls of each protocol against moto with authentication on (see `MotoServer`):
/// a wrong signature fails there with `SignatureDoesNotMatch`, so these prove the signing.
@Suite struct AWSMotoTests {
    let moto: MotoServer

    init() async throws { moto = try await MotoServer.shared() }

    @Test func stsGetCallerIdentityIsSignedAndAnswered() async throws {
        let identity = try await STS(moto.client()).getCallerIdentity()
        #expect(identity.account == MotoServer.account)
        #expect(identity.arn.hasSuffix(":user/flow-test"))
    }

    @Test func aWrongSecretIsRefusedAsSignatureDoesNotMatch() async throws {
        var wrong = moto.credentials
        wrong.secretAccessKey = "not-the-secret"
        let client = AWSClient(http: moto.client().http, credentials: StaticCredentials(wrong), region: "us-east-1",
                               environment: ["AWS_ENDPOINT_URL": moto.endpoint])
        let error = await #expect(throws: AWSError.self) { try await STS(client).getCallerIdentity() }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.status == 403)
        #expect(error?.isRetryable == false)
        #expect(!"\(error!)".contains("not-the-secret"))
    }

    @Test func ecrCreatesAndDescribesRepositoriesOverJSON() async throws {
        let ecr = ECR(moto.client())
        let created = try await ecr.createRepository("fsdp-train", tagMutability: .immutable)
        #expect(created.repositoryName == "fsdp-train")
        #expect(created.registryId == MotoServer.account)
        let described = try await ecr.describeRepositories(["fsdp-train"])
        #expect(described.map(\.repositoryUri) == [created.repositoryUri])

        let duplicate = await #expect(throws: AWSError.self) { try await ecr.createRepository("fsdp-train") }
        #expect(duplicate?.code == "RepositoryAlreadyExistsException")
        let missing = await #expect(throws: AWSError.self) { try await ecr.describeRepositories(["nope"]) }
        #expect(missing?.code == "RepositoryNotFoundException")
        #expect(missing?.message.contains("nope") == true)
        #expect(missing?.isRetryable == false)
    }

    @Test func cloudFormationListStacksOverQuery() async throws {
        let stacks = try await CloudFormation(moto.client()).listStacks()
        #expect(stacks.isEmpty)
        // A Query error envelope: DescribeStacks of a stack that does not exist.
        let error = await #expect(throws: AWSError.self) {
            _ = try await moto.client().query(.cloudFormation, action: "DescribeStacks", version: "2010-05-15",
                                              parameters: [("StackName", "absent")])
        }
        #expect(error?.code == "ValidationError")
        #expect(error?.message.contains("does not exist") == true)
        #expect(error?.requestID?.isEmpty == false)
    }

    @Test func s3ConditionalWritesCreateOnceAndCompareAndSet() async throws {
        // (A key with `+` would fail here: moto computes its signature from the path with `+`
        // decoded, and refuses botocore's requests for such keys just the same.)
        let s3 = S3(moto.client())
        try await s3.createBucket("flow-state")
        let first = try await s3.putObject(bucket: "flow-state", key: "runs/a b.json", body: .bytes(Data("{\"v\":1}".utf8)),
                                           contentType: "application/json", condition: .ifAbsent)
        #expect(!first.isEmpty)

        let again = await #expect(throws: AWSError.self) {
            try await s3.putObject(bucket: "flow-state", key: "runs/a b.json", body: .bytes(Data("{\"v\":9}".utf8)), condition: .ifAbsent)
        }
        #expect(again?.status == 412)
        #expect(again?.code == "PreconditionFailed")

        let second = try await s3.putObject(bucket: "flow-state", key: "runs/a b.json", body: .bytes(Data("{\"v\":2}".utf8)),
                                            condition: .ifMatch(first))
        #expect(second != first)
        let stale = await #expect(throws: AWSError.self) {
            try await s3.putObject(bucket: "flow-state", key: "runs/a b.json", body: .bytes(Data("{\"v\":3}".utf8)),
                                   condition: .ifMatch(first))
        }
        #expect(stale?.status == 412)

        let read = try await s3.getObject(bucket: "flow-state", key: "runs/a b.json")
        #expect(read.text == "{\"v\":2}")
        #expect(read.headers["ETag"] == second)
    }

    @Test func s3StreamsAFileBodyUpAndDown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.file("layer.bin")
        var bytes = Data(count: 3 << 20)
        bytes.withUnsafeMutableBytes { buffer in for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) } }
        try bytes.write(to: source)
        let s3 = S3(moto.client())
        try await s3.createBucket("flow-artifacts")
        try await s3.putObject(bucket: "flow-artifacts", key: "layer.bin", body: .file(source.path))
        let copy = directory.file("copy.bin").path
        let response = try await s3.getObject(bucket: "flow-artifacts", key: "layer.bin", destination: .file(copy))
        #expect(response.bodyFile == copy)
        #expect(FileManager.default.contents(atPath: copy) == bytes)
    }
}
