import Testing

@testable import FlowCore

private let context = EvaluationContext(values: [
    "params": ["tags": ["latest", "v1", 3], "name": "Flow", "n": 3, "obj": ["b": 2, "a": "x"]],
    "steps": ["a": ["status": "success"], "b": ["status": "failure"]],
])

private func evaluate(
    _ source: String, status: StatusContext = StatusContext()
) throws(ExpressionError) -> ExpressionValue {
    var context = context
    context.status = status
    return try Expression.parse(source).evaluate(in: context)
}

private func evaluationError(_ source: String) -> ExpressionError? {
    do {
        _ = try evaluate(source)
        return nil
    } catch {
        return error
    }
}

@Suite("Expression functions")
struct ExpressionFunctionTests {
    @Test(arguments: [
        ("contains('Hello world', 'WORLD')", true),
        ("contains('Hello', '')", true),
        ("contains('Hello', 'xyz')", false),
        ("contains(params.tags, 'LATEST')", true),  // array element, loose (case-insensitive) equality
        ("contains(params.tags, 'v2')", false),
        ("contains(params.tags, '3')", true),  // 3 == '3'
        ("contains(params.tags, 'lat')", false),  // elements, not substrings
        ("contains(steps.*.status, 'failure')", true),
        ("contains(123, 2)", true),  // both converted to strings
        ("contains(true, 'ru')", true),
        ("contains(null, '')", true),
        ("startsWith('Hello', 'he')", true),
        ("startsWith('Hello', 'lo')", false),
        ("startsWith('Hello', '')", true),
        ("startsWith(12.5, '12.')", true),
        ("endsWith('Hello', 'LO')", true),
        ("endsWith('Hello', 'He')", false),
        ("endsWith('', '')", true),
        ("endsWith('L''ÉTÉ', 'été')", true),
        ("startsWith('ß', 'SS')", false),  // one-to-one case mapping only, like GitHub's ordinal comparison
    ])
    func stringAndArrayPredicates(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    @Test(arguments: [
        ("format('{0} and {1}', 'a', 'b')", "a and b"),
        ("format('{1}{0}{1}', 'a', 'b')", "bab"),
        ("format('{{0}} is {0}', 'x')", "{0} is x"),
        ("format('{{{0}}}', 'x')", "{x}"),
        ("format('}}{{')", "}{"),
        ("format('no placeholders')", "no placeholders"),
        ("format('{0}|{1}|{2}|{3}', null, true, 1.5, params.tags)", "|true|1.5|Array"),
        ("format('{0}', fromJSON('{}'))", "Object"),
        ("format('{0}', format('{{x}}'))", "{x}"),
        ("format(3)", "3"),
        ("format('{0}{10}', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 'ten')", "0ten"),
        ("format('日本{0}', '🚀')", "日本🚀"),
    ])
    func format(source: String, expected: String) throws {
        #expect(try evaluate(source) == .string(expected))
    }

    @Test(arguments: [
        ("format('{1}', 'a')", "`format`: `{1}` refers to a missing argument; 1 argument follows the format string"),
        ("format('{0}')", "`format`: `{0}` refers to a missing argument; 0 arguments follow the format string"),
        ("format('{x}', 1)", "`format`: expected `{n}` with an argument number n; write a literal brace as `{{`"),
        ("format('{', 1)", "`format`: expected `{n}` with an argument number n; write a literal brace as `{{`"),
        ("format('{0', 1)", "`format`: expected `{n}` with an argument number n; write a literal brace as `{{`"),
        ("format('a}b', 1)", "`format`: `}` without a matching `{`; write a literal brace as `}}`"),
        ("format('{-1}', 1)", "`format`: expected `{n}` with an argument number n; write a literal brace as `{{`"),
    ])
    func formatErrors(source: String, message: String) {
        let error = evaluationError(source)
        #expect(error?.message.hasPrefix(message) == true, "message: \(error?.message ?? "none")")
        #expect(error?.position == TextPosition(line: 1, column: 1))
    }

    @Test func formatErrorSaysWhereInTheFormatString() {
        #expect(
            evaluationError("format('ab{x}', 1)")?.message.hasSuffix("(at character 3 of the format string)") == true)
    }

