import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// The EC2 instance metadata (IMDSv2) link, against the loopback metadata server.
@Suite struct InstanceMetadataCredentialsTests {
    func environment(_ home: AWSHome, endpoint: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = home.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        return environment.merging(extra) { $1 }
    }

    @Test func theRoleCredentialsAreFetchedWithASessionToken() async throws {
        let server = try await MetadataServer(["--role", "ci-runner", "--expiration", "2027-01-15T14:00:00Z"])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let credentials = try await makeChain(environment(home, endpoint: server.url + "/")).credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "ASIAINSTANCE1", secretAccessKey: "s3cr3t-instance-1",
                                              sessionToken: "t0ken-instance-1",
                                              expiration: Date(timeIntervalSince1970: 1_800_021_600), source: .instanceMetadata))
        // One token, one role listing, one credentials fetch, and no request without the token.
        #expect(try await server.counts() == ["token": 1, "roles": 1, "role": 1, "container": 0, "rejected": 0])
    }

    @Test func itIsSkippedWhenDisabled() async throws {
        let server = try await MetadataServer()
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let error = try #require(await credentialError {
            try await makeChain(environment(home, endpoint: server.url, ["AWS_EC2_METADATA_DISABLED": "TRUE"])).credentials()
        })
        #expect(error.findings.last?.description == "instance metadata: disabled by AWS_EC2_METADATA_DISABLED")
        #expect(try await server.counts()["token"] == 0)
    }

    @Test func anInstanceWithoutARoleIsAFinding() async throws {
        let server = try await MetadataServer(["--no-role"])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let error = try #require(await credentialError { try await makeChain(environment(home, endpoint: server.url)).credentials() })
        #expect(error.kind == .notFound)
        #expect(error.findings.last?.description == "instance metadata: no IAM role attached to this instance")
    }

    @Test func aFailingCredentialsRequestIsAFindingWithTheRoleName() async throws {
        let server = try await MetadataServer(["--role", "broken-role"])
        defer { server.stop() }
        try await server.configure(#"{"imds_status": 500}"#)
        let home = try AWSHome()
        defer { home.remove() }
        let error = try #require(await credentialError { try await makeChain(environment(home, endpoint: server.url)).credentials() })
        #expect(error.findings.last?.description == "instance metadata: credentials of role broken-role: 500 Internal Server Error")
    }

    @Test func noAnswerFailsFastOnOneAttempt() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        let refusing = try LoopbackServer.ClosedPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        // A retry would wait on the HTTP client's clock first: no wait means one attempt.
        let httpClock = ManualClock(autoAdvance: true)
        let error = try #require(await credentialError {
            try await makeChain(environment(home, endpoint: "http://127.0.0.1:\(closed)"), httpClock: httpClock).credentials()
        })
        #expect(httpClock.sleeps.isEmpty)
        #expect(error.findings.last?.detail.hasPrefix("no answer from http://127.0.0.1:\(closed) (connect: ") == true)
    }

    @Test func instanceCredentialsAreKeptThenRefreshedBeforeTheyExpire() async throws {
        let server = try await MetadataServer(["--expiration", "2027-01-15T09:00:00Z"])
        defer { server.stop() }
        let home = try AWSHome()
        defer { home.remove() }
        let clock = ManualClock()
        let chain = makeChain(environment(home, endpoint: server.url), clock: clock)
        #expect(try await chain.credentials().accessKeyId == "ASIAINSTANCE1")
        clock.advance(by: 30 * 60)
        #expect(try await chain.credentials().accessKeyId == "ASIAINSTANCE1")
        #expect(try await server.counts()["role"] == 1)
        clock.advance(by: 26 * 60)
        #expect(try await chain.credentials().accessKeyId == "ASIAINSTANCE2")
        #expect(try await server.counts() == ["token": 2, "roles": 2, "role": 2, "container": 0, "rejected": 0])
    }
}
