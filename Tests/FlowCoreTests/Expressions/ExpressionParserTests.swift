import Testing

@testable import FlowCore

private func value(_ source: String, _ context: EvaluationContext = EvaluationContext()) throws -> ExpressionValue {
    try Expression.parse(source).evaluate(in: context)
}

private func parseError(_ source: String) -> ExpressionError? {
    do {
        _ = try Expression.parse(source)
        return nil
    } catch {
        return error
    }
}

@Suite("Expression parser")
struct ExpressionParserTests {
    @Test(arguments: [
        ("null", ExpressionValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number(0)),
        ("42", .number(42)),
        ("-7", .number(-7)),
        ("3.25", .number(3.25)),
        ("-0.5", .number(-0.5)),
        (".5", .number(0.5)),
        ("-.5", .number(-0.5)),
        ("1.", .number(1)),
        ("1e3", .number(1000)),
        ("1E3", .number(1000)),
        ("2.5e-2", .number(0.025)),
        ("-1.5E+3", .number(-1500)),
        ("0xff", .number(255)),
        ("0XFF", .number(255)),
        ("0o17", .number(15)),
        ("Infinity", .number(.infinity)),
        ("''", .string("")),
        ("'hello'", .string("hello")),
        ("'it''s'", .string("it's")),
        ("''''", .string("'")),
        ("'a \"b\" \\n'", .string("a \"b\" \\n")),
        ("'multi\nline'", .string("multi\nline")),
        ("'日本 🚀'", .string("日本 🚀")),
    ])
    func literals(source: String, expected: ExpressionValue) throws {
        #expect(try value(source) == expected)
    }

    @Test func nanLiteralIsNaN() throws {
        guard case .number(let number) = try value("NaN") else {
            Issue.record("NaN is not a number")
            return
        }
        #expect(number.isNaN)
    }

    @Test(arguments: [
        // `!` binds tighter than equality: (!1) == 2 is false == 2; !(1 == 2) would be true.
        ("!1 == 2", ExpressionValue.bool(false)),
        // Comparison binds tighter than equality: (1 < 2) == true; 1 < (2 == true) would be false.
        ("1 < 2 == true", .bool(true)),
        // Equality binds tighter than &&: (0 == 0) && 1 is 1; 0 == (0 && 1) would be true.
        ("0 == 0 && 1", .number(1)),
        // && binds tighter than ||: 'a' || ('b' && 'c').
        ("'a' || 'b' && 'c'", .string("a")),
        ("(false || 'b') && 'c'", .string("c")),
        ("false || 'b' && 'c'", .string("c")),
        ("false && 'x' || 'y'", .string("y")),
        ("!(1 == 2)", .bool(true)),
        ("!!'x'", .bool(true)),
        ("(((1)))", .number(1)),
        // Left associativity: (1 == 1) == true.
        ("1 == 1 == true", .bool(true)),
        ("3 > 2 > 1", .bool(false)),  // (3 > 2) > 1 → true > 1 → 1 > 1
    ])
    func precedence(source: String, expected: ExpressionValue) throws {
        #expect(try value(source) == expected)
    }

    @Test func whitespaceAndNewlinesBetweenTokens() throws {
        #expect(try value(" \t1\n==\r\n 1 ") == .bool(true))
    }

    @Test func identifiersMayContainDashesAndUnderscores() throws {
        let context = EvaluationContext(values: ["steps": ["smoke-test": ["outputs": ["x_1": "ok"]]]])
        #expect(try value("steps.smoke-test.outputs.x_1", context) == "ok")
    }

    @Test func keywordsWorkAsPropertyNames() throws {
        let context = EvaluationContext(values: ["a": ["true": 1, "null": 2]])
        #expect(try value("a.true", context) == 1)
        #expect(try value("a.null", context) == 2)
    }

    @Test func functionNamesAreCaseInsensitive() throws {
        #expect(try value("CONTAINS('abc', 'B')") == true)
        #expect(try value("toJson(1)") == "1")
        #expect(try value("FromJSON('2')") == 2)
    }

    // MARK: Errors

    @Test(arguments: [
        ("a ==", 1, 5, "expected an operand after `==`"),
        ("a = b", 1, 3, "unexpected `=`; compare with `==`"),
        ("a & b", 1, 3, "unexpected `&`; the logical and is `&&`"),
        ("a | b", 1, 3, "unexpected `|`; the logical or is `||`"),
        ("\"x\"", 1, 1, "strings are written in single quotes"),
        ("1 + 2", 1, 3, "expressions have no arithmetic"),
        ("a)", 1, 2, "unexpected `)`"),
        ("(a", 1, 3, "expected `)`"),
        ("a[0", 1, 4, "expected `]`"),
        ("a[]", 1, 3, "expected an index"),
        ("a b", 1, 3, "unexpected `b`; expected an operator"),
        ("a.", 1, 3, "expected a property name or `*` after `.`"),
        ("a.(b)", 1, 3, "expected a property name"),
        ("a.b(1)", 1, 4, "unexpected `(`: only functions can be called"),
        ("-0x10", 1, 1, "hexadecimal and octal numbers take no sign"),
        ("'abc", 1, 1, "unterminated string"),
        ("x == 'it's'", 1, 11, "unterminated string"),
        ("1.2.3", 1, 1, "invalid number `1.2.3`"),
        ("12abc", 1, 1, "invalid number `12abc`"),
        ("0xZZ", 1, 1, "invalid number `0xZZ`"),
        ("!", 1, 2, "unexpected end of expression"),
        ("contains(a,", 1, 12, "unexpected end of expression"),
        ("a\n  == )", 2, 6, "unexpected `)`; expected a value"),
        ("true &&\n\n   @", 3, 4, "unexpected `@`"),
        ("'日本' == ?", 1, 9, "unexpected `?`"),
        ("'🚀🚀' ]", 1, 6, "unexpected `]`"),
    ])
    func errorsHaveExactPositions(source: String, line: Int, column: Int, message: String) {
        let error = parseError(source)
        #expect(error?.position == TextPosition(line: line, column: column))
        #expect(error?.message.contains(message) == true, "message: \(error?.message ?? "none")")
    }

