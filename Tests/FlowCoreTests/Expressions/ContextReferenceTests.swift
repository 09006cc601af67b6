import Testing

@testable import FlowCore

private func references(_ source: String) throws -> [ContextReference] {
    try Expression.parse(source).references
}

private func ref(_ path: [String], _ line: Int, _ column: Int) -> ContextReference {
    ContextReference(path: path, position: TextPosition(line: line, column: column))
}

@Suite("Context references")
struct ContextReferenceTests {
    @Test func dottedPath() throws {
        #expect(try references("steps.a.outputs.b") == [ref(["steps", "a", "outputs", "b"], 1, 1)])
    }

    @Test func indexedPathWithLiterals() throws {
        #expect(try references("steps['a'].outputs['b']") == [ref(["steps", "a", "outputs", "b"], 1, 1)])
        #expect(try references("steps['build'].outputs.image") == [ref(["steps", "build", "outputs", "image"], 1, 1)])
        #expect(try references("params.list[0].name") == [ref(["params", "list", "0", "name"], 1, 1)])
        #expect(try references("steps['smoke-test'].status") == [ref(["steps", "smoke-test", "status"], 1, 1)])
    }

    @Test func singleName() throws {
        #expect(try references("matrix.x") == [ref(["matrix", "x"], 1, 1)])
        #expect(try references("  env") == [ref(["env"], 1, 3)])
    }

    @Test func pathStopsAtComputedIndexOrWildcard() throws {
        #expect(
            try references("steps[matrix.step].outputs.x") == [ref(["steps"], 1, 1), ref(["matrix", "step"], 1, 7)])
        #expect(try references("steps.*.status") == [ref(["steps"], 1, 1)])
        #expect(try references("steps[*].outputs") == [ref(["steps"], 1, 1)])
        #expect(try references("a.b[1.5].c") == [ref(["a", "b"], 1, 1)])
        #expect(try references("a.b[true].c") == [ref(["a", "b"], 1, 1)])
    }

    @Test func nestedInFunctionArguments() throws {
        #expect(
            try references("format('{0}-{1}', matrix.python, steps.build.outputs['tag'])") == [
                ref(["matrix", "python"], 1, 19), ref(["steps", "build", "outputs", "tag"], 1, 34),
            ])
        #expect(
            try references("contains(fromJSON(env.LIST), params.x) && !run.attempt") == [
                ref(["env", "LIST"], 1, 19), ref(["params", "x"], 1, 30), ref(["run", "attempt"], 1, 44),
            ])
    }

    @Test func everyOccurrenceInSourceOrder() throws {
        #expect(
            try references("(git.sha == git.sha) || pipeline.name") == [
                ref(["git", "sha"], 1, 2), ref(["git", "sha"], 1, 13), ref(["pipeline", "name"], 1, 25),
            ])
    }

    @Test func positionsAcrossLines() throws {
        #expect(try references("true &&\n  steps.a.status") == [ref(["steps", "a", "status"], 2, 3)])
    }

    @Test func noReferencesInLiteralsOrFunctionResults() throws {
        #expect(try references("'steps.a' == 1").isEmpty)
        #expect(try references("fromJSON('{}').a").isEmpty)
        #expect(try references("success()").isEmpty)
    }
}
