@testable import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// The container endpoint (ECS, CodeBuild) link, against the loopback metadata server.
@Suite struct ContainerCredentialsTests {
    /// One hour after the manual clock's start.
    static let expiration = "2027-01-15T09:00:00Z"

    @Test func aRelativeURIIsFetchedFromTheContainerHost() async throws {
        let server = try await MetadataServer(["--expiration", Self.expiration])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let chain = makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/7d3a"]),
                              containerHost: server.hostAndPort)
        let credentials = try await chain.credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "ASIACONTAINER1", secretAccessKey: "s3cr3t-container-1",
                                              sessionToken: "t0ken-container-1",
                                              expiration: Date(timeIntervalSince1970: 1_800_003_600), source: .container))
        #expect(try await server.counts()["container"] == 1)
    }

    @Test func aProfileBeatsTheContainerAndTheContainerBeatsInstanceMetadata() async throws {
        let server = try await MetadataServer()
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        var environment = home.environment([
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/order",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
        ])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        #expect(try await makeChain(environment, containerHost: server.hostAndPort).credentials().source == .container)
        #expect(try await server.counts()["token"] == 0)

        try home.credentials("[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = s3cr3t-profile\n")
        #expect(try await makeChain(environment, containerHost: server.hostAndPort).credentials().accessKeyId == "AKIAPROFILE")
        #expect(try await server.counts()["container"] == 1)
    }

    @Test func aFullURISendsTheAuthorizationTokenFromTheVariableOrTheFile() async throws {
        let server = try await MetadataServer(["--container-token", "Bearer t0ken-authorization"])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let fromVariable = makeChain(home.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/get-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer t0ken-authorization",
        ]))
        #expect(try await fromVariable.credentials().accessKeyId == "ASIACONTAINER1")

        let tokenFile = try home.directory.write("eks/token", "Bearer t0ken-authorization\n").path
        let fromFile = makeChain(home.environment([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/get-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong-t0ken-ignored",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
        ]))
        #expect(try await fromFile.credentials().accessKeyId == "ASIACONTAINER2")
        #expect(try await server.counts()["rejected"] == 0)
    }

    @Test func aWrongTokenIsAnErrorThatDoesNotShowTheTokenOrThePath() async throws {
        let server = try await MetadataServer(["--container-token", "Bearer t0ken-right"])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let error = await credentialError {
            try await makeChain(home.environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/s3cr3t-path",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer t0ken-wrong",
            ])).credentials()
        }
        #expect(error?.kind == .container)
        #expect(error?.description == "container credentials endpoint \(server.url) (AWS_CONTAINER_CREDENTIALS_FULL_URI): 401 Unauthorized: wrong or missing authorization token")
        #expect(error?.findings.map(\.link) == ["environment", "profile default"])
    }

    @Test func aServerErrorIsRetriedThenReported() async throws {
        let server = try await MetadataServer()
        defer { server.stop() }
        try await server.configure(#"{"container_status": 500}"#)
        let home = try AWSHome()
        defer { home.remove() }
        let error = await credentialError {
            try await makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/s3cr3t-guid"]),
                                containerHost: server.hostAndPort).credentials()
        }
        #expect(error?.description == "container credentials endpoint \(server.url) (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI): 500 Internal Server Error: the agent is having a bad day")
        #expect(try await server.counts()["container"] == 3)
    }

    @Test(arguments: [
        "http://169.254.170.2/v1/creds", "http://169.254.170.23/v1/credentials", "http://127.0.0.1:8080/creds",
        "http://127.1.2.3/creds", "http://localhost/creds", "http://[::1]/creds", "https://credentials.example.com/creds",
    ])
    func fullURIsTheSDKsAllow(uri: String) throws {
        try ContainerLink.checkFullURI(uri)
    }

    @Test(arguments: [
        ("http://169.254.169.254/creds", "it is http://169.254.169.254"),
        ("http://example.com/creds", "it is http://example.com"),
        ("ftp://127.0.0.1/creds", "it is ftp://127.0.0.1"),
    ])
    func fullURIsOverPlainHTTPToOtherHostsAreRefused(uri: String, ending: String) async throws {
        let home = try AWSHome()
        defer { home.remove() }
        let error = await credentialError {
            try await makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])).credentials()
        }
        #expect(error?.kind == .container)
        #expect(error?.description == "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, 169.254.170.2 or 169.254.170.23; \(ending)")
    }

    @Test func credentialsAreKeptUntilFiveMinutesBeforeTheyExpireThenFetchedAgain() async throws {
        let server = try await MetadataServer(["--expiration", Self.expiration])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let clock = ManualClock()
        let chain = makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/cache"]),
                              clock: clock, containerHost: server.hostAndPort)
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER1")
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER1")
        clock.advance(by: 54 * 60)
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER1")
        #expect(try await server.counts()["container"] == 1)

        clock.advance(by: 61)
        try await server.configure(#"{"expiration": "2027-01-15T10:00:00Z"}"#)
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER2")
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER2")
        #expect(try await server.counts()["container"] == 2)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let server = try await MetadataServer(["--expiration", Self.expiration])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let chain = makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/shared"]),
                              containerHost: server.hostAndPort)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await chain.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIACONTAINER1"])
        #expect(try await server.counts()["container"] == 1)
    }

    @Test func aFailedRefreshKeepsCredentialsThatHaveNotExpiredYet() async throws {
        let server = try await MetadataServer(["--expiration", Self.expiration])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let clock = ManualClock()
        let chain = makeChain(home.environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/flaky"]),
                              clock: clock, containerHost: server.hostAndPort)
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER1")
        try await server.configure(#"{"container_status": 503}"#)
        clock.advance(by: 57 * 60)
        #expect(try await chain.credentials().accessKeyId == "ASIACONTAINER1")
        clock.advance(by: 3 * 60)
        let error = await credentialError { try await chain.credentials() }
        #expect(error?.description.contains("503 Service Unavailable") == true)
    }
}
