/// A syntax error with its place in a file, ready to become a `requirements-syntax` finding.
public struct LocatedSyntaxError: Error, Sendable, Hashable {
    public var message: String
    public var span: SourceSpan

    /// Makes a value from its parts.
    public init(_ message: String, span: SourceSpan) {
        self.message = message
        self.span = span
    }

    /// The error as a `requirements-syntax` finding (severity error).
    public var finding: Finding {
        Finding(rule: PythonRules.syntaxRule, severity: .error, span: span, message: message)
    }
}

extension Requirement {
    /// At most this many bytes of requirement text parse.
    static let maximumLength = 16_384

    /// Parses a PEP 508 requirement written at `span`. When `span` covers exactly `text` on one
    /// line, the name and specifier spans point inside it; when `text` is a quoted word whose
    /// `raw` form is `"text"` or `'text'`, one byte further; otherwise every part gets `span`.
    public static func parse(_ text: String, span: SourceSpan, raw: String? = nil) -> Result<Requirement, LocatedSyntaxError> {
        let bytes = Array(text.utf8)
        let locate = Self.wordLocator(bytes: bytes, span: span, raw: raw)
        return parse(bytes: bytes, locate: locate).mapError { LocatedSyntaxError($0.message, span: locate($0.offset..<($0.offset + $0.length))) }
    }

    /// Maps byte ranges of a word's text to file spans (see `parse(_:span:raw:)`).
    static func wordLocator(bytes: [UInt8], span: SourceSpan, raw: String?) -> (Range<Int>) -> SourceSpan {
        var lead = -1
        if !bytes.contains(0x0A) {
            if span.length == bytes.count, raw == nil || raw?.utf8.count == bytes.count {
                lead = 0
            } else if let raw, span.length == bytes.count + 2, raw.utf8.count == bytes.count + 2,
                      let quote = raw.utf8.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
                      raw.utf8.last == quote, Array(raw.utf8.dropFirst().dropLast()) == bytes {
                lead = 1
            }
        }
        return { range in
            guard lead >= 0 else { return span }
            let lower = min(max(range.lowerBound, 0), bytes.count)
            let upper = min(max(range.upperBound, lower), bytes.count)
            let columns = bytes[..<lower].reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
            return SourceSpan(file: span.file, line: span.line, column: span.column + lead + columns,
                              offset: span.offset + lead + lower, length: upper - lower)
        }
    }

