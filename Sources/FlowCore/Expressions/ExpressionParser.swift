/// A recursive-descent parser for the expression grammar, with GitHub Actions' precedence
/// (tightest first): grouping, `[ ]` and `.`; `!`; `<` `<=` `>` `>=`; `==` `!=`; `&&`; `||`.
struct ExpressionParser {
    private let tokens: [ExpressionToken]
    private var index = 0
    /// How deep the tree being built is, counting parentheses, `!`, calls, brackets and accesses (not the
    /// terms of a flat chain such as `a && b && c`, which is one node).
    private var depth = 0
    /// Keeps evaluation (which recurses over the tree) from exhausting the stack.
    static let maximumDepth = 100

    static func parse(_ source: String, emptyIsNull: Bool) throws(ExpressionError) -> ExpressionNode {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(source))
        if parser.current.kind == .end {
            if emptyIsNull { return ExpressionNode(kind: .literal(.null), position: parser.current.position) }
            throw ExpressionError("expected an expression, found nothing", at: parser.current.position)
        }
        let node = try parser.parseOr()
        let extra = parser.current
        switch extra.kind {
        case .end: break
        case .rightParen: throw ExpressionError("unexpected `)`: no `(` is open", at: extra.position)
        case .rightBracket: throw ExpressionError("unexpected `]`: no `[` is open", at: extra.position)
        case .leftParen:
            throw ExpressionError(
                "unexpected `(`: only functions can be called, by name, as in `contains(a, b)`", at: extra.position)
        default:
            throw ExpressionError(
                "unexpected \(extra.quoted); expected an operator such as `==`, `&&` or `||`", at: extra.position)
        }
        if let deep = deepest(node, limit: githubDepth) {
            throw ExpressionError(
                "expression is nested too deeply: more than \(githubDepth - 1) levels of `!`, calls, accesses and "
                    + "operators inside each other (GitHub's limit is \(githubDepth)); split it up", at: deep.position)
        }
        return node
    }

    /// GitHub's maximum expression depth: a tree of this many nested nodes is refused. Every `!`,
    /// call, `.name`, `[index]`, `.*` and operator chain is a node (a flat chain such as
    /// `a || b || c` is one); parentheses are not.
    static let githubDepth = 50

    /// The first node found at depth `limit` (the root is at 1), or nil. The parse-time bound
    /// (``maximumDepth``) keeps this recursion short.
    private static func deepest(_ node: ExpressionNode, limit: Int, depth: Int = 0) -> ExpressionNode? {
        let counts: Bool
        let children: [ExpressionNode]
        switch node.kind {
        case .literal, .context: return nil
        case .property(let base, _), .wildcard(let base), .not(let base): (counts, children) = (true, [base])
        case .index(let base, let index): (counts, children) = (true, [base, index])
        case .chain(let first, let links): (counts, children) = (true, [first] + links.map(\.operand))
        case .call(_, let arguments): (counts, children) = (true, arguments)
        }
        let here = depth + (counts ? 1 : 0)
        if here >= limit { return node }
        for child in children {
            if let found = deepest(child, limit: limit, depth: here) { return found }
        }
        return nil
    }

    private init(tokens: [ExpressionToken]) { self.tokens = tokens }

    private var current: ExpressionToken { tokens[index] }

    private mutating func advance() -> ExpressionToken {
        let token = tokens[index]
        if token.kind != .end { index += 1 }
        return token
    }

    private mutating func expect(_ kind: ExpressionToken.Kind, _ what: String) throws(ExpressionError) {
        guard current.kind == kind else {
            throw ExpressionError("expected \(what), found \(current.quoted)", at: current.position)
        }
        index += 1
    }

    /// Parses something one level deeper in the tree.
    private mutating func nest<T>(
        _ body: (inout ExpressionParser) throws(ExpressionError) -> T
    ) throws(ExpressionError) -> T {
        try deepen()
        defer { depth -= 1 }
        return try body(&self)
    }

    /// Adds a level to the tree, failing with a message (instead of a crash later) when it gets too deep.
    private mutating func deepen() throws(ExpressionError) {
        depth += 1
        guard depth <= ExpressionParser.maximumDepth else {
            throw ExpressionError(
                "expression is nested too deeply (more than \(ExpressionParser.maximumDepth) levels of parentheses, "
                    + "`!`, calls and accesses); split it up", at: current.position)
        }
    }

    // MARK: Binary operators

    private mutating func parseOr() throws(ExpressionError) -> ExpressionNode {
        try parseBinary(operator: { $0 == .or ? .or : nil }) { parser throws(ExpressionError) in try parser.parseAnd() }
    }

    private mutating func parseAnd() throws(ExpressionError) -> ExpressionNode {
        try parseBinary(operator: { $0 == .and ? .and : nil }) { parser throws(ExpressionError) in try parser.parseEquality() }
    }

    private mutating func parseEquality() throws(ExpressionError) -> ExpressionNode {
        try parseBinary(operator: Self.equalityOperator) { parser throws(ExpressionError) in
            try parser.parseComparison()
        }
    }

    private mutating func parseComparison() throws(ExpressionError) -> ExpressionNode {
        try parseBinary(operator: Self.comparisonOperator) { parser throws(ExpressionError) in try parser.parseUnary() }
    }

    // Operator tables as switches: a dictionary literal here was rebuilt on every parse.
    private static func equalityOperator(_ kind: ExpressionToken.Kind) -> ExpressionNode.BinaryOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        default: return nil
        }
    }

    private static func comparisonOperator(_ kind: ExpressionToken.Kind) -> ExpressionNode.BinaryOperator? {
        switch kind {
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    /// A left-associative chain of `operand (op operand)*` for the operators given, read in a loop into one
    /// `chain` node: a long chain is flat, so it adds no depth (only the nesting inside its operands counts).
    private mutating func parseBinary(
        operator binaryOperator: (ExpressionToken.Kind) -> ExpressionNode.BinaryOperator?,
        operand: (inout ExpressionParser) throws(ExpressionError) -> ExpressionNode
    ) throws(ExpressionError) -> ExpressionNode {
        let first = try operand(&self)
        var links: [ExpressionNode.ChainLink] = []
        while let op = binaryOperator(current.kind) {
            let token = advance()
            guard current.kind != .end else {
                throw ExpressionError(
                    "expected an operand after `\(token.text)`, found end of expression", at: current.position)
            }
            links.append(ExpressionNode.ChainLink(op: op, operand: try operand(&self)))
        }
        return links.isEmpty ? first : ExpressionNode(kind: .chain(first, links), position: first.position)
    }

    // MARK: Unary, postfix, primary

    private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
        guard current.kind == .bang else { return try parsePostfix() }
        let bang = advance()
        let operand = try nest { parser throws(ExpressionError) in try parser.parseUnary() }
        return ExpressionNode(kind: .not(operand), position: bang.position)
    }

    private mutating func parsePostfix() throws(ExpressionError) -> ExpressionNode {
        var node = try parsePrimary()
        let outerDepth = depth
        defer { depth = outerDepth }
        while true {
            if current.kind == .dot || current.kind == .leftBracket { try deepen() }
            switch current.kind {
            case .dot:
                _ = advance()
                let name = advance()
                switch name.kind {
                case .star: node = ExpressionNode(kind: .wildcard(node), position: node.position)
                case .identifier:
                    node = ExpressionNode(kind: .property(node, name.text), position: node.position)
                // Keywords (`true`, `null`, …) are fine as property names.
                case .literal where name.text.first?.isLetter == true:
                    node = ExpressionNode(kind: .property(node, name.text), position: node.position)
                default:
                    throw ExpressionError(
                        "expected a property name or `*` after `.`, found \(name.quoted)", at: name.position)
                }
            case .leftBracket:
                _ = advance()
                if current.kind == .star, tokens[index + 1].kind == .rightBracket {
                    index += 2
                    node = ExpressionNode(kind: .wildcard(node), position: node.position)
                    continue
                }
                if current.kind == .rightBracket {
                    throw ExpressionError("expected an index inside `[ ]`", at: current.position)
                }
                let key = try nest { parser throws(ExpressionError) in try parser.parseOr() }
                try expect(.rightBracket, "`]` to close the `[`")
                node = ExpressionNode(kind: .index(node, key), position: node.position)
            default:
                return node
            }
        }
    }

    private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
        let token = advance()
        switch token.kind {
        case .literal(let value):
            return ExpressionNode(kind: .literal(value), position: token.position)
        case .identifier(let name):
            guard current.kind == .leftParen else {
                return ExpressionNode(kind: .context(name), position: token.position)
            }
            return try parseCall(name: token)
        case .leftParen:
            let inner = try nest { parser throws(ExpressionError) in try parser.parseOr() }
            try expect(.rightParen, "`)` to close the `(`")
            return inner
        case .end:
            throw ExpressionError("unexpected end of expression; expected a value", at: token.position)
        default:
            throw ExpressionError("unexpected \(token.quoted); expected a value", at: token.position)
        }
    }

    /// `name(arguments)`; `current` is the `(`. Unknown names and wrong argument counts are parse errors.
    private mutating func parseCall(name: ExpressionToken) throws(ExpressionError) -> ExpressionNode {
        guard let function = BuiltinFunction.named(name.text) else {
            throw ExpressionError(BuiltinFunction.unknownFunctionMessage(name.text), at: name.position)
        }
        _ = advance()
        var arguments: [ExpressionNode] = []
        if current.kind != .rightParen {
            while true {
                arguments.append(try nest { parser throws(ExpressionError) in try parser.parseOr() })
                guard current.kind == .comma else { break }
                _ = advance()
            }
        }
        try expect(.rightParen, "`,` or `)` in the arguments of `\(name.text)`")
        if let problem = function.arityProblem(arguments.count) {
            throw ExpressionError(problem, at: name.position)
        }
        return ExpressionNode(kind: .call(function, arguments), position: name.position)
    }
}
