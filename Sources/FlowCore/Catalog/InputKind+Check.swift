/// Checks a literal `with:` value against its input's kind, nested values included, before
/// anything runs. A value that holds an expression is known only at run time; its type is
/// checked where validation knows it (``PipelineValidator``), and the engine coerces it.
struct InputValueCheck {
    var diagnostics: [Diagnostic] = []
    /// Whether a literal path exists (relative paths joined to the step's working directory);
    /// `nil` when validation cannot tell.
    let pathExists: (String) -> Bool?

    mutating func error(_ at: SourceLocation, _ message: String, notes: [Diagnostic.Note] = []) {
        diagnostics.append(.error(at, message, notes: notes))
    }

    /// `path` names the value: `fail-on`, `rules.DL3008.level`, `requirements[0]`.
    mutating func check(_ node: YAMLNode, _ kind: InputKind, path: String, depth: Int = 0) {
        let what = "input `\(path)`"
        if let s = node.scalar, s.value.containsExpressionOpener { return }
        switch kind {
        case .any:
            return
        case .string, .script:
            if node.scalar == nil || node.isPlainNull { mismatch(node, kind, what) }
        case .integer:
            guard case .int? = node.scalar?.resolved else { return mismatch(node, kind, what) }
        case .number:
            guard node.scalar?.resolved.numberValue != nil else { return mismatch(node, kind, what) }
        case .bool:
            guard case .bool? = node.scalar?.resolved else { return mismatch(node, kind, what) }
        case .duration:
            guard let s = node.scalar, !node.isPlainNull else { return mismatch(node, kind, what) }
            if case .failure(let problem) = DurationValue.parse(s.value) { error(node.location, problem.message(for: what)) }
        case .size:
            guard let s = node.scalar, !node.isPlainNull else { return mismatch(node, kind, what) }
            if case .failure(let problem) = ByteSize.parse(s.value) { error(node.location, problem.message(for: what)) }
        case .path(let mustExist):
            guard let s = node.scalar, !node.isPlainNull else { return mismatch(node, kind, what) }
            if s.value.isEmpty { return error(node.location, Messages.emptyPath(what)) }
            if mustExist, pathExists(s.value) == false { error(node.location, Messages.pathDoesNotExist(what, s.value)) }
        case .choice(let options):
            guard let s = node.scalar, !node.isPlainNull else { return mismatch(node, kind, what) }
            if !options.contains(s.value) {
                error(node.location, Messages.notOneOf(what, s.value, options),
                      notes: Spelling.closest(to: s.value, among: options).map { [.init(Messages.didYouMean($0))] } ?? [])
            }
        case .list(let element):
            guard let items = node.sequence else { return mismatch(node, kind, what) }
            guard depth < 32 else { return }
            for (i, item) in items.enumerated() { check(item, element, path: "\(path)[\(i)]", depth: depth + 1) }
        case .mapping(let value):
            guard let pairs = node.mapping else { return mismatch(node, kind, what) }
            guard depth < 32 else { return }
            for pair in pairs { check(pair.value, value, path: "\(path).\(pair.keyText)", depth: depth + 1) }
        case .object(let fields):
            guard let pairs = node.mapping else { return mismatch(node, kind, what) }
            guard depth < 32 else { return }
            checkFields(pairs, fields, in: node, path: path, depth: depth)
        case .either(let kinds):
            // The first kind whose shape fits decides; its own check reports what is wrong inside.
            guard let fitting = kinds.first(where: { $0.fitsShape(of: node) }) else { return mismatch(node, kind, what) }
            check(node, fitting, path: path, depth: depth)
        }
    }

    /// The fields of an object (or a step's `with:`): unknown keys, kinds, required ones.
    mutating func checkFields(_ pairs: [YAMLNode.Pair], _ fields: [StepInput], in node: YAMLNode, path: String, depth: Int) {
        let what = "input `\(path)`"
        let names = fields.map(\.name)
        for pair in pairs {
            guard let field = fields.first(where: { $0.name == pair.keyText }) else {
                let note = Spelling.closest(to: pair.keyText, among: names).map(Messages.didYouMean) ?? Messages.knownInputs(names)
                error(pair.key.location, Messages.unknownKey(pair.keyText, in: what), notes: [.init(note)])
                continue
            }
            check(pair.value, field.kind, path: path + "." + field.name, depth: depth + 1)
        }
        for field in fields where field.required && !pairs.contains(where: { $0.keyText == field.name }) {
            error(node.location, Messages.missingKey(field.name, in: what))
        }
    }

    mutating func mismatch(_ node: YAMLNode, _ kind: InputKind, _ what: String) {
        error(node.location, Messages.inputWrongType(what, expected: kind.phrase, found: node.kindDescription))
    }
}

extension InputKind {
    /// Whether a node has the outer shape of this kind (a scalar, a list, a mapping), for `either`.
    func fitsShape(of node: YAMLNode) -> Bool {
        switch self {
        case .list: node.sequence != nil
        case .mapping, .object: node.mapping != nil
        case .any: true
        case .either(let kinds): kinds.contains { $0.fitsShape(of: node) }
        default: node.scalar != nil
        }
    }
}

extension YAMLNode {
    /// `~`, `null` or nothing, written plainly.
    var isPlainNull: Bool {
        guard let s = scalar else { return false }
        return s.resolved == .null && s.style == .plain
    }
}
