import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Each built-in step type has a page, `docs/<type>.md`, and what `flow steps TYPE` declares —
/// every input and every output — appears on it as `` `name` ``, so the page and the type
/// cannot drift apart unnoticed.
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
}
