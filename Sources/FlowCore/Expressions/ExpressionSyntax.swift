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
        /// `first op₁ a op₂ b …`, left-associative, all operators of one precedence level. A flat chain is one
        /// node however long it is, so parsing, evaluating and visiting it never recurse once per term.
        case chain(ExpressionNode, [ChainLink])
        case call(BuiltinFunction, [ExpressionNode])
    }

    enum BinaryOperator: Sendable {
        case and, or, equal, notEqual, less, lessEqual, greater, greaterEqual
    }

    /// One `op operand` of a chain.
    struct ChainLink: Sendable {
        var op: BinaryOperator
        var operand: ExpressionNode
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
        case .chain(let first, let links):
            first.forEachNode(visit)
            for link in links { link.operand.forEachNode(visit) }
        case .call(_, let arguments):
            for argument in arguments { argument.forEachNode(visit) }
        }
    }
}