    @Test func formatErrorIsPositionedAtTheCall() {
        #expect(evaluationError("'x' && format('{2}')")?.position == TextPosition(line: 1, column: 8))
    }

    @Test(arguments: [
        ("join(params.tags)", "latest,v1,3"),
        ("join(params.tags, ', ')", "latest, v1, 3"),
        ("join(params.tags, '')", "latestv13"),
        ("join(steps.*.status, ' ')", "success failure"),
        ("join('just a string', '-')", "just a string"),
        ("join(fromJSON('[]'), '-')", ""),
        ("join(fromJSON('[null, true, [1], {}]'), ';')", ";true;Array;Object"),
        ("join(fromJSON('[1, 2]'), fromJSON('[]'))", "1,2"),
        ("join(42)", "42"),
        ("join(null)", ""),
        ("join(params.obj)", ""),
    ])
    func join(source: String, expected: String) throws {
        #expect(try evaluate(source) == .string(expected))
    }

    @Test func toJSONIsPrettyWithSortedKeys() throws {
        #expect(try evaluate("toJSON(params.obj)") == "{\n  \"a\": \"x\",\n  \"b\": 2\n}")
        #expect(try evaluate("toJSON(params.tags)") == "[\n  \"latest\",\n  \"v1\",\n  3\n]")
        #expect(try evaluate("toJSON('a\"b')") == #""a\"b""#)
        #expect(try evaluate("toJSON(null)") == "null")
        #expect(try evaluate("toJSON(1.5)") == "1.5")
        #expect(try evaluate("toJSON(fromJSON('{\"e\":{},\"l\":[]}'))") == "{\n  \"e\": {},\n  \"l\": []\n}")
    }

    @Test(arguments: [
        ("fromJSON('true')", ExpressionValue.bool(true)),
        ("fromJSON('null')", .null),
        ("fromJSON('-1.5e2')", .number(-150)),
        ("fromJSON('\"s\"')", .string("s")),
        ("fromJSON(' [1, {\"a\": [null]}] ')", .array([1, ["a": [nil]]])),
        ("fromJSON('{\"a\": 1, \"a\": 2}').a", .number(2)),
        ("fromJSON('{\"k\": \"v\"}').k", .string("v")),
        ("fromJSON('[\"\\u00e9\\ud83d\\ude80\\n\"]')[0]", .string("é🚀\n")),
        ("fromJSON(toJSON(params.obj)) == params.obj", .bool(false)),  // objects are never equal
        ("fromJSON(toJSON(params.obj)).b", .number(2)),
    ])
    func fromJSON(source: String, expected: ExpressionValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test(arguments: [
        ("fromJSON('')", "line 1, column 1", "unexpected end of JSON"),
        ("fromJSON('{')", "line 1, column 2", "expected a string key"),
        ("fromJSON('[1,]')", "line 1, column 4", "expected a JSON value"),
        ("fromJSON('{\"a\" 1}')", "line 1, column 6", "expected `:`"),
        ("fromJSON('[1] 2')", "line 1, column 5", "after the JSON value"),
        ("fromJSON('01')", "line 1, column 1", "leading zeros"),
        ("fromJSON('[\n  tru\n]')", "line 2, column 3", "expected `true`"),
        ("fromJSON('\"abc')", "line 1, column 1", "unterminated string"),
        ("fromJSON('\"\\x\"')", "line 1, column 2", "invalid escape"),
        ("fromJSON('NaN')", "line 1, column 1", "expected a JSON value"),
    ])
    func fromJSONErrors(source: String, location: String, detail: String) {
        let error = evaluationError(source)
        #expect(
            error?.message.hasPrefix("`fromJSON`: the text is not valid JSON (\(location) of the text)") == true,
            "message: \(error?.message ?? "none")")
        #expect(error?.message.contains(detail) == true, "message: \(error?.message ?? "none")")
    }

    @Test func fromJSONOfAnArrayReadsItsTextArrayAsGitHubDoes() {
        // Inside an expression an array's text is `Array` (GitHub's rule), which is not JSON.
        #expect(evaluationError("fromJSON(params.tags)")?.message.hasPrefix("`fromJSON`: the text is not valid JSON") == true)
    }

