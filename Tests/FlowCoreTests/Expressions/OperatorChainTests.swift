import Testing

@testable import FlowCore

private let context = EvaluationContext(values: ["params": ["yes": true, "no": false, "name": "flow"]])

private func evaluate(_ source: String) throws -> ExpressionValue {
    try Expression.parse(source).evaluate(in: context)
}

private func chain(_ terms: [String], _ op: String) -> String { terms.joined(separator: " \(op) ") }

/// A flat chain `a && b && c …` is long, not deep: it parses and evaluates however many terms it has,
/// while real nesting (parentheses, `!`, calls, brackets) stays bounded.
@Suite("Operator chains")
struct OperatorChainTests {
    @Test(arguments: [102, 10_000])
    func longAndChainParsesAndYieldsTheLastOperand(terms: Int) throws {
        let source = chain(Array(repeating: "params.yes", count: terms - 1) + ["'last'"], "&&")
        #expect(try evaluate(source) == "last")
    }

    @Test(arguments: [102, 10_000])
    func longAndChainStopsAtTheFirstFalsyOperand(terms: Int) throws {
        // Everything after the falsy operand is skipped, even a call that would fail.
        var operands = Array(repeating: "true", count: terms)
        operands[terms / 2] = "0"
        operands[terms - 1] = "fromJSON('not json')"
        #expect(try evaluate(chain(operands, "&&")) == 0)
    }

    @Test(arguments: [102, 10_000])
    func longOrChainYieldsTheFirstTruthyOperand(terms: Int) throws {
        var operands = Array(repeating: "params.no", count: terms)
        operands[terms - 2] = "params.name"
        operands[terms - 1] = "fromJSON('not json')"
        #expect(try evaluate(chain(operands, "||")) == "flow")
        #expect(try evaluate(chain(Array(repeating: "''", count: terms), "||")) == "")
    }

    @Test(arguments: [102, 10_000])
    func longEqualityChainIsLeftAssociative(terms: Int) throws {
        // ((1 == 1) == 2) == … : the first comparison is true, true == 2 is false, false == 2 is false, …
        let source = chain(["1", "1"] + Array(repeating: "2", count: terms - 2), "==")
        #expect(try evaluate(source) == false)
        // Alternating `==` and `!=` on one level: ((1 == 1) != false) == true …
        var mixed = "1 == 1"
        for index in 2..<terms { mixed += index.isMultiple(of: 2) ? " != false" : " == true" }
        #expect(try evaluate(mixed) == true)
    }

    @Test func longChainsOfEveryLevelMix() throws {
        // `||` of `&&` of `==` of `<`: four flat levels, 10,000 terms each at the top.
        let term = "1 < 2 == true && params.yes"
        let source = chain(Array(repeating: "params.no && " + term, count: 9_999) + [term], "||")
        #expect(try evaluate(source) == true)
        let parsed = try Expression.parse(chain(Array(repeating: "params.name", count: 10_000), "&&"))
        #expect(parsed.references.count == 10_000)
        #expect(!parsed.callsStatusFunction)
    }

    @Test func realNestingIsStillBounded() throws {
        let parentheses = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(throws: ExpressionError.self) { try Expression.parse(parentheses) }
        do {
            _ = try Expression.parse(parentheses)
        } catch {
            #expect(error.message.hasPrefix("expression is nested too deeply (more than 100 levels"))
        }
        #expect(throws: ExpressionError.self) { try Expression.parse(String(repeating: "!", count: 200) + "true") }
        let calls = String(repeating: "format('{0}', ", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(throws: ExpressionError.self) { try Expression.parse(calls) }
        // Parentheses around each term of a chain nest one level, not one per term.
        let grouped = chain(Array(repeating: "(params.yes)", count: 10_000), "&&")
        #expect(try evaluate(grouped) == true)
    }
}
