import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// What a step on CodeBuild sends: the StartBuild request (buildspec, variables, overrides,
/// token), checked on the requests the replay server recorded.
@Suite("CodeBuild steps: the StartBuild request", .serialized)
struct CodeBuildRequestTests {
    static let secretValue = "hunter2-9f8e7d6c5b4a"

    @Test func startBuildCarriesScriptEnvironmentAndSecretsAsReferences() async throws {
        let moto = try await MotoServer.shared()
        let replay = try await CodeBuildReplay.start()
        let harness = try CodeBuildHarness(codebuild: replay.url, moto: moto, environment: ["DB_PASSWORD": Self.secretValue])
        defer { replay.stop(); harness.remove() }
        try FileManager.default.createDirectory(atPath: harness.engine.directory.url.path + "/app", withIntermediateDirectories: true)
        let result = try await harness.run("""
            name: remote
            env: { STAGE: prod }
            secrets: [DB_PASSWORD]
            steps:
              migrate:
                working-directory: app
                env: { TARGET: "${{ env.STAGE }}-db" }
                run: |
                  echo "it's $TARGET" | tee out.txt
                  ./migrate --password-from-env DB_PASSWORD
                runs-on:
                  codebuild:
                    project: succeeded
                    image: aws/codebuild/standard:7.0
                    compute-type: BUILD_GENERAL1_LARGE
                    privileged: true
                    secrets:
                      DB_PASSWORD: parameter-store:/flow/db-password
            """)
        #expect(result.status == .succeeded)
        let start = try #require(try await replay.requests("StartBuild").first)
        #expect(start.body["projectName"] == .string("succeeded"))
        #expect(start.body["imageOverride"] == .string("aws/codebuild/standard:7.0"))
        #expect(start.body["computeTypeOverride"] == .string("BUILD_GENERAL1_LARGE"))
        #expect(start.body["privilegedModeOverride"] == .bool(true))
        guard case .string(let token)? = start.body["idempotencyToken"] else { Issue.record("no idempotency token"); return }
        #expect(token.hasPrefix("flow-"))

        let variables = start.variables
        #expect(variables["STAGE"]?.0 == "prod" && variables["STAGE"]?.1 == "PLAINTEXT")
        #expect(variables["TARGET"]?.0 == "prod-db")
        #expect(variables["DB_PASSWORD"]?.0 == "/flow/db-password" && variables["DB_PASSWORD"]?.1 == "PARAMETER_STORE")
        #expect(variables["FLOW_RUN_ID"]?.0 == result.runID)
        #expect(variables["FLOW_STEP"]?.0 == "migrate")
        #expect(!variables.values.contains { $0.0.contains(Self.secretValue) })
        let sent = try await replay.rawRequests()
        #expect(sent.contains("hunter2") == false && sent.contains("/flow/db-password"))
        #expect(!harness.engine.stateHolds(Self.secretValue))

        // The buildspec parses as YAML, every command a plain string, and runs the script as given.
        guard case .string(let buildspec)? = start.body["buildspecOverride"] else { Issue.record("no buildspec"); return }
        let (root, diagnostics) = YAMLComposer.compose(Array(buildspec.utf8), file: "buildspec.yml")
        #expect(diagnostics.isEmpty)
        let node = try #require(root)
        #expect(node["version"]?.scalar?.value == "0.2")
        #expect(node["env"]?["exported-variables"]?.sequence?.first?.scalar?.value == "FLOW_OUTPUTS")
        let commands = try #require(node["phases"]?["build"]?["commands"]?.sequence)
        #expect(commands.allSatisfy { $0.scalar != nil && $0.scalar?.style != .plain })
        let texts = commands.compactMap { $0.scalar?.value }
        #expect(texts.contains(#"cd "$CODEBUILD_SRC_DIR"/app"#))
        #expect(texts.contains(#"bash --noprofile --norc -eo pipefail "$FLOW_SCRIPT""#))
        let encoded = try #require(texts.first { $0.hasPrefix("echo '") }?.split(separator: "'")[1])
        #expect(String(decoding: try #require(Data(base64Encoded: String(encoded))), as: UTF8.self)
                    == "echo \"it's $TARGET\" | tee out.txt\n./migrate --password-from-env DB_PASSWORD\n")
    }

    @Test func aSecretValueInAPlainVariableIsRefusedBeforeAnyBuild() async throws {
        let moto = try await MotoServer.shared()
        let replay = try await CodeBuildReplay.start()
        let harness = try CodeBuildHarness(codebuild: replay.url, moto: moto)
        defer { replay.stop(); harness.remove() }
        let result = try await harness.run("""
            name: remote
            params:
              token: { type: string, secret: true, default: \(Self.secretValue) }
            steps:
              push:
                env: { TOKEN_COPY: "${{ params.token }}" }
                run: ./push.sh
                runs-on: { codebuild: { project: succeeded } }
            """)
        let step = try result.step("push")
        #expect(step.status == .failed)
        #expect(step.error?.contains("`TOKEN_COPY` holds a secret value") == true)
        #expect(try await replay.requests("StartBuild").isEmpty)
        #expect(!harness.engine.stateHolds(Self.secretValue))
    }

    @Test func secretsManagerAndNoneSources() async throws {
        let moto = try await MotoServer.shared()
        let replay = try await CodeBuildReplay.start()
        let harness = try CodeBuildHarness(codebuild: replay.url, moto: moto, environment: ["API_KEY": Self.secretValue, "UNUSED": "x-" + Self.secretValue])
        defer { replay.stop(); harness.remove() }
        let result = try await harness.run("""
            name: remote
            secrets: [API_KEY, UNUSED]
            steps:
              call:
                run: 'curl -H "key: $API_KEY" https://example.invalid'
                runs-on:
                  codebuild:
                    project: succeeded
                    secrets: { API_KEY: "secrets-manager:prod/api:key", UNUSED: none }
            """)
        #expect(result.status == .succeeded)
        let text = try await replay.rawRequests()
        let variables = try #require(try await replay.requests("StartBuild").first).variables
        #expect(variables["API_KEY"]?.value == "prod/api:key" && variables["API_KEY"]?.type == "SECRETS_MANAGER")
        #expect(variables["UNUSED"] == nil)
        #expect(!text.contains("UNUSED"))
        #expect(!text.contains(Self.secretValue))
    }
}
