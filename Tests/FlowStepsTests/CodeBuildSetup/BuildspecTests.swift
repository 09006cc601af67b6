import FlowSteps
import Foundation
import Testing
import Yams

/// The buildspec parses the way CodeBuild parses it: every command a string, version 0.2,
/// JUnit report groups.
@Suite struct BuildspecTests {
    func parsed(_ spec: Buildspec) throws -> Node {
        try #require(try Yams.compose(yaml: spec.yaml))
    }

    /// Every item of every phase's `commands`.
    func commands(_ root: Node) throws -> [Node] {
        let phases = try #require(root["phases"]?.mapping)
        return phases.flatMap { _, phase in phase["commands"]?.sequence.map(Array.init) ?? [] }
    }

    @Test func everyCommandIsAPlainStringAndTheShapeIsCodeBuilds() throws {
        let spec = Buildspec(pipeline: "pipelines/nightly.yml", stateURL: "s3://my-builds/flow/nightly",
                             downloadURL: "https://example.com/flow: latest#1")
        let root = try parsed(spec)
        #expect(root["version"]?.scalar?.string == "0.2")
        let items = try commands(root)
        #expect(items.count == 6)
        for item in items {
            // A scalar that Yams resolves to a string: neither a mapping (`- echo a: b`) nor a bool or number.
            #expect(item.scalar != nil, "not a scalar: \(item)")
            #expect(item.any is String, "not a string: \(item)")
        }
        #expect(items.compactMap(\.string) == spec.installCommands + spec.preBuildCommands + [spec.runCommand] + spec.postBuildCommands)
        #expect(root["env"]?["variables"]?["FLOW_DOWNLOAD_URL"]?.string == "https://example.com/flow: latest#1")
        #expect(root["env"]?["variables"]?["FLOW_HOME"]?.string == "runs")
        for phase in ["install", "pre_build", "build", "post_build"] { #expect(root["phases"]?[phase] != nil) }

        let reports = try #require(root["reports"]?.mapping)
        #expect(reports.count == 2)
        for (_, group) in reports {
            #expect(group["file-format"]?.string == "JUNITXML")
            #expect(group["files"]?.sequence?.allSatisfy { $0.any is String } == true)
        }
        #expect(root["reports"]?[Buildspec.runReportGroup]?["base-directory"]?.string == "out/reports")
        #expect(root["artifacts"]?["base-directory"]?.string == "runs")
        #expect(root["artifacts"]?["exclude-paths"]?.sequence?.compactMap(\.string).contains("flow.db*") == true)
    }

    @Test func theBuildRunsThePipelineWithItsStateURLAndJUnit() throws {
        let spec = Buildspec(pipeline: "pipelines/my nightly.yml", stateURL: "s3://b/p")
        #expect(spec.runCommand == "flow run 'pipelines/my nightly.yml' --junit out/reports/flow-run.xml --state-url s3://b/p")
        #expect(Buildspec(pipeline: "p.yml").runCommand == "flow run p.yml --junit out/reports/flow-run.xml")
        #expect(try parsed(spec)["env"]?["variables"]?["FLOW_DOWNLOAD_URL"]?.string == "")
    }

    @Test(arguments: ["echo a: b", "true", "0.2", "- x", "# not a comment", "a #b", "{x}", "'q'", "yes", "null", "~", "x: ", "12", "@x", "`x`", "*x", "ünï"])
    func riskyItemsAreQuotedAndReadBackAsTheSameString(_ text: String) throws {
        let yaml = "commands:\n  - " + BuildspecYAMLProbe.quote(text) + "\n"
        let node = try #require(try Yams.compose(yaml: yaml))
        let item = try #require(node["commands"]?.sequence?.first)
        #expect(item.any is String)
        #expect(item.string == text)
    }
}

/// The quoting the buildspec uses, reached through a one-command buildspec.
enum BuildspecYAMLProbe {
    static func quote(_ text: String) -> String {
        // The variable line of a buildspec whose download URL is `text` holds its quoted form.
        var probe = Buildspec(pipeline: "p.yml")
        probe.downloadURL = text
        let line = probe.yaml.split(separator: "\n").first { $0.hasPrefix("    FLOW_DOWNLOAD_URL: ") }!
        return String(line.dropFirst("    FLOW_DOWNLOAD_URL: ".count))
    }
}
