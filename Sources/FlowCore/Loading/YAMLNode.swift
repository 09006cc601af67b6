/// A YAML value with the location it was written at. Every node keeps its mark, so any
/// diagnostic about any value can point at `file:line:column`.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    /// One `key: value` entry of a mapping. Keys are always scalars (the composer rejects others).
    public struct Pair: Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
        public var keyText: String { key.scalar?.value ?? "" }
    }

    public var content: Content
    public var location: SourceLocation

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value for `key` in a mapping node.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.keyText == key }?.value
    }

    /// What kind of value this is, in the words a diagnostic uses ("a string", "a list", …).
    public var kindDescription: String {
        switch content {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let s): return s.resolved.kindDescription
        }
    }
}

/// A scalar's text, how it was written, and what it means under YAML 1.2's core schema.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
        public var isQuoted: Bool { self == .singleQuoted || self == .doubleQuoted }
        public var isBlock: Bool { self == .literal || self == .folded }
    }

    public var value: String
    public var style: Style
    /// An explicit `!!tag`, if one was written (`str`, `int`, …).
    public var tag: String?
    /// For `|` and `>` scalars: the column (0-based) where content lines start, so a position
    /// inside the text maps back to the file.
    public var blockIndent: Int?

    public init(_ value: String, style: Style = .plain, tag: String? = nil, blockIndent: Int? = nil) {
        self.value = value
        self.style = style
        self.tag = tag
        self.blockIndent = blockIndent
    }

    /// The typed value: quoted and block scalars are strings; plain ones follow the core schema
    /// (`true`/`false`, `null`/`~`/empty, integers, floats), like YAML 1.2 and GitHub Actions.
    public var resolved: YAMLScalarValue {
        if let tag {
            switch tag {
            case "str": return .string(value)
            case "int": return Int(value).map { .int($0) } ?? .string(value)
            case "float": return Double(value).map { .float($0) } ?? .string(value)
            case "bool": return Self.bool(value).map { .bool($0) } ?? .string(value)
            case "null": return .null
            default: return .string(value)
            }
        }
        guard style == .plain else { return .string(value) }
        return Self.resolvePlain(value)
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func resolvePlain(_ text: String) -> YAMLScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let b = bool(text) { return .bool(b) }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return .string(text) }
        if let i = Int(text) { return .int(i) }
        if text.hasPrefix("0x"), let i = Int(text.dropFirst(2), radix: 16) { return .int(i) }
        if text.hasPrefix("0o"), let i = Int(text.dropFirst(2), radix: 8) { return .int(i) }
        if isCoreFloat(text), let d = Double(text) { return .float(d) }
        return .string(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            var n = 0
            while let c = bytes.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { bytes.removeFirst(); n += 1 }
            return n
        }
        if let c = bytes.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") { bytes.removeFirst() }
        let whole = digits()
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") { bytes.removeFirst(); fraction = digits() }
        if whole == 0 && fraction == 0 { return false }
        if let c = bytes.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            bytes.removeFirst()
            if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") { bytes.removeFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}

/// A scalar's meaning under the core schema.
public enum YAMLScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        }
    }
}
