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
    public static func parse(_ source: String) throws(ExpressionError) -> Expression {
        Expression(source: source, root: try ExpressionParser.parse(source))
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

/// A context path an expression reads: `steps['build'].outputs.image` is `["steps", "build", "outputs", "image"]`.
public struct ContextReference: Hashable, Sendable {
    /// The leading literal segments: the context name, then `.name` and `['literal']` / `[0]` accesses.
    /// It stops at the first index that is computed (`[matrix.x]`) or a wildcard (`.*`).
    public var path: [String]
    /// Where the reference starts (its context name) in the expression source.
    public var position: TextPosition

    public init(path: [String], position: TextPosition) {
        self.path = path
        self.position = position
    }

    /// One reference per access chain rooted at a context name, in source order; computed indexes
    /// contribute references of their own (`steps[matrix.step]` gives `steps` and `matrix.step`).
    static func collect(from root: ExpressionNode) -> [ContextReference] {
        var references: [ContextReference] = []
        // Visits parents before children, so the longest chain containing a context name is seen first;
        // the shorter chains inside it are skipped by the `covered` check.
        var covered = Set<TextPosition>()
        root.forEachNode { node in
            guard let chain = literalPath(node), !covered.contains(chain.position) else { return }
            covered.insert(chain.position)
            references.append(ContextReference(path: chain.path, position: chain.position))
        }
        return references.sorted { $0.position < $1.position }
    }

    /// For an access chain `name.a['b'][0]…`: its literal path, where it starts, and whether the path still
    /// covers the whole chain (it stops growing at a computed index or a wildcard).
    private static func literalPath(_ node: ExpressionNode) -> (path: [String], position: TextPosition, isComplete: Bool)? {
        switch node.kind {
        case .context(let name):
            return ([name], node.position, true)
        case .property(let base, let name):
            return extend(base, with: name)
        case .index(let base, let key):
            if let segment = literalSegment(key) { return extend(base, with: segment) }
            return literalPath(base).map { ($0.path, $0.position, false) }
        case .wildcard(let base):
            return literalPath(base).map { ($0.path, $0.position, false) }
        default:
            return nil
        }
    }

    private static func extend(_ base: ExpressionNode, with segment: String) -> (path: [String], position: TextPosition, isComplete: Bool)? {
        guard var result = literalPath(base) else { return nil }
        if result.isComplete { result.path.append(segment) }
        return result
    }

    /// The path segment of a literal index: a string, or a non-negative integer written in decimal.
    private static func literalSegment(_ key: ExpressionNode) -> String? {
        guard case .literal(let value) = key.kind else { return nil }
        switch value {
        case .string(let name): return name
        case .number(let number) where number >= 0 && number == number.rounded() && number < 1e15:
            return ExpressionValue.format(number)
        default: return nil
        }
    }
}
