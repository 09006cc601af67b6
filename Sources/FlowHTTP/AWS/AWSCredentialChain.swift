import FlowCore
import Foundation
import Logging

/// The standard AWS credential chain, in the SDKs' order: the environment, the profile
/// (`AWS_PROFILE` or `default`: static keys in `~/.aws/credentials`, then in `~/.aws/config`,
/// then its `credential_process`), the container endpoint (ECS, CodeBuild), EC2 instance
/// metadata (IMDSv2). The first link with credentials wins; a link that finds something
/// broken stops the chain with an `AWSCredentialError` rather than falling through to
/// credentials the user did not mean.
///
/// Credentials are kept and handed out again until `refreshMargin` before they expire (on
/// the injected clock); callers that ask meanwhile share one fetch. When a refresh fails
/// while the kept credentials still work, those are returned and a warning logged.
public actor AWSCredentialChain: AWSCredentialProvider {
    /// How long before `expiration` temporary credentials are fetched again.
    public static let refreshMargin: TimeInterval = 5 * 60

    public nonisolated let environment: [String: String]
    let http: HTTPClient
    let clock: any FlowClock
    /// Host (and port) of the container endpoint for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
    let containerHost: String
    let processTimeout: Duration
    let logger: Logger

    private var current: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?

    /// - Parameters:
    ///   - environment: the process environment (`HOME` locates `~/.aws`).
    ///   - http: its transport and clock are used; each link sets its own timeouts and retries.
    ///   - clock: decides expiry and times out a `credential_process`.
    ///   - containerHost: `169.254.170.2`, or a loopback `host:port` in tests.
    ///   - processTimeout: how long a `credential_process` may run.
    public init(environment: [String: String], http: HTTPClient, clock: any FlowClock,
                containerHost: String = "169.254.170.2", processTimeout: Duration = .seconds(60),
                logger: Logger = Logger(label: "flow.aws.credentials")) {
        self.environment = environment
        self.http = http
        self.clock = clock
        self.containerHost = containerHost
        self.processTimeout = processTimeout
        self.logger = logger
    }

    /// Kept credentials while they are fresh, else the chain's answer.
    public func credentials() async throws -> AWSCredentials {
        if let current, isFresh(current) { return current }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.refresh() }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    /// Forgets kept credentials: the next call runs the chain again.
    public func invalidate() {
        current = nil
    }

    private func refresh() async throws -> AWSCredentials {
        do {
            let fresh = try await resolve()
            current = fresh
            return fresh
        } catch {
            if let current, let expiration = current.expiration, clock.now() < expiration {
                logger.warning("Refreshing AWS credentials failed (\(error)); using those from \(current.source) until they expire at \(expiration)")
                return current
            }
            throw error
        }
    }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return clock.now() < expiration.addingTimeInterval(-Self.refreshMargin)
    }

    /// Runs every link in order, without the cache: the first credentials found, or an error.
    public func resolve() async throws -> AWSCredentials {
        var findings: [AWSCredentialFinding] = []
        let links: [@Sendable () async throws -> LinkOutcome] = [
            { [environment] in try EnvironmentLink(environment: environment).resolve() },
            { [environment, clock, processTimeout] in
                try await ProfileLink(environment: environment, clock: clock, processTimeout: processTimeout).resolve()
            },
            { [environment, http, containerHost] in
                try await ContainerLink(environment: environment, http: http, host: containerHost).resolve()
            },
            { [environment, http] in await InstanceMetadataLink(environment: environment, http: http).resolve() },
        ]
        for link in links {
            let outcome: LinkOutcome
            do {
                outcome = try await link()
            } catch var error as AWSCredentialError {
                error.findings = findings + error.findings
                throw error
            }
            switch outcome {
            case .found(let credentials):
                logger.debug("\(credentials)")
                return credentials
            case .absent(let finding):
                findings.append(finding)
            }
        }
        throw AWSCredentialError(kind: .notFound, message: "no AWS credentials found", findings: findings)
    }
}

/// What one link of the chain came back with when it did not fail.
enum LinkOutcome: Sendable {
    case found(AWSCredentials)
    /// Nothing here; the next link is tried.
    case absent(AWSCredentialFinding)
}
