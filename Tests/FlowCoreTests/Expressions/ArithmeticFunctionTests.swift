import Testing

@testable import FlowCore

private let context = EvaluationContext(values: ["params": ["batch-size": 32, "one": 1, "text": "7", "word": "many"]])

private func evaluate(_ source: String) throws -> ExpressionValue {
    try Expression.parse(source).evaluate(in: context)
}

/// `div`, `max` and `min`: the only arithmetic expressions have, for values derived from a number
/// (a runbook halving a batch size).
@Suite("Arithmetic functions")
struct ArithmeticFunctionTests {
    @Test func halvingABatchSizeNeverGoesBelowOne() throws {
        #expect(try evaluate("max(1, div(params.batch-size, 2))") == 16)
        #expect(try evaluate("max(1, div(params.one, 2))") == 1)
        #expect(try Template.parse("${{ max(1, div(params.batch-size, 2)) }}").render(in: context) == "16")
    }

    @Test func divRoundsTowardsNegativeInfinity() throws {
        #expect(try evaluate("div(7, 2)") == 3)
        #expect(try evaluate("div(-7, 2)") == -4)
        #expect(try evaluate("div(params.text, 2)") == 3)
    }

    @Test func divByZeroOrByAWordIsAnError() throws {
        #expect(throws: ExpressionError.self) { try evaluate("div(1, 0)") }
        #expect(throws: ExpressionError.self) { try evaluate("div(params.word, 2)") }
        #expect(throws: ExpressionError.self) { try evaluate("div(2, params.word)") }
    }

    @Test func maxAndMinTakeAnyNumberOfArguments() throws {
        #expect(try evaluate("max(3, 9, 4)") == 9)
        #expect(try evaluate("min(3, 9, 4, params.one)") == 1)
        #expect(throws: ExpressionError.self) { try evaluate("max(1, params.word)") }
        #expect(throws: ExpressionError.self) { try Expression.parse("max(1)") }
        #expect(throws: ExpressionError.self) { try Expression.parse("div(1, 2, 3)") }
    }

    @Test func anArithmeticOperatorPointsAtTheFunctions() {
        #expect(throws: ExpressionError.self) { try Expression.parse("params.one / 2") }
        do {
            _ = try Expression.parse("params.one + 2")
        } catch {
            #expect(error.message.contains("use `div(a, b)`"))
        }
    }
}
