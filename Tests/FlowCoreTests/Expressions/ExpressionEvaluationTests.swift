import Testing

@testable import FlowCore

private let context = EvaluationContext(values: [
    "params": ["torch": "2.3", "count": 3, "flag": true, "empty": "", "nothing": nil, "list": [1, "two", true]],
    "env": ["HOME": "/home/flow"],
    "steps": [
        "build": ["status": "success", "outputs": ["image": "app:1", "tags": ["a", "b"]]],
        "smoke-test": ["status": "failure", "outputs": ["image": "app:2"]],
        "docs": ["status": "skipped", "outputs": [:]],
    ],
    "matrix": ["python": "3.12", "os": "linux"],
    "run": ["id": "r-1", "attempt": 2],
])

private func evaluate(_ source: String) throws -> ExpressionValue {
    try Expression.parse(source).evaluate(in: context)
}

private func isNaN(_ value: ExpressionValue) -> Bool {
    if case .number(let number) = value { number.isNaN } else { false }
}

@Suite("Expression evaluation")
struct ExpressionEvaluationTests {
    // MARK: Equality and coercion (GitHub's table)

    @Test(arguments: [
        ("null == null", true),
        ("null == 0", true),
        ("null == false", true),
        ("null == ''", true),  // both coerce to 0
        ("null == 'null'", false),  // 'null' is NaN
        ("true == 1", true),
        ("false == 0", true),
        ("true == 2", false),
        ("true == 'true'", false),  // 'true' is NaN
        ("true == '1'", true),
        ("1 == '1'", true),
        ("1 == '1.0'", true),
        ("1 == ' 1 '", true),  // surrounding blanks are trimmed
        ("255 == '0xff'", true),
        ("0 == ''", true),
        ("0 == ' '", true),
        ("1 == '1x'", false),
        ("'abc' == 'ABC'", true),
        ("'straße' == 'STRASSE'", false),  // no full case folding, like GitHub's ordinal comparison
        ("'É' == 'é'", true),
        ("'a' != 'A'", false),
        ("'a' != 'b'", true),
        ("1 != '1'", false),
        ("NaN == NaN", false),
        ("NaN != NaN", true),
        ("'abc' == NaN", false),
        ("0 == -0", true),
        ("Infinity == Infinity", true),
        ("params.list == params.list", false),  // arrays are never equal
        ("steps.docs.outputs == steps.docs.outputs", false),
        ("params.list != params.list", true),
        ("fromJSON('[]') == 0", false),
        ("fromJSON('{}') == ''", false),
        ("params.nothing == null", true),
        ("params.missing == null", true),
        ("params.missing == ''", true),
        ("params.count == '3'", true),
        ("params.flag == 'true'", false),
        ("params.flag == true", true),
    ])
    func looseEquality(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    @Test(arguments: [
        ("1 < 2", true),
        ("2 <= 2", true),
        ("3 > 2", true),
        ("2 >= 3", false),
        ("'a' < 'b'", true),
        ("'a' < 'B'", true),  // case-insensitive
        ("'B' < 'a'", false),
        ("'abc' <= 'ABC'", true),
        ("'abc' >= 'ABC'", true),
        ("'10' < '9'", true),  // two strings compare as strings
        ("'10' < 9", false),  // mixed: as numbers
        ("'_' < 'a'", false),  // ordinal on upper-cased text: '_' (0x5F) > 'A' (0x41)
        ("null < 1", true),
        ("false < true", true),
        ("true > 0", true),
        ("'x' < 1", false),  // NaN compares false both ways
        ("'x' > 1", false),
        ("'x' >= 'x'", true),
        ("NaN <= NaN", false),
        ("params.list < 1", false),
        ("Infinity > 1e308", true),
    ])
    func ordering(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    // MARK: && and ||

    @Test(arguments: [
        ("'a' && 'b'", ExpressionValue.string("b")),
        ("'' && 'b'", .string("")),
        ("0 && 'b'", .number(0)),
        ("null && 'b'", .null),
        ("'a' || 'b'", .string("a")),
        ("'' || 'b'", .string("b")),
        ("false || 0", .number(0)),
        ("null || null", .null),
        ("params.missing || 'default'", .string("default")),
        ("params.torch || 'default'", .string("2.3")),
        ("params.flag && params.count", .number(3)),
        ("matrix.os == 'linux' && 'apt' || 'brew'", .string("apt")),
        ("matrix.os == 'mac' && 'apt' || 'brew'", .string("brew")),
    ])
    func logicalOperatorsReturnAnOperand(source: String, expected: ExpressionValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func logicalOperatorsShortCircuit() throws {
        // The right side would fail (invalid JSON) if it were evaluated.
        #expect(try evaluate("false && fromJSON('{')") == false)
        #expect(try evaluate("true || fromJSON('{')") == true)
        #expect(throws: ExpressionError.self) { try evaluate("true && fromJSON('{')") }
    }

    @Test func notReturnsABoolean() throws {
        #expect(try evaluate("!'a'") == false)
        #expect(try evaluate("!''") == true)
        #expect(try evaluate("!params.list") == false)
        #expect(try evaluate("!params.missing") == true)
    }

    // MARK: Truthiness

    @Test(arguments: [
        (ExpressionValue.bool(false), false), (.number(0), false), (.number(-0.0), false), (.string(""), false),
        (.null, false), (.number(.nan), false),
        (.bool(true), true), (.number(1), true), (.number(-1), true), (.number(.infinity), true),
        (.string("false"), true), (.string("0"), true), (.string(" "), true),
        (.array([]), true), (.object([:]), true),
    ])
    func truthiness(value: ExpressionValue, expected: Bool) {
        #expect(value.isTruthy == expected)
    }

    // MARK: Access

    @Test(arguments: [
        ("params.torch", ExpressionValue.string("2.3")),
        ("env.HOME", .string("/home/flow")),
        ("steps.build.outputs.image", .string("app:1")),
        ("steps['build'].outputs['image']", .string("app:1")),
        ("steps['smoke-test'].status", .string("failure")),
        ("steps.smoke-test.outputs.image", .string("app:2")),
        ("steps[format('{0}-test', 'smoke')].status", .string("failure")),
        ("steps[matrix.missing].status", .null),
        ("params.list[0]", .number(1)),
        ("params.list[1]", .string("two")),
        ("params.list['1']", .string("two")),  // the index is converted to a number
        ("params.list[1.7]", .string("two")),  // and truncated
        ("params.list[3]", .null),
        ("params.list[-1]", .null),
        ("params.list['x']", .null),
        ("params.list.length", .null),
        ("steps.build.outputs.tags[1]", .string("b")),
        ("run.attempt", .number(2)),
        ("params.count[0]", .null),
        ("params.torch.major", .null),
    ])
    func propertyAndIndexAccess(source: String, expected: ExpressionValue) throws {
        #expect(try evaluate(source) == expected)
    }

    @Test func accessOnNullOrMissingIsNull() throws {
        #expect(try evaluate("params.missing.deeper.still") == .null)
        #expect(try evaluate("nope.x") == .null)
        #expect(try evaluate("params.nothing['x'][0]") == .null)
        #expect(try evaluate("null.x") == .null)
    }

    /// As in GitHub, contexts and property names are looked up ignoring case (an exact match first).
    @Test func keysAndContextsAreCaseInsensitive() throws {
        let home = try evaluate("env.HOME")
        #expect(home != .null)
        #expect(try evaluate("env.home") == home)
        #expect(try evaluate("ENV.HOME") == home)
        let data = EvaluationContext(values: ["o": ["BaR": 1, "bar": 2, "Only": 3]])
        #expect(try Expression.parse("o.bar").evaluate(in: data) == 2)  // the exact name wins
        #expect(try Expression.parse("o.BAR").evaluate(in: data) == 1)  // else the first in sorted order
        #expect(try Expression.parse("o['ONLY']").evaluate(in: data) == 3)
    }

    @Test func objectWildcardGivesTheValuesOrderedByKey() throws {
        #expect(try evaluate("steps.*.status") == ["success", "skipped", "failure"])  // build, docs, smoke-test
        #expect(try evaluate("steps[*].status") == ["success", "skipped", "failure"])
        #expect(try evaluate("steps.*.outputs.image") == ["app:1", "app:2"])  // missing ones are left out
        #expect(try evaluate("contains(steps.*.status, 'failure')") == true)
    }

    @Test func arrayWildcardAndChains() throws {
        let data = EvaluationContext(values: [
            "x": ["a": [["n": 1, "v": [10, 11]], ["n": 2, "v": [20]], ["m": 3]], "b": [["n": 4]]]
        ])
        func run(_ source: String) throws -> ExpressionValue { try Expression.parse(source).evaluate(in: data) }
        #expect(try run("x.a.*.n") == [1, 2])
        #expect(try run("x.a[*].n") == [1, 2])
        #expect(try run("x.a.*.v") == [[10, 11], [20]])
        #expect(try run("x.a.*.v[0]") == [10, 20])  // the index applies to each element
        #expect(try run("x.a.*.v.*") == [10, 11, 20])  // a second wildcard flattens one level
        #expect(try run("x.*.*.n") == [1, 2, 4])
        #expect(try run("x.a.*") == .array([["n": 1, "v": [10, 11]], ["n": 2, "v": [20]], ["m": 3]]))
        #expect(try run("x.a[1].n") == 2)  // no wildcard: ordinary index
        // A wildcard on anything but an array or object is an empty array, as in GitHub.
        #expect(try run("x.missing.*") == [])
        #expect(try run("x.a[0].n.*") == [])
    }

    @Test func stringValueConversion() throws {
        #expect(ExpressionValue.null.stringValue == "")
        #expect(ExpressionValue.bool(true).stringValue == "true")
        #expect(ExpressionValue.bool(false).stringValue == "false")
        #expect(ExpressionValue.string("x").stringValue == "x")
        #expect(ExpressionValue.array([1, "a", nil]).stringValue == #"[1,"a",null]"#)
        #expect(ExpressionValue.object(["b": 1, "a": [true]]).stringValue == #"{"a":[true],"b":1}"#)
    }

    @Test(arguments: [
        (3.0, "3"), (-3.0, "-3"), (0.0, "0"), (-0.0, "0"), (3.5, "3.5"), (0.1, "0.1"), (0.1 + 0.2, "0.3"),
        (1.0 / 3.0, "0.333333333333333"), (123456789012345.0, "123456789012345"), (1e15, "1e+15"),
        (1e21, "1e+21"), (1.5e-7, "1.5e-7"), (-2.25e-10, "-2.25e-10"), (Double.nan, "NaN"),
        (Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"), (255.0, "255"), (1e14, "100000000000000"),
    ])
    func numberToString(number: Double, expected: String) {
        #expect(ExpressionValue.number(number).stringValue == expected)
    }

    @Test func nanFromCoercionIsFalsy() throws {
        #expect(isNaN(.number(ExpressionValue.string("abc").numberValue)))
        #expect(try !Expression.parse("NaN").evaluate(in: context).isTruthy)
    }
}
