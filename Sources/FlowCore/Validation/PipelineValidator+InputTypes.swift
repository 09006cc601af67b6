/// An input whose value is an expression is known only at run time, but its type often is
/// known before: `${{ params.level }}` has the param's type (a choice param its options), a step
/// output and any text around an expression is a string. Validation checks that type against
/// the input's kind, so `fail-on: ${{ params.strict }}` with a `bool` param is reported before
/// anything runs, not when the step decodes its inputs.
extension PipelineValidator {
    /// What validation knows of an expression value's type.
    enum KnownType: Equatable {
        case string, number, bool
        case choice([String])

        var phrase: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .choice(let options): "one of " + options.map { "`\($0)`" }.joined(separator: ", ")
            }
        }
    }

    /// The type of a value written as an expression, when validation can tell.
    func knownType(of node: YAMLNode) -> KnownType? {
        guard let scalar = node.scalar, scalar.value.containsExpressionOpener,
              let template = try? Template.parse(scalar.value) else { return nil }
        var expressions: [Expression] = []
        var hasText = false
        for segment in template.segments {
            switch segment {
            case .expression(let e, _): expressions.append(e)
            case .literal(let text): if !text.allSatisfy(\.isWhitespace) { hasText = true }
            }
        }
        // Text around an expression, or several expressions, render into one string.
        if hasText || expressions.count > 1 { return .string }
        guard let expression = expressions.first, expression.isPlainReference, let path = expression.references.first?.path else { return nil }
        switch path.first {
        case "params" where path.count == 2:
            guard let param = param(path[1]) else { return nil }
            switch param.kind.value {
            case .string: return .string
            case .number: return .number
            case .bool: return .bool
            case .choice: return .choice(param.options.map(\.value))
            }
        case "steps" where path.count == 4 && path[2] == "outputs": return .string
        case "matrix" where path.count == 2, "env" where path.count == 2: return .string
        default: return nil
        }
    }

    /// Why a value of `type` cannot fit `kind`; nil when it can, or when that is only known at run time.
    static func mismatch(_ type: KnownType, _ kind: InputKind) -> String? {
        switch (kind, type) {
        case (.choice(let options), .choice(let given)):
            let outside = given.filter { !options.contains($0) }
            return outside.isEmpty ? nil : "can be " + outside.map { "`\($0)`" }.joined(separator: ", ") + ", which is not " + kind.phrase
        case (.choice, .number), (.choice, .bool):
            return "is \(type.phrase), not \(kind.phrase)"
        case (.integer, .bool), (.number, .bool), (.duration, .bool), (.size, .bool):
            return "is \(type.phrase), not \(kind.phrase)"
        case (.integer, .choice(let given)), (.number, .choice(let given)):
            return given.allSatisfy { Double($0) != nil } ? nil : "is \(type.phrase), not \(kind.phrase)"
        case (.bool, .number):
            return "is \(type.phrase), not \(kind.phrase)"
        case (.bool, .choice(let given)):
            return given.allSatisfy { $0 == "true" || $0 == "false" } ? nil : "is \(type.phrase), not \(kind.phrase)"
        case (.list, _), (.mapping, _), (.object, _):
            return "is \(type.phrase), not \(kind.phrase)"
        case (.either(let kinds), _):
            return kinds.contains { mismatch(type, $0) == nil } ? nil : "is \(type.phrase), not \(kind.phrase)"
        default:
            return nil
        }
    }

    /// Checks the expression values of a step's `with:`, nested ones included.
    mutating func checkExpressionTypes(_ node: YAMLNode, _ kind: InputKind, path: String, depth: Int = 0) {
        guard depth < 32 else { return }
        if let type = knownType(of: node) {
            if let why = Self.mismatch(type, kind) {
                error(node.location, Messages.expressionTypeMismatch(path, node.scalar?.value ?? "", why))
            }
            return
        }
        switch (kind, node.content) {
        case (.list(let element), .sequence(let items)):
            for (i, item) in items.enumerated() { checkExpressionTypes(item, element, path: "\(path)[\(i)]", depth: depth + 1) }
        case (.mapping(let value), .mapping(let pairs)):
            for pair in pairs { checkExpressionTypes(pair.value, value, path: "\(path).\(pair.keyText)", depth: depth + 1) }
        case (.object(let fields), .mapping(let pairs)):
            for pair in pairs {
                if let field = fields.first(where: { $0.name == pair.keyText }) {
                    checkExpressionTypes(pair.value, field.kind, path: "\(path).\(field.name)", depth: depth + 1)
                }
            }
        default:
            break
        }
    }
}

extension Expression {
    /// Whether the expression is just a reference (`params.x`, `steps.a.outputs.b`), nothing computed.
    var isPlainReference: Bool {
        guard references.count == 1 else { return false }
        var node = root
        while true {
            switch node.kind {
            case .context: return true
            case .property(let base, _): node = base
            default: return false
            }
        }
    }
}
