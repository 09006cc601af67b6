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
    private static func literalPath(
        _ node: ExpressionNode
    ) -> (path: [String], position: TextPosition, isComplete: Bool)? {
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

    private static func extend(
        _ base: ExpressionNode, with segment: String
    ) -> (path: [String], position: TextPosition, isComplete: Bool)? {
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
