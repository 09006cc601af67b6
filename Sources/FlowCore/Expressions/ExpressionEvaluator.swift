/// Evaluates a parsed expression tree against a context, with GitHub Actions' semantics.
struct ExpressionEvaluator {
    let context: EvaluationContext
    /// What this evaluation's strings may take (GitHub's memory limit).
    let budget = MemoryBudget()

    /// The memory one evaluation's strings may take: GitHub's limit, 1 MiB, counted as GitHub
    /// counts it (UTF-16, two bytes a character). Checked where strings are built (`format`,
    /// `join`, `toJSON`), so a hostile expression (`format` of `format` of …) stops with an error
    /// instead of exhausting memory.
    final class MemoryBudget {
        static let limit = 1 << 20
        private var used = 0

        func spend(_ value: ExpressionValue, at position: TextPosition) throws(ExpressionError) -> ExpressionValue {
            if case .string(let text) = value { used += text.utf16.count * 2 }
            guard used <= Self.limit else {
                throw ExpressionError("the expression's strings take more than 1 MiB (GitHub's limit for one expression)", at: position)
            }
            return value
        }
    }

    /// A value during evaluation. A *filtered array* is the result of a wildcard (`.*`, `[*]`): further
    /// property accesses and indexes apply to each of its elements instead of to the array itself.
    private struct Result {
        var value: ExpressionValue
        var isFiltered = false
    }

    func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> ExpressionValue {
        try evaluateKeepingFilter(node).value
    }

    private func evaluateKeepingFilter(_ node: ExpressionNode) throws(ExpressionError) -> Result {
        switch node.kind {
        case .literal(let value):
            return Result(value: value)
        case .context(let name):
            // Context names are case-insensitive, as in GitHub (`GITHUB.sha`).
            return Result(value: ExpressionValue.member(context.values, named: name) ?? .null)
        case .property(let base, let name):
            return access(try evaluateKeepingFilter(base), key: .string(name))
        case .index(let base, let key):
            let base = try evaluateKeepingFilter(base)
            return access(base, key: try evaluate(key))
        case .wildcard(let base):
            return expandWildcard(try evaluateKeepingFilter(base))
        case .not(let operand):
            return Result(value: .bool(!(try evaluate(operand).isTruthy)))
        case .chain(let first, let links):
            return Result(value: try evaluateChain(first, links))
        case .call(let function, let arguments):
            return Result(value: try call(function, arguments, at: node.position))
        }
    }

    // MARK: Access

    /// `base[key]` / `base.key`. On a filtered array the access applies to every element and keeps what is found.
    private func access(_ base: Result, key: ExpressionValue) -> Result {
        guard base.isFiltered, case .array(let elements) = base.value else {
            return Result(value: ExpressionEvaluator.element(of: base.value, key: key) ?? .null)
        }
        return Result(
            value: .array(elements.compactMap { ExpressionEvaluator.element(of: $0, key: key) }), isFiltered: true)
    }

    /// The member of an object (by the key's string form, case-insensitively as GitHub does) or the element
    /// of an array (by the key's number, truncated; out of range or not a number gives `nil`); `nil` for
    /// anything else.
    private static func element(of container: ExpressionValue, key: ExpressionValue) -> ExpressionValue? {
        switch (container, key) {
        case (_, .array), (_, .object):
            return nil  // GitHub indexes by no array or object, not even their `Array`/`Object` text
        case (.object(let members), _):
            return ExpressionValue.member(members, named: key.githubString)
        case (.array(let elements), _):
            let number = key.numberValue
            guard number.isFinite, number >= 0, number < Double(elements.count) else { return nil }
            return elements[Int(number)]
        default:
            return nil
        }
    }

    /// `base.*`: the elements of an array or the values of an object (ordered by key), as a filtered array.
    /// On a filtered array each element is expanded and the results are concatenated.
    private func expandWildcard(_ base: Result) -> Result {
        func children(_ value: ExpressionValue) -> [ExpressionValue]? {
            switch value {
            case .array(let elements): elements
            case .object(let members): members.sorted { $0.key < $1.key }.map(\.value)
            default: nil
            }
        }
        if base.isFiltered, case .array(let elements) = base.value {
            return Result(value: .array(elements.flatMap { children($0) ?? [] }), isFiltered: true)
        }
        // On anything else GitHub gives an empty filtered array.
        guard let values = children(base.value) else { return Result(value: .array([]), isFiltered: true) }
        return Result(value: .array(values), isFiltered: true)
    }

