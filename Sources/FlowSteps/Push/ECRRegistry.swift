import Foundation
import FlowEngine
import FlowHTTP

/// The ECR calls a push makes, through flow's AWS layer (JSON 1.1, SigV4): the registry login
/// (`GetAuthorizationToken`) and the repository, created when missing with the scan-on-push and
/// tag-mutability settings asked for.
public struct ECRRegistry: Sendable {
    public let client: AWSClient
    static let target = "AmazonEC2ContainerRegistry_V20150921"

    public init(_ client: AWSClient) { self.client = client }

    /// What `GetAuthorizationToken` hands out: the login (`AWS` and a 12-hour password) and the
    /// registry's address (`https://<account>.dkr.ecr.<region>.amazonaws.com`).
    public struct Login: Sendable {
        public var token: String
        public var credentials: RegistryCredentials
        public var proxyEndpoint: String
        public var expiresAt: Date?

        /// The host of `proxyEndpoint`.
        public var host: String {
            URLComponents(string: proxyEndpoint)?.host.map { host in
                URLComponents(string: proxyEndpoint)?.port.map { "\(host):\($0)" } ?? host
            } ?? proxyEndpoint
        }
    }

    public func login(account: String?) async throws -> Login {
        struct Input: Encodable { var registryIds: [String]? }
        struct Data: Decodable { var authorizationToken: String; var proxyEndpoint: String; var expiresAt: Date? }
        struct Output: Decodable { var authorizationData: [Data] }
        let output: Output = try await client.json(.ecr, targetPrefix: Self.target, operation: "GetAuthorizationToken",
                                                   input: Input(registryIds: account.map { [$0] }))
        guard let data = output.authorizationData.first, let credentials = RegistryCredentials(base64Token: data.authorizationToken) else {
            throw StepError("ECR GetAuthorizationToken in \(client.region) answered without a usable token", kind: .terminal)
        }
        return Login(token: data.authorizationToken, credentials: credentials, proxyEndpoint: data.proxyEndpoint, expiresAt: data.expiresAt)
    }

    /// A repository as `DescribeRepositories` and `CreateRepository` give it.
    public struct Repository: Sendable, Hashable, Decodable {
        public struct Scanning: Sendable, Hashable, Decodable { public var scanOnPush: Bool? }
        public var repositoryName: String
        public var repositoryUri: String?
        public var registryId: String?
        public var imageTagMutability: String?
        public var imageScanningConfiguration: Scanning?
    }

    /// The repository, or nil when it does not exist.
    public func describe(_ name: String, account: String?) async throws -> Repository? {
        struct Input: Encodable { var repositoryNames: [String]; var registryId: String? }
        struct Output: Decodable { var repositories: [Repository] }
        do {
            let output: Output = try await client.json(.ecr, targetPrefix: Self.target, operation: "DescribeRepositories",
                                                       input: Input(repositoryNames: [name], registryId: account))
            return output.repositories.first
        } catch let error as AWSError where error.code == "RepositoryNotFoundException" {
            return nil
        }
    }

    public func create(_ name: String, scanOnPush: Bool, immutableTags: Bool, account: String?) async throws -> Repository {
        struct Scanning: Encodable { var scanOnPush: Bool }
        struct Input: Encodable {
            var repositoryName: String
            var registryId: String?
            var imageTagMutability: String
            var imageScanningConfiguration: Scanning
        }
        struct Output: Decodable { var repository: Repository }
        let input = Input(repositoryName: name, registryId: account, imageTagMutability: immutableTags ? "IMMUTABLE" : "MUTABLE",
                          imageScanningConfiguration: Scanning(scanOnPush: scanOnPush))
        do {
            let output: Output = try await client.json(.ecr, targetPrefix: Self.target, operation: "CreateRepository", input: input)
            return output.repository
        } catch let error as AWSError where error.code == "RepositoryAlreadyExistsException" {
            // Another push made it between our describe and create.
            if let existing = try await describe(name, account: account) { return existing }
            throw error
        }
    }
}
