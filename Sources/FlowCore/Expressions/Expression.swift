/// A parsed expression: the text between `${{` and `}}`, ready to evaluate.
public struct Expression: Hashable, Sendable {
    public let source: String
    let root: ExpressionNode
    /// Every context path the expression reads, in source order.
    public let references: [ContextReference]
    /// Whether `success()`, `failure()`, `always()` or `cancelled()` is called anywhere in the expression.
    public let callsStatusFunction: Bool

    /// Parses an expression. Errors carry a position inside `source`; function names and argument counts
    /// are checked here, so a parsed expression only fails at evaluation on bad data (e.g. `fromJSON`).
    /// An empty (or blank) expression is `null`, as GitHub's evaluator has it; a pipeline refuses an
    /// empty `${{ }}` or `if:` before it gets here (``parseInPipeline(_:)``), as GitHub's workflow parser does.
    public static func parse(_ source: String) throws(ExpressionError) -> Expression {
        Expression(source: source, root: try ExpressionParser.parse(source, emptyIsNull: true))
    }

    /// ``parse(_:)`` for an expression written in a pipeline (`${{ … }}`, `if:`): nothing at all is refused.
    public static func parseInPipeline(_ source: String) throws(ExpressionError) -> Expression {
        Expression(source: source, root: try ExpressionParser.parse(source, emptyIsNull: false))
    }

    private init(source: String, root: ExpressionNode) {
        self.source = source
        self.root = root
        self.references = ContextReference.collect(from: root)
        var callsStatus = false
        root.forEachNode { node in
            if case .call(let function, _) = node.kind, function.isStatusFunction { callsStatus = true }
        }
        self.callsStatusFunction = callsStatus
    }

    /// Evaluates the expression. It fails only on errors that depend on the data, such as invalid JSON
    /// given to `fromJSON` or a `format` placeholder without an argument.
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> ExpressionValue {
        try ExpressionEvaluator(context: context).evaluate(root)
    }

    /// For `if:`: GitHub's rule — when the expression calls no status function it is `success() && (expr)`,
    /// so it is false (and not evaluated) once something upstream failed or the run is cancelled.
    /// The result is the truthiness of the value.
    public func evaluateCondition(in context: EvaluationContext) throws(ExpressionError) -> Bool {
        if !callsStatusFunction, context.status.anyUpstreamFailed || context.status.cancelled { return false }
        return try evaluate(in: context).isTruthy
    }

    // The tree is fully determined by the source.
    public static func == (a: Expression, b: Expression) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