    @Test(arguments: [
        ("contains('a')", "`contains` takes 2 arguments, but 1 was given"),
        ("contains('a', 'b', 'c')", "`contains` takes 2 arguments, but 3 were given"),
        ("startsWith()", "`startsWith` takes 2 arguments, but none were given"),
        ("format()", "`format` takes at least 1 argument, but none were given"),
        ("join()", "`join` takes 1 or 2 arguments, but none were given"),
        ("join(a, b, c)", "`join` takes 1 or 2 arguments, but 3 were given"),
        ("toJSON(1, 2)", "`toJSON` takes 1 argument, but 2 were given"),
        ("success(1)", "`success` takes no arguments, but 1 was given"),
        ("always(1, 2)", "`always` takes no arguments, but 2 were given"),
    ])
    func arityIsCheckedAtParseTime(source: String, message: String) {
        let error = parseError(source)
        #expect(error?.message == message)
        #expect(error?.position == TextPosition(line: 1, column: 1))
    }

    @Test func arityErrorPointsAtTheFunctionName() {
        #expect(parseError("true && format()")?.position == TextPosition(line: 1, column: 9))
    }

    @Test func unknownFunctionSuggestsACloseRealOne() {
        let error = parseError("1 == contians('abc', 'b')")
        #expect(error?.message == "unknown function `contians`; did you mean `contains`?")
        #expect(error?.position == TextPosition(line: 1, column: 6))
        #expect(
            parseError("startswith2('a', 'b')")?.message == "unknown function `startswith2`; did you mean `startsWith`?"
        )
        #expect(parseError("toJosn(1)")?.message == "unknown function `toJosn`; did you mean `toJSON`?")
    }

    @Test func unknownFunctionWithoutACloseMatchListsTheRealOnes() {
        let error = parseError("lenght(x)")
        #expect(
            error?.message.hasPrefix("unknown function `lenght`; the functions are `contains`, `startsWith`") == true)
        #expect(error?.message.contains("did you mean") == false)
        #expect(parseError("hashFiles('**/x')")?.message.hasPrefix("unknown function `hashFiles`;") == true)
    }

    @Test func unknownFunctionIsAnErrorEvenInsideArguments() {
        #expect(parseError("format('{0}', nope(1))")?.position == TextPosition(line: 1, column: 15))
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(", count: 101) + "1" + String(repeating: ")", count: 101)
        #expect(parseError(deep)?.message.hasPrefix("expression is nested too deeply (more than 100 levels") == true)
        let shallow = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(try value(shallow) == 1)
        #expect(parseError(String(repeating: "!", count: 10_000) + "x") != nil)
        // Long access chains build deep trees (flat operator chains do not: see OperatorChainTests).
        #expect(parseError("a" + String(repeating: ".b", count: 10_000)) != nil)
        #expect(parseError("a" + String(repeating: "[0]", count: 10_000)) != nil)
        #expect(try value(Array(repeating: "false", count: 50).joined(separator: " || ")) == false)
        // GitHub's depth limit: 49 nested accesses are fine, 50 are refused.
        #expect(try value("a" + String(repeating: ".b", count: 49)) == .null)
        #expect(parseError("a" + String(repeating: ".b", count: 50))?.message.contains("GitHub's limit is 50") == true)
    }

    /// An empty expression is null, as GitHub's evaluator has it; in a pipeline, an empty `${{ }}`
    /// or `if:` is refused, as GitHub's workflow parser refuses it.
    @Test func anEmptyExpressionIsNullButNotInAPipeline() throws {
        #expect(try Expression.parse("").evaluate(in: EvaluationContext()) == .null)
        #expect(try Expression.parse("   ").evaluate(in: EvaluationContext()) == .null)
        for (source, column) in [("", 1), ("   ", 4)] {
            do {
                _ = try Expression.parseInPipeline(source)
                Issue.record("`\(source)` was accepted")
            } catch {
                #expect(error.position == TextPosition(line: 1, column: column))
                #expect(error.message.contains("expected an expression"))
            }
        }
    }

    @Test func signedNumbersAndInfinityAreLiterals() throws {
        #expect(try value("+1") == 1)
        #expect(try value("+1.5") == 1.5)
        #expect(try value("-Infinity") == .number(-.infinity))
        #expect(try value("+Infinity") == .number(.infinity))
        #expect(try value("' -Infinity ' == -Infinity") == true)
    }

    @Test func callsStatusFunctionFindsThemAnywhere() throws {
        #expect(try Expression.parse("always()").callsStatusFunction)
        #expect(try Expression.parse("steps.a.outputs.x == 'y' || FAILURE()").callsStatusFunction)
        #expect(try Expression.parse("format('{0}', cancelled())").callsStatusFunction)
        #expect(try !Expression.parse("steps.a.outputs.x == 'success()'").callsStatusFunction)
        #expect(try !Expression.parse("contains(steps.*.status, 'failure')").callsStatusFunction)
    }

    @Test func expressionsAreEqualByTheirSource() throws {
        #expect(try Expression.parse("a.b") == Expression.parse("a.b"))
        #expect(try Expression.parse("a.b") != Expression.parse("a .b"))
        #expect(try Expression.parse("a.b").source == "a.b")
    }
}
