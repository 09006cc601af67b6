import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Each built-in step type has a page, `docs/<type>.md`, and what `flow steps TYPE` declares —
/// every input and every output — appears on it as `` `name` ``, so the page and the type
/// cannot drift apart unnoticed; and the page shows a worked example (a YAML block using the type).
@Suite struct StepTypePagesTests {
    static let types = BuiltinSteps.registry.catalog.names

    @Test(arguments: types) func thePageNamesEveryInputAndOutput(type: String) throws {
        let signature = try #require(BuiltinSteps.registry.catalog[type])
        let page = Repository.root.appendingPathComponent("docs/\(type).md")
        let text = try #require(try? String(contentsOf: page, encoding: .utf8), "docs/\(type).md is missing")
        let missingInputs = signature.inputs.map(\.name).filter { !text.contains("`\($0)`") }
        let missingOutputs = signature.knownOutputs.map(\.name).filter { !text.contains("`\($0)`") }
        #expect(missingInputs.isEmpty, "docs/\(type).md does not name the inputs \(missingInputs)")
        #expect(missingOutputs.isEmpty, "docs/\(type).md does not name the outputs \(missingOutputs)")
    }

    @Test(arguments: types) func thePageShowsAWorkedExample(type: String) throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("docs/\(type).md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml").dropFirst().map { $0.components(separatedBy: "```").first ?? "" }
        #expect(blocks.contains { $0.contains("uses: \(type)") }, "docs/\(type).md has no ```yaml example with `uses: \(type)`")
    }
}
