import Foundation

/// An AWS access key, with its session token and expiry when it is temporary. Printing it
/// shows the key id and where it came from, never the secret or the token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?
    /// Which link of the chain produced them (`CredentialSource`).
    public var source: CredentialSource

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
                source: CredentialSource) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "AWS credentials \(accessKeyId) from \(source)" + (sessionToken == nil ? "" : " (temporary)")
    }
}

/// Where credentials came from, as `flow doctor` reports it.
public enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    case environment
    /// A profile's static keys in `~/.aws/credentials` or `~/.aws/config`.
    case profile(name: String, file: String)
    /// A profile's `credential_process`.
    case process(profile: String)
    /// The ECS/CodeBuild container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`).
    case container
    /// EC2 instance metadata (IMDSv2).
    case instanceMetadata
    /// Given directly (tests, callers with their own keys).
    case explicit

    /// The short name `flow doctor --json` prints.
    public var name: String {
        switch self {
        case .environment: "environment"
        case .profile: "profile"
        case .process: "credential_process"
        case .container: "container"
        case .instanceMetadata: "instance-metadata"
        case .explicit: "explicit"
        }
    }

    public var description: String {
        switch self {
        case .profile(let name, let file): "profile \(name) (\(file))"
        case .process(let profile): "credential_process of profile \(profile)"
        default: name
        }
    }
}

/// Anything that hands out credentials: the chain, one of its links, or fixed keys.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials.
public struct StaticCredentials: AWSCredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}