    /// Parses a PEP 508 requirement from UTF-8 bytes; `locate` maps byte ranges to file spans.
    static func parse(bytes: [UInt8], locate: (Range<Int>) -> SourceSpan) -> Result<Requirement, PythonSyntaxError> {
        guard bytes.count <= maximumLength else {
            return .failure(PythonSyntaxError("a requirement longer than \(maximumLength) bytes", offset: 0, length: bytes.count))
        }
        var scanner = PEP508Scanner(bytes)
        scanner.skipSpaces()
        let start = scanner.position
        let nameRange = scanner.nameCharacters()
        guard !nameRange.isEmpty else {
            return .failure(PythonSyntaxError("expected a package name", offset: start, length: scanner.isAtEnd ? 0 : 1))
        }
        guard PEP508Bytes.isLetterOrDigit(bytes[nameRange.lowerBound]), PEP508Bytes.isLetterOrDigit(bytes[nameRange.upperBound - 1]) else {
            return .failure(PythonSyntaxError("a package name must start and end with a letter or digit", offset: nameRange.lowerBound, length: nameRange.count))
        }
        var extras: [String] = []
        var extrasRange: Range<Int>?
        scanner.skipSpaces()
        if scanner.peek() == UInt8(ascii: "[") {
            switch parseExtras(&scanner) {
            case .success(let parsed): (extras, extrasRange) = (parsed.names, parsed.range)
            case .failure(let error): return .failure(error)
            }
            scanner.skipSpaces()
        }
        var url: String?
        var specifiers = SpecifierSet()
        var specifierRange: Range<Int>?
        if scanner.consume("@") {
            scanner.skipSpaces()
            let urlStart = scanner.position
            while let byte = scanner.peek(), !PEP508Bytes.isSpace(byte) { scanner.position += 1 }
            guard scanner.position > urlStart else {
                return .failure(PythonSyntaxError("`@` needs a URL", offset: urlStart, length: 0))
            }
            url = scanner.text(urlStart..<scanner.position)
            if let rest = bytes[scanner.position...].firstIndex(where: { !PEP508Bytes.isSpace($0) }), bytes[rest] != UInt8(ascii: ";") {
                return .failure(PythonSyntaxError("expected `;` and a marker after the URL", offset: rest, length: bytes.count - rest))
            }
        } else if let parsed = parseSpecifierPart(&scanner) {
            switch parsed {
            case .success(let value): (specifiers, specifierRange) = (value.set, value.range)
            case .failure(let error): return .failure(error)
            }
        }
        scanner.skipSpaces()
        var marker: MarkerExpression?
        if scanner.consume(";") {
            let markerStart = scanner.position
            switch MarkerExpression.parseToEnd(&scanner) {
            case .success(let parsed): marker = parsed
            case .failure(let error):
                if markerStart == bytes.count || !bytes[markerStart...].contains(where: { !PEP508Bytes.isSpace($0) }) {
                    return .failure(PythonSyntaxError("`;` needs a marker after it", offset: markerStart - 1, length: 1))
                }
                return .failure(error)
            }
        }
        scanner.skipSpaces()
        guard scanner.isAtEnd else {
            return .failure(PythonSyntaxError("unexpected `\(scanner.text(scanner.position..<min(bytes.count, scanner.position + 24)))` in the requirement", offset: scanner.position, length: bytes.count - scanner.position))
        }
        var end = bytes.count
        while end > start, PEP508Bytes.isSpace(bytes[end - 1]) { end -= 1 }
        return .success(Requirement(
            name: scanner.text(nameRange), extras: extras, specifiers: specifiers, url: url, marker: marker,
            text: scanner.text(start..<end), span: locate(start..<end), nameSpan: locate(nameRange),
            extrasSpan: extrasRange.map(locate), specifierSpan: specifierRange.map(locate)))
    }

    private static func parseExtras(_ scanner: inout PEP508Scanner) -> Result<(names: [String], range: Range<Int>), PythonSyntaxError> {
        let open = scanner.position
        scanner.position += 1
        var names: [String] = []
        scanner.skipSpaces()
        if scanner.consume("]") { return .success(([], open..<scanner.position)) }
        while true {
            scanner.skipSpaces()
            let name = scanner.nameCharacters()
            guard !name.isEmpty else {
                return .failure(PythonSyntaxError("expected an extra name", offset: scanner.position, length: scanner.isAtEnd ? 0 : 1))
            }
            names.append(scanner.text(name))
            scanner.skipSpaces()
            if scanner.consume("]") { return .success((names, open..<scanner.position)) }
            guard scanner.consume(",") else {
                return .failure(PythonSyntaxError("`[` is not closed with `]`", offset: open, length: 1))
            }
        }
    }

    /// The version clauses, parenthesized or not, up to `;` or the end; nil when none start here.
    private static func parseSpecifierPart(_ scanner: inout PEP508Scanner) -> Result<(set: SpecifierSet, range: Range<Int>), PythonSyntaxError>? {
        guard let first = scanner.peek() else { return nil }
        let bytes = scanner.bytes
        var range: Range<Int>
        if first == UInt8(ascii: "(") {
            guard let close = bytes[scanner.position...].firstIndex(of: UInt8(ascii: ")")) else {
                return .failure(PythonSyntaxError("`(` is not closed", offset: scanner.position, length: 1))
            }
            range = (scanner.position + 1)..<close
            scanner.position = close + 1
        } else if "<>=!~".utf8.contains(first) {
            let end = bytes[scanner.position...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            range = scanner.position..<end
            scanner.position = end
        } else {
            return nil
        }
        while range.lowerBound < range.upperBound, PEP508Bytes.isSpace(bytes[range.lowerBound]) { range = (range.lowerBound + 1)..<range.upperBound }
        while range.upperBound > range.lowerBound, PEP508Bytes.isSpace(bytes[range.upperBound - 1]) { range = range.lowerBound..<(range.upperBound - 1) }
        switch SpecifierSet.parse(String(decoding: bytes[range], as: UTF8.self)) {
        case .success(let set): return .success((set, range))
        case .failure(let error): return .failure(error.shifted(by: range.lowerBound))
        }
    }
}
