/// Finds and parses the `${{ … }}` pieces embedded in a text (a template or a `run:` script).
struct EmbeddedExpression {
    /// The parsed expression.
    var expression: Expression
    /// Offset of the `$` of `${{` in the enclosing text.
    var start: Int
    /// Offset just after the closing `}}`.
    var end: Int

    /// Whether `${{` starts at `offset`.
    static func starts(in text: ScalarText, at offset: Int) -> Bool {
        text.hasPrefix("${{", at: offset)
    }

    /// Reads the expression whose `${{` is at `start`, looking for its `}}` before `limit` (default: the end).
    /// A `}}` inside a single-quoted string literal does not end it. Errors are positioned in the enclosing text.
    /// - Returns: the expression, or, when it is unclosed or does not parse, the error and where scanning can go on.
    static func read(in text: ScalarText, at start: Int, limit: Int? = nil) -> Result<EmbeddedExpression, Failure> {
        let limit = limit ?? text.count
        let bodyStart = start + 3
        var offset = bodyStart
        var openString: Int? = nil
        while offset < limit {
            let scalar = text.scalars[offset]
            if openString != nil {
                if scalar == "'" {
                    // `''` is an escaped quote and keeps the string open.
                    if offset + 1 < limit, text[offset + 1] == "'" { offset += 1 } else { openString = nil }
                }
            } else if scalar == "'" {
                openString = offset
            } else if scalar == "}", offset + 1 < limit, text[offset + 1] == "}" {
                let origin = text.position(of: bodyStart)
                do {
                    let expression = try Expression.parseInPipeline(text.string(bodyStart..<offset))
                    return .success(EmbeddedExpression(expression: expression, start: start, end: offset + 2))
                } catch {
                    return .failure(Failure(error: error.relocated(into: origin), resumeAt: offset + 2))
                }
            }
            offset += 1
        }
        var message = "`${{` is not closed by `}}`"
        if let openString {
            let position = text.position(of: openString)
            message +=
                "; the string started at line \(position.line), column \(position.column) is not closed "
                + "(write a quote inside a string as `''`)"
        }
        return .failure(Failure(error: ExpressionError(message, at: text.position(of: start)), resumeAt: limit))
    }

    /// An expression that could not be read.
    struct Failure: Error {
        var error: ExpressionError
        /// Where scanning for further expressions can continue.
        var resumeAt: Int
    }
}
