import FlowHTTP
import FlowTestSupport
import Foundation
import Testing

/// The environment and profile links, and the order of the whole chain.
@Suite struct CredentialChainOrderTests {
    static let staticProfiles = """
        [default]
        aws_access_key_id = AKIADEFAULTFILE
        aws_secret_access_key = s3cr3t-default-file

        [prod]
        aws_access_key_id = AKIAPRODFILE
        aws_secret_access_key = s3cr3t-prod-file
        aws_session_token = t0ken-prod-file
        """

    @Test func environmentKeysComeFirst() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let chain = makeChain(home.environment([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT", "AWS_SECRET_ACCESS_KEY": "s3cr3t-env", "AWS_SESSION_TOKEN": "t0ken-env",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/unused",
        ]))
        let credentials = try await chain.credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "AKIAENVIRONMENT", secretAccessKey: "s3cr3t-env",
                                              sessionToken: "t0ken-env", source: .environment))
    }

    @Test func halfAnEnvironmentIsAnErrorNamingTheMissingVariable() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let keyOnly = await credentialError { try await makeChain(home.environment(["AWS_ACCESS_KEY_ID": "AKIAONLY"])).credentials() }
        #expect(keyOnly?.kind == .environment)
        #expect(keyOnly?.description == "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither")

        let secretOnly = await credentialError {
            try await makeChain(home.environment(["AWS_SECRET_ACCESS_KEY": "s3cr3t-alone"])).credentials()
        }
        #expect(secretOnly?.description == "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither")
    }

    @Test func theDefaultProfileComesFromTheCredentialsFile() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let credentials = try await makeChain(home.environment()).credentials()
        #expect(credentials.accessKeyId == "AKIADEFAULTFILE")
        #expect(credentials.secretAccessKey == "s3cr3t-default-file")
        #expect(credentials.sessionToken == nil)
        #expect(credentials.source == .profile(name: "default", file: "~/.aws/credentials"))
    }

    @Test func awsProfileSelectsAProfileWithItsSessionToken() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let credentials = try await makeChain(home.environment(["AWS_PROFILE": "prod"])).credentials()
        #expect(credentials.accessKeyId == "AKIAPRODFILE")
        #expect(credentials.sessionToken == "t0ken-prod-file")
        #expect(credentials.source.description == "profile prod (~/.aws/credentials)")
    }

    @Test func staticKeysInTheCredentialsFileBeatThoseInTheConfigFileWhichBeatCredentialProcess() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.script("never-run", "echo ran >> \"$HOME/process-ran\"; exit 1")
        try home.config("""
            [profile both]
            aws_access_key_id = AKIACONFIG
            aws_secret_access_key = s3cr3t-config
            credential_process = never-run
            [profile config-only]
            aws_access_key_id = AKIACONFIGONLY
            aws_secret_access_key = s3cr3t-config-only
            credential_process = never-run
            """)
        try home.credentials("[both]\naws_access_key_id = AKIACREDENTIALS\naws_secret_access_key = s3cr3t-credentials\n")

        let both = try await makeChain(home.environment(["AWS_PROFILE": "both"])).credentials()
        #expect(both.accessKeyId == "AKIACREDENTIALS")
        #expect(both.source == .profile(name: "both", file: "~/.aws/credentials"))
        let configOnly = try await makeChain(home.environment(["AWS_PROFILE": "config-only"])).credentials()
        #expect(configOnly.accessKeyId == "AKIACONFIGONLY")
        #expect(configOnly.source == .profile(name: "config-only", file: "~/.aws/config"))
        #expect(!FileManager.default.fileExists(atPath: home.directory.file("process-ran").path))
    }

    @Test func aNamedProfileThatDoesNotExistIsAnErrorNotAFallThrough() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let error = await credentialError {
            try await makeChain(home.environment([
                "AWS_PROFILE": "staging", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/never/asked",
            ])).credentials()
        }
        #expect(error?.kind == .profile)
        #expect(error?.description
            == "profile staging (from AWS_PROFILE) is in neither ~/.aws/credentials nor ~/.aws/config; profiles there: default, prod")
        #expect(error?.findings.map(\.description) == ["environment: AWS_ACCESS_KEY_ID not set"])
    }

    @Test func aProfileWithHalfItsKeysPointsAtTheLine() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials("[default]\n# only half\naws_access_key_id = AKIAHALF\n")
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.kind == .profile)
        #expect(error?.description
            == "~/.aws/credentials:3: profile default sets aws_access_key_id but not aws_secret_access_key")
    }

    @Test func aMalformedCredentialsFileStopsTheChainWithItsLine() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials("[default]\naws_access_key_id = AKIAX\naws_secret_access_key: s3cr3t-colon\n")
        let error = await credentialError { try await makeChain(home.environment()).credentials() }
        #expect(error?.kind == .configFile)
        #expect(error?.description == "~/.aws/credentials:3: expected `key = value`, a `[section]` or a comment")
    }

    @Test func aProfileThatAssumesARoleIsReportedAsUnsupported() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.config("[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = default\n")
        let error = await credentialError { try await makeChain(home.environment(["AWS_PROFILE": "deploy"])).credentials() }
        #expect(error?.kind == .profile)
        #expect(error?.description.hasPrefix(
            "profile deploy gets credentials through role_arn (assume role) at ~/.aws/config:2, which flow does not support") == true)
    }

    @Test func whenNothingResolvesTheErrorListsWhatEachLinkFound() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        let refusing = try LoopbackServer.ClosedPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        var environment = home.environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(closed)"])
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        let error = try #require(await credentialError { try await makeChain(environment).credentials() })
        #expect(error.kind == .notFound)
        #expect(error.findings.map(\.link) == ["environment", "profile default", "container", "instance metadata"])
        #expect(error.findings[0].detail == "AWS_ACCESS_KEY_ID not set")
        #expect(error.findings[1].detail == "no ~/.aws/credentials, no ~/.aws/config")
        #expect(error.findings[2].detail == "not in a container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)")
        #expect(error.findings[3].detail.hasPrefix("no answer from http://127.0.0.1:\(closed) (connect: "))
        #expect(error.description.hasPrefix(
            "no AWS credentials found: environment: AWS_ACCESS_KEY_ID not set; profile default: no ~/.aws/credentials, no ~/.aws/config; container: not in a container"))
    }

    @Test func aDefaultProfileWithoutKeysFallsThroughAndSaysSo() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.config("[default]\nregion = eu-west-1\n")
        let error = try #require(await credentialError { try await makeChain(home.environment()).credentials() })
        #expect(error.findings.map(\.description) == [
            "environment: AWS_ACCESS_KEY_ID not set",
            "profile default: no aws_access_key_id or credential_process in [default]",
            "container: not in a container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set)",
            "instance metadata: disabled by AWS_EC2_METADATA_DISABLED",
        ])
    }

    @Test func longTermKeysAreReadOnceAndKept() async throws {
        let home = try AWSHome()
        defer { home.remove() }
        try home.credentials(Self.staticProfiles)
        let clock = ManualClock()
        let chain = makeChain(home.environment(), clock: clock)
        let first = try await chain.credentials()
        try home.credentials("[default]\naws_access_key_id = AKIAROTATED\naws_secret_access_key = s3cr3t-rotated\n")
        clock.advance(by: 30 * 24 * 3600)
        #expect(try await chain.credentials() == first)
        await chain.invalidate()
        #expect(try await chain.credentials().accessKeyId == "AKIAROTATED")
    }
}