    // MARK: Operators

    /// `first op a op b …` from the left, in a loop. `&&` and `||` short-circuit (the operands after the
    /// deciding one are not evaluated) and yield an operand, not a boolean.
    private func evaluateChain(
        _ first: ExpressionNode, _ links: [ExpressionNode.ChainLink]
    ) throws(ExpressionError) -> ExpressionValue {
        var left = try evaluate(first)
        for link in links {
            switch link.op {
            case .and:
                guard left.isTruthy else { return left }
                left = try evaluate(link.operand)
            case .or:
                guard !left.isTruthy else { return left }
                left = try evaluate(link.operand)
            default:
                left = ExpressionEvaluator.compare(link.op, left, try evaluate(link.operand))
            }
        }
        return left
    }

    private static func compare(
        _ op: ExpressionNode.BinaryOperator, _ left: ExpressionValue, _ right: ExpressionValue
    ) -> ExpressionValue {
        switch op {
        case .equal: return .bool(ExpressionValue.looselyEqual(left, right))
        case .notEqual: return .bool(!ExpressionValue.looselyEqual(left, right))
        case .less: return .bool(ExpressionValue.compare(left, right) == .orderedAscending)
        case .lessEqual: return .bool([.orderedAscending, .orderedSame].contains(ExpressionValue.compare(left, right)))
        case .greater: return .bool(ExpressionValue.compare(left, right) == .orderedDescending)
        case .greaterEqual:
            return .bool([.orderedDescending, .orderedSame].contains(ExpressionValue.compare(left, right)))
        case .and, .or: preconditionFailure("short-circuit operators are handled by evaluateChain")
        }
    }

    // MARK: Functions

    private func call(
        _ function: BuiltinFunction, _ argumentNodes: [ExpressionNode], at position: TextPosition
    ) throws(ExpressionError) -> ExpressionValue {
        if function == .case { return try evaluateCase(argumentNodes, at: position) }
        var arguments: [ExpressionValue] = []
        for node in argumentNodes { arguments.append(try evaluate(node)) }
        switch function {
        case .contains:
            if case .array(let elements) = arguments[0] {
                return .bool(elements.contains { ExpressionValue.looselyEqual($0, arguments[1]) })
            }
            let text = ExpressionValue.caseInsensitiveKey(arguments[0].githubString)
            let part = ExpressionValue.caseInsensitiveKey(arguments[1].githubString)
            return .bool(part.isEmpty || text.indices.contains { text[$0...].starts(with: part) })
        case .startsWith:
            let text = ExpressionValue.caseInsensitiveKey(arguments[0].githubString)
            return .bool(text.starts(with: ExpressionValue.caseInsensitiveKey(arguments[1].githubString)))
        case .endsWith:
            let text = ExpressionValue.caseInsensitiveKey(arguments[0].githubString)
            return .bool(
                text.reversed().starts(with: ExpressionValue.caseInsensitiveKey(arguments[1].githubString).reversed()))
        case .format:
            return try budget.spend(
                .string(try ExpressionEvaluator.format(arguments[0].githubString, Array(arguments.dropFirst()), at: position)),
                at: position)
        case .join:
            // A separator that is an array or an object is no separator: GitHub falls back to `,`.
            var separator = ","
            if arguments.count > 1 {
                switch arguments[1] {
                case .array, .object: break
                default: separator = arguments[1].githubString
                }
            }
            switch arguments[0] {
            case .array(let elements): return try budget.spend(.string(elements.map(\.githubString).joined(separator: separator)), at: position)
            case .object: return .string("")
            default: return .string(arguments[0].githubString)
            }
        case .toJSON:
            return try budget.spend(.string(arguments[0].toJSON(pretty: true)), at: position)
        case .fromJSON:
            do {
                return try ExpressionValue(json: arguments[0].githubString)
            } catch {
                let location = "line \(error.position.line), column \(error.position.column)"
                throw ExpressionError(
                    "`fromJSON`: the text is not valid JSON (\(location) of the text): \(error.message)", at: position)
            }
        case .div:
            return .number(try ExpressionEvaluator.divide(arguments[0], arguments[1], at: position))
        case .max, .min:
            var numbers: [Double] = []
            for (i, argument) in arguments.enumerated() {
                let number = argument.numberValue
                guard !number.isNaN else {
                    throw ExpressionError("`\(function.name)`: argument \(i + 1) is not a number", at: position)
                }
                numbers.append(number)
            }
            return .number(function == .max ? numbers.max()! : numbers.min()!)
        case .success:
            let status = context.status
            return .bool(!status.anyUpstreamFailed && !status.cancelled && !status.anyUpstreamSkipped)
        case .failure: return .bool(context.status.anyUpstreamFailed)
        case .always: return .bool(true)
        case .cancelled: return .bool(context.status.cancelled)
        case .case: preconditionFailure("`case` is evaluated lazily, before its arguments are")
        }
    }