    @Test func fromJSONRejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: ExpressionError.self) { try ExpressionValue(json: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try ExpressionValue(json: fine) }
    }

    @Test func jsonRoundTrip() throws {
        let values: [ExpressionValue] = [
            nil, true, 0, -1.25, 1e300, "",
            "quote \" backslash \\ newline \n tab \t control \u{1} unicode é 🚀 slash /",
            [], [:], [1, [2, [3, ["deep": [nil]]]]],
            ["z": 1, "a": ["nested": ["x", false]], "": "empty key", "ü": 2],
        ]
        for value in values {
            #expect(try ExpressionValue(json: value.toJSON(pretty: true)) == value)
            #expect(try ExpressionValue(json: value.toJSON(pretty: false)) == value)
        }
    }

    @Test func nonFiniteNumbersBecomeNullInJSON() {
        #expect(ExpressionValue.array([.number(.nan), .number(.infinity)]).toJSON(pretty: false) == "[null,null]")
    }

    @Test func compactAndPrettyJSON() {
        let value: ExpressionValue = ["b": [1, 2], "a": ["c": nil]]
        #expect(value.toJSON(pretty: false) == #"{"a":{"c":null},"b":[1,2]}"#)
        #expect(value.toJSON(pretty: true) == "{\n  \"a\": {\n    \"c\": null\n  },\n  \"b\": [\n    1,\n    2\n  ]\n}")
    }

    // MARK: Status functions and conditions

    @Test(arguments: [
        (StatusContext(), [true, false, true, false]),
        (StatusContext(anyUpstreamFailed: true), [false, true, true, false]),
        (StatusContext(cancelled: true), [false, false, true, true]),
        (StatusContext(anyUpstreamFailed: true, cancelled: true), [false, true, true, true]),
    ])
    func statusFunctions(status: StatusContext, expected: [Bool]) throws {
        let results = try ["success()", "failure()", "always()", "cancelled()"].map { try evaluate($0, status: status) }
        #expect(results == expected.map { .bool($0) })
    }

    @Test func conditionWithoutStatusFunctionImpliesSuccess() throws {
        let condition = try Expression.parse("steps.a.status == 'success'")
        #expect(try condition.evaluateCondition(in: context))
        var failed = context
        failed.status = StatusContext(anyUpstreamFailed: true)
        #expect(try !condition.evaluateCondition(in: failed))
        var cancelled = context
        cancelled.status = StatusContext(cancelled: true)
        #expect(try !condition.evaluateCondition(in: cancelled))
    }

    @Test func conditionIsNotEvaluatedOnceUpstreamFailed() throws {
        // Would throw if evaluated.
        let condition = try Expression.parse("fromJSON('{')")
        var failed = context
        failed.status = StatusContext(anyUpstreamFailed: true)
        #expect(try !condition.evaluateCondition(in: failed))
        #expect(throws: ExpressionError.self) { try condition.evaluateCondition(in: context) }
    }

    @Test func conditionWithStatusFunctionIsTakenAsWritten() throws {
        var failed = context
        failed.status = StatusContext(anyUpstreamFailed: true)
        #expect(try Expression.parse("always()").evaluateCondition(in: failed))
        #expect(try Expression.parse("failure()").evaluateCondition(in: failed))
        #expect(try !Expression.parse("failure()").evaluateCondition(in: context))
        #expect(try Expression.parse("failure() && steps.b.status == 'failure'").evaluateCondition(in: failed))
        #expect(try Expression.parse("!cancelled()").evaluateCondition(in: failed))
        #expect(try Expression.parse("success() || steps.b.status == 'failure'").evaluateCondition(in: failed))
    }

    @Test func conditionUsesTruthiness() throws {
        #expect(try Expression.parse("params.name").evaluateCondition(in: context))
        #expect(try !Expression.parse("params.missing").evaluateCondition(in: context))
        #expect(try !Expression.parse("0").evaluateCondition(in: context))
        #expect(try Expression.parse("'false'").evaluateCondition(in: context))  // a non-empty string
    }
}
