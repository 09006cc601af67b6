import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// Every secret value the credential tests use contains one of these, so a test can say
/// "no secret in this message" without listing them.
let secretMarkers = ["s3cr3t", "t0ken"]

func expectNoSecret(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for marker in secretMarkers {
        #expect(!text.contains(marker), "a secret leaked into: \(text)", sourceLocation: sourceLocation)
    }
}

/// A temporary HOME with `~/.aws` files and scripts in it, and the environment a chain sees:
/// that HOME, a PATH, and instance metadata off (no test should wait on 169.254.169.254).
struct AWSHome {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    var path: String { directory.url.path }

    @discardableResult
    func credentials(_ text: String) throws -> String { try directory.write(".aws/credentials", text).path }

    @discardableResult
    func config(_ text: String) throws -> String { try directory.write(".aws/config", text).path }

    /// An executable `/bin/sh` script at `bin/<name>`.
    @discardableResult
    func script(_ name: String, _ body: String) throws -> String {
        let path = directory.file("bin/\(name)").path
        try FileManager.default.createDirectory(atPath: directory.file("bin").path, withIntermediateDirectories: true)
        try writeExecutable("#!/bin/sh\n" + body + "\n", to: path)
        return path
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["HOME": path, "PATH": "\(path)/bin:/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"]
        environment.merge(extra) { $1 }
        return environment
    }

    func remove() { directory.remove() }
}

/// A chain on real HTTP (libcurl, no proxies). Retries sleep on a clock that moves by itself;
/// expiry and process timeouts use `clock`, which moves only when the test says.
func makeChain(_ environment: [String: String], clock: ManualClock = ManualClock(),
               httpClock: ManualClock = ManualClock(autoAdvance: true),
               containerHost: String = "169.254.170.2") -> AWSCredentialChain {
    let http = HTTPClient(transport: CurlTransport(environment: [:]), clock: httpClock)
    return AWSCredentialChain(environment: environment, http: http, clock: clock, containerHost: containerHost)
}

/// The credential error `body` throws (a failed expectation when it throws none or another).
func credentialError(sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () async throws -> AWSCredentials) async -> AWSCredentialError? {
    do {
        let credentials = try await body()
        Issue.record("expected an error, got \(credentials)", sourceLocation: sourceLocation)
        return nil
    } catch let error as AWSCredentialError {
        expectNoSecret(error.description, sourceLocation: sourceLocation)
        expectNoSecret("\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an AWSCredentialError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// `Tests/FlowHTTPTests/Servers/metadata_server.py` on a free loopback port: the container
/// endpoint and IMDSv2, counting what it serves.
final class MetadataServer: Sendable {
    let server: LoopbackServer
    let http = HTTPClient(transport: CurlTransport(environment: [:]), clock: ManualClock(autoAdvance: true), retry: .never)

    init(_ arguments: [String] = []) async throws {
        let script = Repository.root.appendingPathComponent("Tests/FlowHTTPTests/Servers/metadata_server.py").path
        server = try await LoopbackServer.announcing("python3", [script] + arguments)
    }

    /// `127.0.0.1:<port>`, for `containerHost`.
    var hostAndPort: String { "127.0.0.1:\(server.port)" }
    var url: String { server.baseURL() }

    /// How many times each endpoint answered: container, token, roles, role, rejected.
    func counts() async throws -> [String: Int] {
        let response = try await http.send(HTTPRequest(url: url + "/_control/counts")).requireSuccess()
        return try JSONDecoder().decode([String: Int].self, from: response.body)
    }

    func configure(_ settings: String) async throws {
        try await http.send(HTTPRequest(method: "POST", url: url + "/_control/config", body: .bytes(Data(settings.utf8))))
            .requireSuccess()
    }

    func stop() { server.stop() }
}

/// `2027-01-15T08:00:00Z` style text for an instant.
func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
}
