import FlowTestSupport
import Foundation
import Testing

/// `flow doctor` as a user runs it: the built binary, a real moto server for STS.
@Suite struct DoctorCommandTests {
    /// An environment with nothing of the machine's AWS set-up in it: a HOME of its own (no
    /// ~/.aws), instance metadata off (this is no EC2 machine; the probe would only wait).
    func environment(home: TemporaryDirectory, _ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["HOME"] = home.url.path
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["NO_COLOR"] = "1"
        return environment.merging(extra) { $1 }
    }

    @Test func reportsTheEnvironmentCredentialsAndTheAccountFromSTS() async throws {
        let moto = try await MotoServer.shared()
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let env = environment(home: home, ["AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
                                           "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
                                           "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey])
        let result = try await runFlow(["doctor", "--json", "--state-dir", home.file("state").path], environment: env,
                                 currentDirectory: home.url)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let aws = try #require(report["aws"] as? [String: Any])
        #expect(aws["credentialSource"] as? String == "environment")
        #expect(aws["account"] as? String == "123456789012")
        #expect(aws["region"] as? String == "us-east-1")
        #expect(aws["accessKey"] as? String == "…" + moto.credentials.accessKeyId.suffix(4))
        #expect(!result.stdout.contains(moto.credentials.secretAccessKey))
        #expect(!result.stdout.contains(moto.credentials.accessKeyId))
        #expect(!result.stderr.contains(moto.credentials.secretAccessKey))

        let http = try #require(report["http"] as? [String: Any])
        #expect((http["libcurl"] as? String)?.isEmpty == false)
        let state = try #require(report["state"] as? [String: Any])
        #expect(state["exists"] as? Bool == false)
        #expect((state["sqliteVersion"] as? String)?.hasPrefix("3.") == true)
        #expect((report["codebuild"] as? [String: Any])?["inside"] as? Bool == false)

        // The exit status agrees with the checks: 0 exactly when none is a problem.
        let checks = try #require(report["checks"] as? [[String: Any]])
        let problems = checks.filter { $0["verdict"] as? String == "problem" }
        #expect(report["ok"] as? Bool == problems.isEmpty)
        #expect(result.status == (problems.isEmpty ? 0 : 1))
        #expect(checks.first { $0["name"] as? String == "aws" }?["verdict"] as? String == "ok")
    }

    @Test func saysWhatEachLinkFoundWhenNoCredentialsResolve() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let result = try await runFlow(["doctor", "--state-dir", home.file("state").path], environment: environment(home: home, [:]),
                                 currentDirectory: home.url)
        #expect(result.status == 1)
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("PROBLEM aws") }, "\(result.stdout)")
        #expect(line.contains("AWS_ACCESS_KEY_ID"))
        #expect(result.stdout.contains("→ set AWS_ACCESS_KEY_ID"))
    }

    @Test func insideCodeBuildIsReported() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let env = environment(home: home, ["CODEBUILD_BUILD_ID": "fsdp-nightly:0b5c-42", "AWS_REGION": "eu-west-1"])
        let result = try await runFlow(["doctor", "--json", "--state-dir", home.file("state").path], environment: env, currentDirectory: home.url)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let codebuild = try #require(report["codebuild"] as? [String: Any])
        #expect(codebuild["inside"] as? Bool == true)
        #expect(codebuild["buildID"] as? String == "fsdp-nightly:0b5c-42")
    }
}
