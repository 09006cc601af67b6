import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// LocalStack (`script/services run localstack`: the community runtime without Docker) for the
/// CloudFormation tests, and a harness that runs pipelines through the real engine against it.
enum LocalStack {
    static func shared() async throws -> LocalService {
        try await LocalService.shared("localstack")
    }

    /// The variables a step needs to reach LocalStack's CloudFormation and SSM: its endpoints
    /// and its (any) keys, whatever the test process's environment says about AWS.
    static func environment(_ service: LocalService) -> [String: String] {
        var environment = service.environment
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
        environment["AWS_REGION"] = "us-east-1"
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment["AWS_SESSION_TOKEN"] = nil
        environment["AWS_PROFILE"] = nil
        return environment
    }

    /// A CloudFormation client for the test's own checks.
    static func client(_ service: LocalService, region: String = "us-east-1") -> CloudFormationClient {
        let environment = Self.environment(service)
        let aws = AWSClient(http: HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never),
                            credentials: StaticCredentials(AWSCredentials(accessKeyId: "test", secretAccessKey: "test", source: .explicit)),
                            region: region, environment: environment)
        return CloudFormationClient(aws)
    }

    /// A stack name of the test's own.
    static func stackName(_ purpose: String) -> String {
        "flow-test-\(purpose)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Runs pipelines whose steps include `deploy-stack` through the real engine (standard HTTP and
/// AWS clients, real clock: LocalStack works in real time), in a folder of its own.
struct DeployHarness {
    let engine: EngineHarness
    let environment: [String: String]

    init(_ service: LocalService, environment extra: [String: String] = [:]) throws {
        engine = try EngineHarness()
        var environment = ProcessInfo.processInfo.environment.merging(LocalStack.environment(service)) { _, new in new }
        environment["AWS_ENDPOINT_URL"] = nil
        for (key, value) in extra { environment[key] = value }
        self.environment = environment
    }

    var folder: URL { engine.directory.url }

    func write(_ name: String, _ text: String) throws { _ = try engine.directory.write(name, text) }

    struct Result {
        var status: RunStatus
        var steps: [String: StepRecord]
        var runID: String
        var logs: [String: String]

        func step(_ id: String) throws -> StepRecord { try #require(steps[id], "no step \(id)") }
        func outputs(_ id: String) -> [String: String] { steps[id]?.outputValues ?? [:] }
        func log(_ id: String) -> String { logs[id] ?? "" }
    }

    func run(_ yaml: String) async throws -> Result {
        let plan = try engine.plan(yaml)
        let options = RunOptions(stateDirectory: engine.statePath, workingDirectory: folder.path, environment: environment,
                                 gitSHA: nil, source: yaml, gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 },
                                 resources: .standard(environment: environment, clock: RealClock()))
        let coordinator = try RunCoordinator(plan: plan, database: engine.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options) { _ in }
        let status = await coordinator.execute()
        let steps = try engine.database.steps(of: coordinator.runID)
        var logs: [String: String] = [:]
        for step in steps {
            let folder = engine.statePath + "/" + coordinator.runID + "/" + RunID.directoryName(forStep: step.stepId)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".log") }.sorted() ?? []
            logs[step.stepId] = files.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        }
        return Result(status: status, steps: Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) }), runID: coordinator.runID, logs: logs)
    }

    /// Whether any file of the state directory holds `text`.
    func stateHolds(_ text: String) -> Bool { engine.stateHolds(text) }

    func remove() { engine.directory.remove() }
}

/// Templates the tests deploy: SSM parameters (LocalStack makes them faithfully) and their
/// values echoed as Outputs.
enum Templates {
    /// One SSM parameter named after `Suffix`, holding `Greeting`; Outputs echo both.
    static let greeting = """
        AWSTemplateFormatVersion: "2010-09-09"
        Description: flow deploy-stack test
        Parameters:
          Greeting:
            Type: String
            Default: hello
          Suffix:
            Type: String
        Resources:
          Param:
            Type: AWS::SSM::Parameter
            Properties:
              Name: !Sub "/flow-test/${Suffix}/greeting"
              Type: String
              Value: !Ref Greeting
        Outputs:
          Greeting:
            Value: !GetAtt Param.Value
          ParamName:
            Value: !Ref Param
        """

    /// A good parameter and a bucket whose name S3 refuses: the create fails and rolls back.
    static let failing = """
        Parameters:
          Suffix: { Type: String }
        Resources:
          Good:
            Type: AWS::SSM::Parameter
            Properties: { Name: !Sub "/flow-test/${Suffix}/good", Type: String, Value: ok }
          Bad:
            Type: AWS::S3::Bucket
            DependsOn: Good
            Properties: { BucketName: "Not_A_Valid_Bucket_Name!" }
        """
}
