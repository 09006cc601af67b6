import Foundation
import Testing
import FlowCore
import FlowSteps

/// The buildspec a step's build runs: valid YAML, every command one plain string, the script
/// decoded byte for byte, run by the step's interpreter in its directory.
@Suite struct CodeBuildBuildspecTests {
    func commands(_ buildspec: CodeBuildBuildspec) throws -> [String] {
        let (root, diagnostics) = YAMLComposer.compose(Array(buildspec.text.utf8), file: "buildspec.yml")
        #expect(diagnostics.isEmpty)
        let items = try #require(root?["phases"]?["build"]?["commands"]?.sequence)
        #expect(items.allSatisfy { $0.scalar?.style == .singleQuoted })
        return items.compactMap { $0.scalar?.value }
    }

    @Test func scriptWithQuotesNewlinesAndNonASCIISurvivesTheTrip() throws {
        let script = "echo 'it''s' \"$HOME\" `date` \\\n  && printf 'café\\n' # ''' \"\"\" ${{ not an expression }}\n"
        let commands = try commands(CodeBuildBuildspec(script: script, shell: "bash", directory: nil))
        let line = try #require(commands.first { $0.hasPrefix("echo '") })
        let encoded = try #require(line.split(separator: "'").dropFirst().first)
        #expect(Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } == script)
        #expect(!commands.contains { $0.hasPrefix("cd ") })
    }

    @Test func interpreterAndDirectoryAreQuotedAroundTheScriptPath() throws {
        #expect(try commands(CodeBuildBuildspec(script: "x", shell: "sh", directory: "sub dir/app")).contains(#"cd "$CODEBUILD_SRC_DIR"/'sub dir/app'"#))
        #expect(try commands(CodeBuildBuildspec(script: "x", shell: "sh", directory: nil)).contains(#"sh -e "$FLOW_SCRIPT""#))
        #expect(try commands(CodeBuildBuildspec(script: "x", shell: "python3 -u {0} --flag", directory: "/opt/w"))
                    .contains(#"python3 -u "$FLOW_SCRIPT" --flag"#))
        #expect(try commands(CodeBuildBuildspec(script: "x", shell: "python3 -u {0} --flag", directory: "/opt/w")).contains("cd /opt/w"))
    }

    @Test func outputsAreExportedAsOneVariable() throws {
        let buildspec = CodeBuildBuildspec(script: "x", shell: "bash", directory: nil)
        let (root, _) = YAMLComposer.compose(Array(buildspec.text.utf8), file: "buildspec.yml")
        #expect(root?["version"]?.scalar?.value == "0.2")
        #expect(root?["env"]?["shell"]?.scalar?.value == "bash")
        #expect(root?["env"]?["exported-variables"]?.sequence?.compactMap { $0.scalar?.value } == ["FLOW_OUTPUTS"])
        #expect(try commands(buildspec).last == #"export FLOW_OUTPUTS="$(base64 -w0 < "$FLOW_OUTPUT")""#)
    }
}

/// `runs-on.codebuild.secrets` values.
@Suite struct CodeBuildSecretSourceTests {
    @Test func sourcesParse() {
        #expect(CodeBuildSecretSource("parameter-store:/prod/db") == .parameterStore("/prod/db"))
        #expect(CodeBuildSecretSource("parameter-store:db-password") == .parameterStore("db-password"))
        #expect(CodeBuildSecretSource("secrets-manager:prod/api:key:AWSCURRENT") == .secretsManager("prod/api:key:AWSCURRENT"))
        #expect(CodeBuildSecretSource("none") == CodeBuildSecretSource.none)
    }

    @Test func anythingElseIsRefused() {
        for text in ["ssm:/x", "parameter-store:", "parameter-store:/a b", "secrets-manager:${{ params.id }}", "plaintext:x", "", "None"] {
            #expect(CodeBuildSecretSource(text) == nil, "\(text)")
        }
    }
}
