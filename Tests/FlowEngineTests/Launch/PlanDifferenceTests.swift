import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// Plans compare as values (``PlannedStep`` is `Equatable`): resume says which steps of a run
/// changed by comparing planned steps, every field that decides what a step does.
@Suite struct PlanDifferenceTests {
    static let before = """
        name: p
        env: { A: "1" }
        steps:
          build: { run: make, timeout: 5m }
          test: { needs: [build], run: make test, retry: 2 }
          lint: { run: lint, working-directory: src }
          docs: { run: docs, name: Docs }
          memo: { run: memo, cache: { key: [{ files: "a/*" }] } }
          ship: { needs: [test], uses: shell, with: { script: ship } }
        """

    func changed(_ after: String) throws -> [String] {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        return PlanDifference.changedSteps(try h.plan(Self.before), try h.plan(after))
    }

    @Test func anIdenticalDefinitionChangesNothing() throws {
        #expect(try changed(Self.before) == [])
        // Spacing and quoting are not the definition.
        #expect(try changed(Self.before.replacingOccurrences(of: "{ run: make, timeout: 5m }", with: "{run: \"make\", timeout: 5m}")) == [])
    }

    @Test func everyFieldThatDecidesWhatAStepDoesCounts() throws {
        let after = Self.before
            .replacingOccurrences(of: "timeout: 5m", with: "timeout: 6m")
            .replacingOccurrences(of: "retry: 2", with: "retry: 3")
            .replacingOccurrences(of: "working-directory: src", with: "working-directory: lib")
            .replacingOccurrences(of: "name: Docs", with: "name: Documentation")
            .replacingOccurrences(of: "\"a/*\"", with: "\"b/*\"")
            .replacingOccurrences(of: "script: ship", with: "script: ship --now")
        #expect(try changed(after) == ["build", "docs", "lint", "memo", "ship", "test"])
    }

    @Test func addedAndRemovedStepsCount() throws {
        let after = Self.before.replacingOccurrences(of: "  docs: { run: docs, name: Docs }\n", with: "  new: { run: new }\n")
        #expect(try changed(after) == ["docs", "new"])
    }
}
