import Foundation

/// A value an expression works with: the JSON data model, with GitHub Actions' coercion rules.
public enum ExpressionValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ExpressionValue])
    case object([String: ExpressionValue])

    /// GitHub's truthiness: `false`, `0`, `-0`, `""`, `null` and NaN are falsy; everything else is truthy.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .number(let value): !(value == 0 || value.isNaN)
        case .string(let value): !value.isEmpty
        case .array, .object: true
        }
    }

    /// A value as text where a whole value is written into a string (`${{ x }}` in a script, an
    /// input or `env:`): `null` is empty, booleans are `true`/`false`, numbers are written without a
    /// decimal point when integral, arrays and objects as compact JSON with sorted keys. (GitHub
    /// writes `Array` and `Object` there, which no step can use: a deliberate difference, see
    /// docs/expressions.md. Inside expressions flow converts as GitHub does: ``githubString``.)
    public var stringValue: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "true" : "false"
        case .number(let value): ExpressionValue.format(value)
        case .string(let value): value
        case .array, .object: toJSON(pretty: false)
        }
    }

    /// GitHub's conversion to a string inside an expression (`format`, `join`, `contains`, an
    /// index): as ``stringValue``, except that an array is `Array` and an object `Object`.
    var githubString: String {
        switch self {
        case .array: "Array"
        case .object: "Object"
        default: stringValue
        }
    }

    /// GitHub's conversion to a number: `null` is 0, booleans 1/0, strings parsed as a number
    /// (empty or blank is 0, anything unparsable NaN), arrays and objects NaN.
    var numberValue: Double {
        switch self {
        case .null: return 0
        case .bool(let value): return value ? 1 : 0
        case .number(let value): return value
        case .string(let value):
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? 0 : ExpressionValue.parseNumber(trimmed) ?? .nan
        case .array, .object: return .nan
        }
    }

    // MARK: Numbers

    /// Parses the number syntaxes of the expression language: decimal with optional sign, fraction and
    /// exponent (`-1.5e3`, `.5`, `1.`), hexadecimal `0xff`, octal `0o17`, `Infinity` and `NaN`.
    static func parseNumber(_ text: String) -> Double? {
        var body = Substring(text)
        var sign: Double = 1
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        if body == "Infinity" { return sign * .infinity }
        if body == "NaN" { return text == "NaN" ? .nan : nil }
        for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8)] where body.hasPrefix(prefix) {
            let digits = body.dropFirst(2)
            // `UInt64(_:radix:)` would also take a sign after the prefix ("0x+1"); only digits are a number.
            guard digits.first?.isHexDigit == true, let value = UInt64(digits, radix: radix) else { return nil }
            return sign * Double(value)
        }
        guard isDecimal(body), let value = Double(body) else { return nil }
        return sign * value
    }

    /// `digits [. digits] [e [sign] digits]` or `. digits [exponent]`: what `Double(_:)` accepts
    /// minus its hexadecimal, `inf` and `nan` spellings.
    private static func isDecimal(_ text: Substring) -> Bool {
        var scalars = text.unicodeScalars[...]
        func digits() -> Int {
            let count = scalars.prefix { ("0"..."9").contains($0) }.count
            scalars = scalars.dropFirst(count)
            return count
        }
        var mantissaDigits = digits()
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return false }
        if let first = scalars.first, first == "e" || first == "E" {
            scalars = scalars.dropFirst()
            if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }

    /// Writes a number the way GitHub does: integral values without a decimal point, others with up
    /// to 15 significant digits (scientific notation for very large or small magnitudes).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }  // also -0
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let text = String(format: "%.15g", value)
        // %g pads the exponent to two digits ("1e-07"); drop the padding ("1e-7").
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        let sign = text[text.index(after: e)]
        let exponent = text[text.index(e, offsetBy: 2)...].drop { $0 == "0" }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    // MARK: Comparison

    /// GitHub's `==`: values of different kinds are compared as numbers; strings case-insensitively;
    /// arrays and objects are never equal (GitHub compares them by identity); NaN equals nothing.
    static func looselyEqual(_ a: ExpressionValue, _ b: ExpressionValue) -> Bool {
        switch (a, b) {
        case (.array, _), (.object, _), (_, .array), (_, .object): false
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): caseInsensitiveKey(x) == caseInsensitiveKey(y)
        default: a.numberValue == b.numberValue
        }
    }

    /// GitHub's ordering for `<`, `<=`, `>`, `>=`: two strings compare case-insensitively (ordinal, by
    /// upper-cased scalars); anything else compares as numbers. `nil` when unordered (NaN involved).
    static func compare(_ a: ExpressionValue, _ b: ExpressionValue) -> ComparisonResult? {
        if case .string(let x) = a, case .string(let y) = b {
            let left = caseInsensitiveKey(x)
            let right = caseInsensitiveKey(y)
            if left == right { return .orderedSame }
            return left.lexicographicallyPrecedes(right) ? .orderedAscending : .orderedDescending
        }
        let x = a.numberValue
        let y = b.numberValue
        if x.isNaN || y.isNaN { return nil }
        return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
    }

    /// The text upper-cased scalar by scalar (simple case mapping: `ß` stays `ß`), for GitHub's ordinal
    /// case-insensitive comparisons. No Unicode normalization is applied. A non-ASCII letter whose
    /// upper case is ASCII (the dotless `ı`, the long `ſ`) is kept: GitHub's ordinal comparison
    /// does not fold `ı` to `I`.
    static func caseInsensitiveKey(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { scalar in
            if scalar.isASCII {
                return ("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32)! : scalar
            }
            let upper = scalar.properties.uppercaseMapping.unicodeScalars
            guard upper.count == 1, let mapped = upper.first, !mapped.isASCII else { return scalar }
            return mapped
        }
    }

    /// The member of `members` named `key`, as GitHub looks it up: the exact name first, else the
    /// first name (in sorted order) equal to it case-insensitively.
    static func member(_ members: [String: ExpressionValue], named key: String) -> ExpressionValue? {
        if let exact = members[key] { return exact }
        let folded = caseInsensitiveKey(key)
        return members.keys.filter { caseInsensitiveKey($0) == folded }.min().flatMap { members[$0] }
    }
}

extension ExpressionValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ExpressionValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ExpressionValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
