import Foundation

/// CodeBuild (JSON 1.1, `CodeBuild_20161006`): the three calls a step running on CodeBuild makes.
/// Only the fields flow sends or reads are modelled.
public struct CodeBuildClient: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    static let target = "CodeBuild_20161006"

    /// One environment variable of a build: its value is the text itself (`PLAINTEXT`), or the
    /// name of a Parameter Store parameter or a Secrets Manager reference the build reads.
    public struct EnvironmentVariable: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case plaintext = "PLAINTEXT", parameterStore = "PARAMETER_STORE", secretsManager = "SECRETS_MANAGER"
        }
        public var name: String
        public var value: String
        public var type: Kind

        public init(name: String, value: String, type: Kind) {
            self.name = name
            self.value = value
            self.type = type
        }
    }

    /// What `StartBuild` is asked to override in the project.
    public struct StartRequest: Sendable, Hashable, Encodable {
        public var projectName: String
        public var buildspecOverride: String?
        public var environmentVariablesOverride: [EnvironmentVariable]?
        public var imageOverride: String?
        public var computeTypeOverride: String?
        public var sourceVersion: String?
        public var timeoutInMinutesOverride: Int?
        public var privilegedModeOverride: Bool?
        public var idempotencyToken: String?

        public init(projectName: String) { self.projectName = projectName }
    }

    /// A build as `BatchGetBuilds` (and `StartBuild`, `StopBuild`) describe it.
    public struct Build: Sendable, Hashable, Decodable {
        public struct Phase: Sendable, Hashable, Decodable {
            public struct Context: Sendable, Hashable, Decodable {
                public var statusCode: String?
                public var message: String?
            }
            public var phaseType: String
            public var phaseStatus: String?
            public var contexts: [Context]?
        }
        public struct Logs: Sendable, Hashable, Decodable {
            public var groupName: String?
            public var streamName: String?
            public var deepLink: String?
        }
        public struct ExportedVariable: Sendable, Hashable, Decodable {
            public var name: String
            public var value: String?
        }

        public var id: String
        public var arn: String?
        public var buildNumber: Int?
        public var buildStatus: String?
        public var currentPhase: String?
        public var projectName: String?
        public var phases: [Phase]?
        public var logs: Logs?
        public var exportedEnvironmentVariables: [ExportedVariable]?

        /// `IN_PROGRESS` (or no status yet) until the build ends.
        public var isFinished: Bool { (buildStatus ?? "IN_PROGRESS") != "IN_PROGRESS" }

        /// The uuid part of `project:uuid`: the name of the build's log stream unless the project says otherwise.
        public var uuid: String { id.split(separator: ":", maxSplits: 1).last.map(String.init) ?? id }
    }

    public func startBuild(_ request: StartRequest) async throws -> Build {
        struct Output: Decodable { var build: Build }
        let output: Output = try await client.json(.codeBuild, targetPrefix: Self.target, operation: "StartBuild", input: request)
        return output.build
    }

    /// The builds of `ids` that exist (`buildsNotFound` are left out).
    public func batchGetBuilds(_ ids: [String]) async throws -> [Build] {
        struct Input: Encodable { var ids: [String] }
        struct Output: Decodable { var builds: [Build]? }
        let output: Output = try await client.json(.codeBuild, targetPrefix: Self.target, operation: "BatchGetBuilds", input: Input(ids: ids))
        return output.builds ?? []
    }

    @discardableResult
    public func stopBuild(_ id: String) async throws -> Build? {
        struct Input: Encodable { var id: String }
        struct Output: Decodable { var build: Build? }
        let output: Output = try await client.json(.codeBuild, targetPrefix: Self.target, operation: "StopBuild", input: Input(id: id))
        return output.build
    }
}
