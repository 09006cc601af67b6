/// A node of a parsed expression, with where it starts in the expression source.
struct ExpressionNode: Sendable {
    indirect enum Kind: Sendable {
        case literal(ExpressionValue)
        /// A top-level name such as `steps` or `env`.
        case context(String)
        /// `base.name`
        case property(ExpressionNode, String)
        /// `base[index]`
        case index(ExpressionNode, ExpressionNode)
        /// `base.*` or `base[*]`
        case wildcard(ExpressionNode)
        case not(ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode)
        case call(BuiltinFunction, [ExpressionNode])
    }

    enum BinaryOperator: Sendable {
        case and, or, equal, notEqual, less, lessEqual, greater, greaterEqual
    }

    var kind: Kind
    var position: TextPosition

    /// Calls `visit` on this node and every node below it, parents before children, left to right.
    func forEachNode(_ visit: (ExpressionNode) -> Void) {
        visit(self)
        switch kind {
        case .literal, .context: break
        case .property(let base, _), .wildcard(let base), .not(let base): base.forEachNode(visit)
        case .index(let base, let index):
            base.forEachNode(visit)
            index.forEachNode(visit)
        case .binary(_, let left, let right):
            left.forEachNode(visit)
            right.forEachNode(visit)
        case .call(_, let arguments):
            for argument in arguments { argument.forEachNode(visit) }
        }
    }
}
