/// A string that may contain `${{ … }}` expressions, such as a YAML value in a pipeline.
public struct Template: Hashable, Sendable {
    /// The text with `…` for each expression: how a text whose values are not known yet is shown.
    public var elided: String {
        segments.map { segment -> String in
            if case .literal(let text) = segment { return text }
            return "…"
        }.joined()
    }

    /// A piece of a template: literal text or an expression.
    public enum Segment: Hashable, Sendable {
        case literal(String)
        /// `position` is where `${{` starts in the template text.
        case expression(Expression, position: TextPosition)
    }

    public let segments: [Segment]

    /// Splits `text` into literal text and expressions. There is no escape for `${{`. Errors (an unclosed
    /// `${{`, an invalid expression) are positioned in `text`, across lines.
    public static func parse(_ text: String) throws(ExpressionError) -> Template {
        let scalars = ScalarText(text)
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        var offset = 0
        while offset < scalars.count {
            guard EmbeddedExpression.starts(in: scalars, at: offset) else {
                literal.append(scalars.scalars[offset])
                offset += 1
                continue
            }
            switch EmbeddedExpression.read(in: scalars, at: offset) {
            case .failure(let failure):
                throw failure.error
            case .success(let embedded):
                if !literal.isEmpty { segments.append(.literal(String(literal))) }
                literal = String.UnicodeScalarView()
                segments.append(.expression(embedded.expression, position: scalars.position(of: offset)))
                offset = embedded.end
            }
        }
        if !literal.isEmpty { segments.append(.literal(String(literal))) }
        return Template(segments: segments)
    }

    /// Whether the template has no expressions.
    public var isLiteral: Bool { expressions.isEmpty }

    /// The expressions with where their `${{` starts in the template text.
    public var expressions: [(Expression, TextPosition)] {
        segments.compactMap { segment in
            if case .expression(let expression, let position) = segment { (expression, position) } else { nil }
        }
    }

    /// The template with each expression replaced by the string form of its value.
    /// Evaluation errors are positioned in the template text.
    public func render(in context: EvaluationContext) throws(ExpressionError) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let text): result += text
            case .expression(let expression, let position):
                result += try Template.evaluate(expression, at: position, in: context).stringValue
            }
        }
        return result
    }

    /// When the whole template is exactly one `${{ }}` (modulo surrounding whitespace), its value with its
    /// type (`${{ fromJSON('[1]') }}` is an array); otherwise the rendered string.
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> ExpressionValue {
        let expressions = self.expressions
        let onlyWhitespaceAround = segments.allSatisfy { segment in
            guard case .literal(let text) = segment else { return true }
            return text.allSatisfy(\.isWhitespace)
        }
        if expressions.count == 1, onlyWhitespaceAround {
            return try Template.evaluate(expressions[0].0, at: expressions[0].1, in: context)
        }
        return .string(try render(in: context))
    }

    /// Evaluates an expression whose `${{` is at `position`, moving error positions into the template text.
    private static func evaluate(
        _ expression: Expression, at position: TextPosition, in context: EvaluationContext
    ) throws(ExpressionError) -> ExpressionValue {
        do {
            return try expression.evaluate(in: context)
        } catch {
            // The expression's source starts just after the three scalars of `${{`.
            throw error.relocated(into: TextPosition(line: position.line, column: position.column + 3))
        }
    }
}
