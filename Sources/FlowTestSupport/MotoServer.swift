import FlowCore
import FlowHTTP
import Foundation

/// `moto_server` (an AWS-compatible server from PyPI; script/setup installs it) on a free
/// loopback port, started by `script/services run moto` with request authentication on: moto
/// checks every SigV4 signature against the keys of its own IAM users, so a test passes only
/// when libcurl signed the request right. The script's first three calls (moto's
/// `INITIAL_NO_AUTH_ACTION_COUNT`) create a user, give it an allow-all policy and make its
/// access key, which `credentials` then holds.
public final class MotoServer: @unchecked Sendable {
    public let server: LoopbackServer
    public let credentials: AWSCredentials
    /// The account moto puts everything in.
    public static let account = "123456789012"

    public var endpoint: String { server.baseURL() }

    /// One server for the whole test process, started by the first test that asks (moto
    /// takes seconds to start). Tests sharing it use names of their own. It stops when the
    /// test process ends (see `LoopbackServer`).
    public static func shared() async throws -> MotoServer { try await sharedServer.get() }
    private static let sharedServer = StartedOnce { try await MotoServer.start() }

    /// Starts moto through `script/services run moto`, which also makes the IAM user and key.
    public static func start() async throws -> MotoServer {
        let service = try await LocalService.start("moto")
        guard let id = service.environment["AWS_ACCESS_KEY_ID"], let secret = service.environment["AWS_SECRET_ACCESS_KEY"] else {
            service.stop()
            throw HarnessError("script/services run moto exported no access key")
        }
        return MotoServer(server: service.server, credentials: AWSCredentials(accessKeyId: id, secretAccessKey: secret, source: .explicit))
    }

    private init(server: LoopbackServer, credentials: AWSCredentials) {
        self.server = server
        self.credentials = credentials
    }

    /// A client for this server: `AWS_ENDPOINT_URL` pointing at it, the test user's keys.
    public func client(region: String = "us-east-1", retry: HTTPRetryPolicy = .never) -> AWSClient {
        AWSClient(http: HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: retry),
                  credentials: StaticCredentials(credentials), region: region,
                  environment: ["AWS_ENDPOINT_URL": endpoint])
    }

    public func stop() { server.stop() }
}

/// A value started by the first caller that asks for it and shared by every later one (a
/// server the whole test process uses); concurrent first callers wait for the same start.
public actor StartedOnce<Value: Sendable> {
    private let start: @Sendable () async throws -> Value
    private var starting: Task<Value, any Error>?

    public init(_ start: @escaping @Sendable () async throws -> Value) { self.start = start }

    public func get() async throws -> Value {
        if let starting { return try await starting.value }
        let task = Task { try await start() }
        starting = task
        return try await task.value
    }
}

/// The real clock, for test set-up that needs one (retries are off there).
public struct SystemTestClock: FlowClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
