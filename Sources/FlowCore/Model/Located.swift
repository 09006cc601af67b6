/// A value together with where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// A string from the file that may hold `${{ }}` expressions, with what is needed to point at
/// a position inside it (multi-line block scalars included).
public struct SourceText: Sendable, Hashable {
    public var text: String
    public var location: SourceLocation
    public var style: YAMLScalar.Style
    /// Column (0-based) where the lines of a block scalar start.
    public var blockIndent: Int?

    public init(_ text: String, at location: SourceLocation, style: YAMLScalar.Style = .plain, blockIndent: Int? = nil) {
        self.text = text
        self.location = location
        self.style = style
        self.blockIndent = blockIndent
    }

    public init?(_ node: YAMLNode) {
        guard let s = node.scalar else { return nil }
        self.init(s.value, at: node.location, style: s.style, blockIndent: s.blockIndent)
    }

    /// The file location of a position inside the text. Exact for single-line values and for
    /// `|` blocks; for folded and multi-line flow scalars it points at the best matching line.
    public func location(of position: TextPosition) -> SourceLocation {
        if let indent = blockIndent {
            return SourceLocation(file: location.file, line: location.line + position.line, column: indent + position.column)
        }
        let quote = style.isQuoted ? 1 : 0
        if position.line == 1 { return location.advanced(by: quote + position.column - 1) }
        return SourceLocation(file: location.file, line: location.line + position.line - 1, column: position.column)
    }

    public var containsExpression: Bool { text.containsExpressionOpener }
}

extension String {
    /// Whether `${{` occurs: a byte scan (Foundation's `contains` is far slower on Linux, and
    /// this runs for every string value of a pipeline).
    public var containsExpressionOpener: Bool {
        if let found = utf8.withContiguousStorageIfAvailable(Self.scanForOpener) { return found }
        return Array(utf8).withUnsafeBufferPointer(Self.scanForOpener)
    }

    private static func scanForOpener(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i + 2 < n {
            if bytes[i] == UInt8(ascii: "$") && bytes[i + 1] == UInt8(ascii: "{") && bytes[i + 2] == UInt8(ascii: "{") { return true }
            i += 1
        }
        return false
    }
}