    /// `case(p₁, v₁, p₂, v₂, …, default)`: the value after the first predicate that is true, else the
    /// default; evaluated lazily, left to right. A predicate must be a boolean (GitHub's rule).
    private func evaluateCase(_ nodes: [ExpressionNode], at position: TextPosition) throws(ExpressionError) -> ExpressionValue {
        var index = 0
        while index + 1 < nodes.count {
            guard case .bool(let holds) = try evaluate(nodes[index]) else {
                throw ExpressionError("`case`: predicate \(index / 2 + 1) must be a boolean (true or false)", at: nodes[index].position)
            }
            if holds { return try evaluate(nodes[index + 1]) }
            index += 2
        }
        return try evaluate(nodes[nodes.count - 1])
    }

    /// `div(a, b)`: the integer quotient of two numbers, rounded towards negative infinity (so
    /// `div(7, 2)` is 3 and `div(-7, 2)` is -4). A value that is not a number, or a divisor of 0,
    /// is an error naming the function, never a NaN or an infinity passed on.
    static func divide(_ a: ExpressionValue, _ b: ExpressionValue, at position: TextPosition) throws(ExpressionError) -> Double {
        let dividend = a.numberValue, divisor = b.numberValue
        guard dividend.isFinite else { throw ExpressionError("`div`: the dividend is not a number", at: position) }
        guard divisor.isFinite else { throw ExpressionError("`div`: the divisor is not a number", at: position) }
        guard divisor != 0 else { throw ExpressionError("`div`: division by zero", at: position) }
        return (dividend / divisor).rounded(.down)
    }

    /// `format('{0} and {1}', a, b)`: `{n}` is replaced by argument n; `{{` and `}}` are literal braces.
    static func format(
        _ template: String, _ arguments: [ExpressionValue], at position: TextPosition
    ) throws(ExpressionError) -> String {
        let scalars = Array(template.unicodeScalars)
        var result = String.UnicodeScalarView()
        var offset = 0
        func fail(_ message: String) -> ExpressionError {
            ExpressionError("`format`: \(message) (at character \(offset + 1) of the format string)", at: position)
        }
        while offset < scalars.count {
            let scalar = scalars[offset]
            let next = offset + 1 < scalars.count ? scalars[offset + 1] : nil
            if scalar == "{" && next == "{" || scalar == "}" && next == "}" {
                result.append(scalar)
                offset += 2
            } else if scalar == "}" {
                throw fail("`}` without a matching `{`; write a literal brace as `}}`")
            } else if scalar == "{" {
                var end = offset + 1
                while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
                guard end > offset + 1, end < scalars.count, scalars[end] == "}",
                    let index = Int(String(String.UnicodeScalarView(scalars[(offset + 1)..<end])))
                else { throw fail("expected `{n}` with an argument number n; write a literal brace as `{{`") }
                guard index < arguments.count else {
                    let given = arguments.count == 1 ? "1 argument follows" : "\(arguments.count) arguments follow"
                    throw fail("`{\(index)}` refers to a missing argument; \(given) the format string")
                }
                result.append(contentsOf: arguments[index].githubString.unicodeScalars)
                offset = end + 1
            } else {
                result.append(scalar)
                offset += 1
            }
        }
        return String(result)
    }
}
