/// Typed reads of YAML nodes that record a diagnostic, at the node's location, for every value
/// of the wrong shape. Shared by the pipeline loader and the step definition loader.
struct NodeReader {
    var diagnostics: [Diagnostic] = []

    mutating func error(_ at: SourceLocation, _ message: String, notes: [Diagnostic.Note] = []) {
        diagnostics.append(.error(at, message, notes: notes))
    }

    /// The pairs of a mapping, reporting unknown keys (with a suggestion) against `allowed`.
    /// `allowed == nil` accepts any key.
    /// `habit` names what a key flow does not have means elsewhere (``GitHubActionsHabits``):
    /// said instead of a "did you mean".
    mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]? = nil,
                          habit: (String, YAMLNode) -> String? = { _, _ in nil }) -> [YAMLNode.Pair]? {
        guard let pairs = node.mapping else {
            if case .scalar(let s) = node.content, s.style == .plain, s.value.isEmpty, s.tag == nil { return [] }
            error(node.location, Messages.wrongType(what, expected: "a mapping", found: node.kindDescription))
            return nil
        }
        if let allowed {
            for pair in pairs where !allowed.contains(pair.keyText) {
                if let habit = habit(pair.keyText, pair.value) {
                    error(pair.key.location, Messages.unknownKey(pair.keyText, in: what), notes: [.init(habit)])
                } else {
                    error(pair.key.location, Messages.unknownKey(pair.keyText, in: what), notes: suggestion(for: pair.keyText, among: allowed))
                }
            }
        }
        return pairs
    }

    /// "did you mean" when one allowed word is close, else the list of allowed words.
    func suggestion(for word: String, among options: [String]) -> [Diagnostic.Note] {
        if let close = Spelling.closest(to: word, among: options) { return [.init(Messages.didYouMean(close))] }
        return [.init(Messages.expectedOneOf(options))]
    }

    /// Any non-null scalar, as its text (`name: 2024` is the string "2024", as in GitHub Actions).
    mutating func string(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let s = node.scalar, s.resolved != .null || s.style != .plain else {
            error(node.location, Messages.wrongType(what, expected: "a string", found: node.kindDescription))
            return nil
        }
        return Located(s.value, at: node.location)
    }

    mutating func text(_ node: YAMLNode, _ what: String) -> SourceText? {
        guard string(node, what) != nil else { return nil }
        return SourceText(node)
    }

    mutating func int(_ node: YAMLNode, _ what: String) -> Located<Int>? {
        guard case .int(let i)? = node.scalar?.resolved else {
            error(node.location, Messages.wrongType(what, expected: "an integer such as `4`", found: node.kindDescription))
            return nil
        }
        return Located(i, at: node.location)
    }

    mutating func number(_ node: YAMLNode, _ what: String) -> Double? {
        switch node.scalar?.resolved {
        case .int(let i)?: return Double(i)
        case .float(let d)? where d.isFinite: return d
        default:
            error(node.location, Messages.wrongType(what, expected: "a number such as `0.5`", found: node.kindDescription))
            return nil
        }
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard case .bool(let b)? = node.scalar?.resolved else {
            error(node.location, Messages.wrongType(what, expected: "`true` or `false`", found: node.kindDescription))
            return nil
        }
        return b
    }

    /// A list of strings; a single string counts as a list of one when `single` is allowed.
    mutating func stringList(_ node: YAMLNode, _ what: String, allowSingle: Bool = true) -> [Located<String>]? {
        if allowSingle, node.scalar != nil { return string(node, what).map { [$0] } }
        guard let items = node.sequence else {
            error(node.location, Messages.wrongType(what, expected: "a list of strings", found: node.kindDescription))
            return nil
        }
        return items.compactMap { string($0, "each entry of \(what)") }
    }

    mutating func duration(_ node: YAMLNode, _ what: String, positive: Bool = true) -> Located<DurationValue>? {
        if let s = node.scalar, case .int = s.resolved {
            error(node.location, DurationError.missingUnit(s.value).message(for: what))
            return nil
        }
        guard let text = string(node, what) else { return nil }
        if text.value.containsExpressionOpener {
            error(node.location, Messages.expressionNotAllowed(what))
            return nil
        }
        switch DurationValue.parse(text.value) {
        case .success(let d):
            if positive && d.milliseconds == 0 {
                error(node.location, Messages.durationNotPositive(what))
                return nil
            }
            return Located(d, at: node.location)
        case .failure(let e):
            error(node.location, e.message(for: what))
            return nil
        }
    }

    /// `log-limit`: a size (a number of bytes, or with a unit) within ``ByteSize/logLimitRange``.
    mutating func logLimit(_ node: YAMLNode) -> Located<ByteSize>? {
        let text: String
        if let s = node.scalar, case .int(let n) = s.resolved {
            text = String(n)
        } else if let s = string(node, "`log-limit`") {
            text = s.value
        } else {
            return nil
        }
        switch ByteSize.parse(text) {
        case .success(let size):
            guard ByteSize.logLimitRange.contains(size.bytes) else {
                error(node.location, Messages.logLimitOutOfRange(size.description,
                                                                 min: ByteSize(bytes: ByteSize.logLimitRange.lowerBound).description,
                                                                 max: ByteSize(bytes: ByteSize.logLimitRange.upperBound).description))
                return nil
            }
            return Located(size, at: node.location)
        case .failure(let e):
            error(node.location, e.message(for: "`log-limit`"))
            return nil
        }
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable & Sendable>(_ node: YAMLNode, _ what: String, _: E.Type) -> Located<E>? where E.RawValue == String {
        guard let text = string(node, what) else { return nil }
        guard let value = E(rawValue: text.value) else {
            let options = E.allCases.map(\.rawValue)
            error(node.location, Messages.notOneOf(what, text.value, options),
                  notes: Spelling.closest(to: text.value, among: options).map { [.init(Messages.didYouMean($0))] } ?? [])
            return nil
        }
        return Located(value, at: node.location)
    }

    /// A name that becomes a path component or an id: `[A-Za-z0-9][A-Za-z0-9_-]*`, ≤ 100 characters.
    mutating func identifier(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let name = string(node, what) else { return nil }
        guard Identifier.isValid(name.value) else {
            error(node.location, Messages.badIdentifier(what, name.value))
            return nil
        }
        return name
    }

    mutating func envName(_ key: YAMLNode) -> Located<String>? {
        guard let name = string(key, "an environment variable name") else { return nil }
        guard Identifier.isEnvName(name.value) else {
            error(key.location, Messages.badEnvName(name.value))
            return nil
        }
        return name
    }

    /// `env:` mapping → entries, with scalar values (expressions allowed).
    mutating func env(_ node: YAMLNode, _ what: String) -> [EnvEntry] {
        guard let pairs = mapping(node, what) else { return [] }
        return pairs.compactMap { pair in
            guard let name = envName(pair.key), let value = text(pair.value, "`\(pair.keyText)` in \(what)") else { return nil }
            return EnvEntry(name: name, value: value)
        }
    }

    mutating func rejectExpression(_ value: Located<String>, _ what: String) -> Bool {
        guard value.value.containsExpressionOpener else { return false }
        error(value.location, Messages.expressionNotAllowed(what))
        return true
    }
}

