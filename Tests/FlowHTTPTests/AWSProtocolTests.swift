import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// Endpoint resolution, error envelopes and the AWS retry rules, without sockets.
@Suite struct AWSProtocolTests {
    @Test func endpointsFollowRegionPartitionAndOverrides() {
        #expect(AWSEndpoint.resolve(.ecr, region: "eu-west-1", environment: [:]).url == "https://api.ecr.eu-west-1.amazonaws.com")
        #expect(AWSEndpoint.resolve(.cloudFormation, region: "cn-north-1", environment: [:]).url
                == "https://cloudformation.cn-north-1.amazonaws.com.cn")
        let iam = AWSEndpoint.resolve(.iam, region: "eu-west-1", environment: [:])
        #expect(iam.url == "https://iam.amazonaws.com")
        #expect(iam.signingRegion == "us-east-1")
        #expect(AWSEndpoint.resolve(.iam, region: "cn-northwest-1", environment: [:]).url == "https://iam.cn-north-1.amazonaws.com.cn")

        let environment = ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000/", "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:6000"]
        let ecr = AWSEndpoint.resolve(.ecr, region: "eu-west-1", environment: environment)
        #expect(ecr == AWSEndpoint(url: "http://127.0.0.1:6000", signingRegion: "eu-west-1", isOverride: true))
        #expect(AWSEndpoint.resolve(.s3, region: "eu-west-1", environment: environment).url == "http://127.0.0.1:5000")
        #expect(AWSEndpoint.resolve(.logs, region: "eu-west-1", environment: ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://l"]).url == "http://l")
        #expect(AWSEndpoint.resolve(.sts, region: "us-east-2", environment: ["AWS_ENDPOINT_URL": " "]).url
                == "https://sts.us-east-2.amazonaws.com")
    }

    @Test func s3AddressingIsVirtualHostedOnAWSAndPathStyleOnOverrides() {
        let aws = S3(client(environment: [:], region: "eu-west-1"))
        #expect(aws.url(bucket: "flow-state", key: "runs/a b.json") == "https://flow-state.s3.eu-west-1.amazonaws.com/runs/a%20b.json")
        #expect(aws.url(bucket: "my.dotted.bucket", key: "k") == "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k")
        let local = S3(client(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"], region: "eu-west-1"))
        #expect(local.url(bucket: "flow-state", key: "a+b") == "http://127.0.0.1:9000/flow-state/a%2Bb")
    }

    @Test func jsonErrorEnvelopesLoseNamespaceAndSuffix() {
        let response = HTTPResponse(status: 400, headers: ["x-amzn-RequestId": "req-1"],
                                    body: Data(#"{"__type":"com.amazonaws.ecr#RepositoryNotFoundException:http://internal.amazon.com/","message":"The repository with name 'x' does not exist"}"#.utf8))
        let error = AWSError.from(response, service: "ecr", operation: "DescribeRepositories")
        #expect(error.code == "RepositoryNotFoundException")
        #expect(error.message == "The repository with name 'x' does not exist")
        #expect(error.requestID == "req-1")
        #expect(!error.isRetryable)
        #expect("\(error)" == "ecr DescribeRepositories: RepositoryNotFoundException: The repository with name 'x' does not exist [HTTP 400] (request id req-1)")

        let capital = AWSError.from(HTTPResponse(status: 400, body: Data(#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#.utf8)),
                                    service: "codebuild", operation: "StartBuild")
        #expect(capital.code == "ThrottlingException")
        #expect(capital.message == "Rate exceeded")
        #expect(capital.isRetryable)

        let headerOnly = AWSError.from(HTTPResponse(status: 400, headers: ["X-Amzn-ErrorType": "ValidationException:http://x/"]),
                                       service: "logs", operation: "GetLogEvents")
        #expect(headerOnly.code == "ValidationException")
    }

    @Test func queryAndRESTXMLErrorEnvelopes() {
        let query = """
        <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
          <RequestId>7c1e-42</RequestId>
        </ErrorResponse>
        """
        let throttled = AWSError.from(HTTPResponse(status: 400, body: Data(query.utf8)), service: "cloudformation", operation: "DescribeStacks")
        #expect(throttled == AWSError(service: "cloudformation", operation: "DescribeStacks", status: 400, code: "Throttling",
                                      message: "Rate exceeded", requestID: "7c1e-42"))
        #expect(throttled.isRetryable)

        let s3 = "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><RequestId>R1</RequestId></Error>"
        let precondition = AWSError.from(HTTPResponse(status: 412, body: Data(s3.utf8)), service: "s3", operation: "PutObject")
        #expect(precondition.code == "PreconditionFailed")
        #expect(precondition.requestID == "R1")
        #expect(!precondition.isRetryable)

        let timeout = AWSError.from(HTTPResponse(status: 400, body: Data("<Error><Code>RequestTimeout</Code><Message>m</Message></Error>".utf8)),
                                    service: "s3", operation: "PutObject")
        #expect(timeout.isRetryable)

        let html = AWSError.from(HTTPResponse(status: 502, body: Data("<html><body>Bad gateway</body>".utf8)), service: "sts", operation: "GetCallerIdentity")
        #expect(html.code == "HTTP502")
        #expect(html.isRetryable)
    }

    @Test func throttledCallsAreRetriedWhateverTheMethodAndValidationErrorsAreNot() async throws {
        let calls = Counter()
        let transport = ClosureTransport { request in
            let n = calls.increment()
            #expect(request.method == "POST")
            #expect(request.signing?.service == "cloudformation")
            #expect(request.headers["x-amz-security-token"] == "session-token")
            if n < 3 {
                return HTTPResponse(status: 400, body: Data("<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>".utf8),
                                    method: request.method, url: request.url)
            }
            return HTTPResponse(status: 200, body: Data("<ListStacksResponse><ListStacksResult><StackSummaries><member><StackName>web</StackName><StackId>id-1</StackId><StackStatus>CREATE_COMPLETE</StackStatus></member></StackSummaries></ListStacksResult></ListStacksResponse>".utf8))
        }
        let clock = ManualClock(autoAdvance: true)
        let aws = client(environment: [:], region: "us-east-1", transport: transport, clock: clock, token: "session-token")
        let stacks = try await CloudFormation(aws).listStacks()
        #expect(stacks == [CloudFormation.StackSummary(stackName: "web", stackID: "id-1", stackStatus: "CREATE_COMPLETE")])
        #expect(calls.value == 3)
        #expect(clock.sleeps.count == 2)

        let validation = Counter()
        let refusing = ClosureTransport { request in
            validation.increment()
            return HTTPResponse(status: 400, body: Data("<ErrorResponse><Error><Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error></ErrorResponse>".utf8))
        }
        let error = await #expect(throws: AWSError.self) {
            _ = try await CloudFormation(client(environment: [:], region: "us-east-1", transport: refusing, clock: clock)).listStacks()
        }
        #expect(error?.code == "ValidationError")
        #expect(validation.value == 1)
    }

    private func client(environment: [String: String], region: String,
                        transport: any HTTPTransport = ClosureTransport { _ in HTTPResponse(status: 500) },
                        clock: ManualClock = ManualClock(autoAdvance: true), token: String? = nil) -> AWSClient {
        AWSClient(http: HTTPClient(transport: transport, clock: clock, retry: HTTPRetryPolicy(attempts: 4, jitter: { 0.5 })),
                  credentials: StaticCredentials(AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: token,
                                                                source: .explicit)),
                  region: region, environment: environment)
    }
}

/// A thread-safe count for closures that run on the transport's side.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    @discardableResult func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}
