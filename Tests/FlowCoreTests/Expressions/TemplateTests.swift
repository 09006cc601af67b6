import Testing

@testable import FlowCore

private let context = EvaluationContext(values: [
    "params": ["torch": "2.3", "n": 3, "list": [1, 2], "flag": false, "nothing": nil],
    "matrix": ["python": "3.12"],
])

private func templateError(_ text: String) -> ExpressionError? {
    do {
        _ = try Template.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite("Templates")
struct TemplateTests {
    @Test func literalTextHasNoExpressions() throws {
        let template = try Template.parse("plain $HOME {{ x }} ${ y } $ {{")
        #expect(template.isLiteral)
        #expect(template.segments == [.literal("plain $HOME {{ x }} ${ y } $ {{")])
        #expect(try template.render(in: context) == "plain $HOME {{ x }} ${ y } $ {{")
        #expect(try Template.parse("").segments.isEmpty)
    }

    @Test func segmentsAndPositions() throws {
        let template = try Template.parse("torch==${{ params.torch }}, py${{matrix.python}}")
        #expect(!template.isLiteral)
        #expect(
            template.segments == [
                .literal("torch=="),
                .expression(try Expression.parse(" params.torch "), position: TextPosition(line: 1, column: 8)),
                .literal(", py"),
                .expression(try Expression.parse("matrix.python"), position: TextPosition(line: 1, column: 31)),
            ])
        #expect(template.expressions.map(\.1) == [TextPosition(line: 1, column: 8), TextPosition(line: 1, column: 31)])
        #expect(template.expressions.map(\.0.source) == [" params.torch ", "matrix.python"])
    }

    @Test func positionsCountUnicodeScalarsAndLines() throws {
        let template = try Template.parse("日本🚀 ${{ a }}\nline two ${{ b }}")
        #expect(template.expressions.map(\.1) == [TextPosition(line: 1, column: 5), TextPosition(line: 2, column: 10)])
    }

    @Test func rendering() throws {
        #expect(try Template.parse("v${{ params.torch }}-${{ params.n }}").render(in: context) == "v2.3-3")
        #expect(
            try Template.parse("[${{ params.nothing }}|${{ params.flag }}|${{ params.list }}]").render(in: context)
                == "[|false|[1,2]]")
        #expect(try Template.parse("${{ 1.50 }}${{ 'a' }}").render(in: context) == "1.5a")
    }

    @Test func closingBracesInsideStringLiteralsDoNotEndTheExpression() throws {
        let template = try Template.parse("x ${{ format('{{x}}') }} y ${{ 'a }} b' }}")
        #expect(template.expressions.map(\.0.source) == [" format('{{x}}') ", " 'a }} b' "])
        #expect(try template.render(in: context) == "x {x} y a }} b")
        #expect(try Template.parse("${{ 'it''s }}' }}").render(in: context) == "it's }}")
    }

    @Test func singleExpressionKeepsItsType() throws {
        #expect(try Template.parse("${{ params.n }}").evaluate(in: context) == .number(3))
        #expect(try Template.parse("  ${{ params.list }}\n").evaluate(in: context) == [1, 2])
        #expect(try Template.parse("${{ params.flag }}").evaluate(in: context) == false)
        #expect(try Template.parse("${{ params.nothing }}").evaluate(in: context) == .null)
        #expect(try Template.parse("${{ fromJSON('{\"a\":1}') }}").evaluate(in: context) == ["a": 1])
    }

    @Test func anythingElseEvaluatesToTheRenderedString() throws {
        #expect(try Template.parse("n=${{ params.n }}").evaluate(in: context) == "n=3")
        #expect(try Template.parse("${{ params.n }}${{ params.n }}").evaluate(in: context) == "33")
        #expect(try Template.parse("plain").evaluate(in: context) == "plain")
        #expect(try Template.parse("").evaluate(in: context) == "")
    }

    @Test func unterminatedExpressionIsAnErrorAtItsStart() {
        let error = templateError("echo ok\n  run ${{ params.torch\nmore")
        #expect(error?.position == TextPosition(line: 2, column: 7))
        #expect(error?.message == "`${{` is not closed by `}}`")
        #expect(templateError("a ${{ b } }")?.position == TextPosition(line: 1, column: 3))
    }

    @Test func unterminatedStringInsideAnExpressionIsExplained() {
        let error = templateError("x\n${{ format('it's') }}")
        #expect(error?.position == TextPosition(line: 2, column: 1))
        #expect(error?.message.contains("the string started at line 2, column 17 is not closed") == true)
    }

    @Test func parseErrorsArePositionedInTheTemplateText() {
        // On the line of `${{`: shifted by the expression's start.
        let sameLine = templateError("echo hi ${{ params.x == }}")
        #expect(sameLine?.position == TextPosition(line: 1, column: 25))
        // In the second line of a multi-line script.
        let secondLine = templateError("echo one\necho ${{ contians('a', 'b') }}\n")
        #expect(secondLine?.position == TextPosition(line: 2, column: 10))
        #expect(secondLine?.message == "unknown function `contians`; did you mean `contains`?")
        // An expression that itself spans lines: later lines keep their own columns.
        let spanning = templateError("a: ${{ true &&\n   ) }}")
        #expect(spanning?.position == TextPosition(line: 2, column: 4))
        #expect(templateError("${{ }}")?.message == "expected an expression, found nothing")
        #expect(templateError("${{ }}")?.position == TextPosition(line: 1, column: 5))
    }

    @Test func evaluationErrorsArePositionedInTheTemplateText() {
        let template = try? Template.parse("line one\n  value: ${{ fromJSON('{') }}")
        #expect(
            throws: ExpressionError(
                "`fromJSON`: the text is not valid JSON (line 1, column 2 of the text): expected a string key in the object",
                at: TextPosition(line: 2, column: 14))
        ) { try template?.render(in: context) }
        #expect(throws: ExpressionError.self) { try template?.evaluate(in: context) }
    }
}