/// The naming rules shared by step ids, pipeline names, params, outputs and plugin folders.
public enum Identifier {
    public static func isValid(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, u.count <= 100, isAlnum(first) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    public static func isEnvName(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Spelling {
    /// The option the user most likely meant by `word`, if one is close enough to be a typo.
    /// Edit distance to the whole option, or (one edit dearer) to one word of a hyphenated
    /// option of three letters or more: `paralel` means `max-parallel` (one edit from
    /// `parallel`), not `param` (three from it). Ties go to the option listed first.
    public static func closest(to word: String, among options: [String]) -> String? {
        let w = Array(word.lowercased().unicodeScalars)
        var best: (String, Int)?
        for option in options {
            let o = Array(option.lowercased().unicodeScalars)
            var (d, limit) = (distance(w, o), max(1, min(w.count, o.count) / 3))
            let parts = option.lowercased().split(separator: "-")
            if parts.count > 1 {
                for part in parts where part.count >= 3 {
                    let p = Array(part.unicodeScalars)
                    let (pd, pl) = (distance(w, p) + 1, max(1, min(w.count, p.count) / 3) + 1)
                    if pd <= pl, pd < d || d > limit { (d, limit) = (pd, pl) }
                }
            }
            if d <= limit, d < (best?.1 ?? .max) { best = (option, d) }
        }
        return best?.0
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
