extension ExpressionValue {
    /// Parses JSON text (any JSON value, not only objects and arrays). Numbers become `.number`;
    /// of duplicate keys the last wins. The error's position is inside `json`.
    public init(json: String) throws(ExpressionError) {
        var parser = JSONReader(text: ScalarText(json))
        self = try parser.readDocument()
    }

    /// The value as JSON with object keys sorted. `pretty` puts each element on its own line with a
    /// 2-space indent (what `toJSON` returns); otherwise it is compact. NaN and infinities become `null`.
    public func toJSON(pretty: Bool) -> String {
        var output = ""
        writeJSON(to: &output, indent: pretty ? 0 : nil)
        return output
    }

    /// `indent` is the current nesting depth when pretty-printing, `nil` for compact output.
    private func writeJSON(to output: inout String, indent: Int?) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value): output += value.isFinite ? ExpressionValue.format(value) : "null"
        case .string(let value): ExpressionValue.writeJSONString(value, to: &output)
        case .array(let elements):
            writeJSONContainer(elements.map { (nil, $0) }, open: "[", close: "]", to: &output, indent: indent)
        case .object(let members):
            let sorted = members.sorted { $0.key < $1.key }.map { (Optional($0.key), $0.value) }
            writeJSONContainer(sorted, open: "{", close: "}", to: &output, indent: indent)
        }
    }

    private func writeJSONContainer(
        _ items: [(key: String?, value: ExpressionValue)], open: String, close: String, to output: inout String,
        indent: Int?
    ) {
        output += open
        guard !items.isEmpty else {
            output += close
            return
        }
        let inner = indent.map { $0 + 1 }
        for (offset, item) in items.enumerated() {
            if offset > 0 { output += "," }
            if let inner { output += "\n" + String(repeating: "  ", count: inner) }
            if let key = item.key {
                ExpressionValue.writeJSONString(key, to: &output)
                output += inner == nil ? ":" : ": "
            }
            item.value.writeJSON(to: &output, indent: inner)
        }
        if let indent { output += "\n" + String(repeating: "  ", count: indent) }
        output += close
    }

    private static func writeJSONString(_ string: String, to output: inout String) {
        output += JSONText.quote(string)
    }
}

/// A strict JSON (RFC 8259) reader producing `ExpressionValue`s, with line/column error positions.
private struct JSONReader {
    let text: ScalarText
    var offset = 0
    var depth = 0
    /// Deeper documents are rejected rather than risking the stack.
    static let maximumDepth = 512

    init(text: ScalarText) { self.text = text }

    mutating func readDocument() throws(ExpressionError) -> ExpressionValue {
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if let scalar = text[offset] { throw error("unexpected \(describe(scalar)) after the JSON value") }
        return value
    }

    private func error(_ message: String) -> ExpressionError {
        ExpressionError(message, at: text.position(of: offset))
    }

    private func describe(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x20 ? "control character U+\(String(scalar.value, radix: 16, uppercase: true))" : "`\(scalar)`"
    }

    private mutating func skipWhitespace() {
        while let scalar = text[offset], scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            offset += 1
        }
    }

    private mutating func readValue() throws(ExpressionError) -> ExpressionValue {
        guard let scalar = text[offset] else { throw error("unexpected end of JSON; expected a value") }
        switch scalar {
        case "{": return try readContainer(close: "}")
        case "[": return try readContainer(close: "]")
        case "\"": return .string(try readString())
        case "t": return try readKeyword("true", .bool(true))
        case "f": return try readKeyword("false", .bool(false))
        case "n": return try readKeyword("null", .null)
        case "-", "0"..."9": return try readNumber()
        default: throw error("unexpected \(describe(scalar)); expected a JSON value")
        }
    }

    private mutating func readKeyword(
        _ word: String, _ value: ExpressionValue
    ) throws(ExpressionError) -> ExpressionValue {
        guard text.hasPrefix(word, at: offset) else { throw error("invalid JSON literal; expected `\(word)`") }
        offset += word.unicodeScalars.count
        return value
    }

    private mutating func readNumber() throws(ExpressionError) -> ExpressionValue {
        let start = offset
        func digits(_ reader: inout JSONReader) -> Int {
            var count = 0
            while let scalar = reader.text[reader.offset], ("0"..."9").contains(scalar) {
                reader.offset += 1
                count += 1
            }
            return count
        }
        if text[offset] == "-" { offset += 1 }
        let integerStart = offset
        guard digits(&self) > 0 else { throw error("invalid number: expected a digit") }
        if text[integerStart] == "0", offset - integerStart > 1 {
            offset = integerStart
            throw error("invalid number: leading zeros are not allowed")
        }
        if text[offset] == "." {
            offset += 1
            guard digits(&self) > 0 else { throw error("invalid number: expected a digit after `.`") }
        }
        if let e = text[offset], e == "e" || e == "E" {
            offset += 1
            if let sign = text[offset], sign == "+" || sign == "-" { offset += 1 }
            guard digits(&self) > 0 else { throw error("invalid number: expected a digit in the exponent") }
        }
        guard let value = Double(text.string(start..<offset)) else { throw error("invalid number") }
        return .number(value)
    }

    private mutating func readString() throws(ExpressionError) -> String {
        let start = offset
        offset += 1  // opening quote
        var result = String.UnicodeScalarView()
        while true {
            guard let scalar = text[offset] else {
                offset = start
                throw error("unterminated string")
            }
            switch scalar {
            case "\"":
                offset += 1
                return String(result)
            case "\\":
                offset += 1
                result.append(try readEscape())
            case _ where scalar.value < 0x20:
                throw error("\(describe(scalar)) in a string; write it as an escape such as \\n")
            default:
                result.append(scalar)
                offset += 1
            }
        }
    }

    /// Reads what follows a backslash; `offset` is just after it.
    private mutating func readEscape() throws(ExpressionError) -> Unicode.Scalar {
        guard let scalar = text[offset] else { throw error("unterminated string") }
        offset += 1
        switch scalar {
        case "\"", "\\", "/": return scalar
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "u":
            let high = try readHex4()
            guard (0xD800...0xDBFF).contains(high) else {
                guard let result = Unicode.Scalar(high) else { throw error("unpaired surrogate in \\u escape") }
                return result
            }
            guard text.hasPrefix("\\u", at: offset) else { throw error("unpaired surrogate in \\u escape") }
            offset += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        default:
            offset -= 2  // point at the backslash
            throw error("invalid escape `\\\(scalar)` in a string")
        }
    }

    private mutating func readHex4() throws(ExpressionError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = text[offset], let digit = Character(scalar).hexDigitValue else {
                throw error("invalid \\u escape: expected 4 hexadecimal digits")
            }
            value = value * 16 + UInt32(digit)
            offset += 1
        }
        return value
    }

    /// Reads an array (`close` is `]`) or an object (`close` is `}`); `offset` is at the opening bracket.
    private mutating func readContainer(close: Unicode.Scalar) throws(ExpressionError) -> ExpressionValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONReader.maximumDepth else {
            throw error("JSON is nested deeper than \(JSONReader.maximumDepth) levels")
        }
        let isObject = close == "}"
        offset += 1
        var elements: [ExpressionValue] = []
        var members: [String: ExpressionValue] = [:]
        skipWhitespace()
        if text[offset] == close {
            offset += 1
            return isObject ? .object(members) : .array(elements)
        }
        while true {
            skipWhitespace()
            if isObject {
                guard text[offset] == "\"" else { throw error("expected a string key in the object") }
                let key = try readString()
                skipWhitespace()
                guard text[offset] == ":" else { throw error("expected `:` after the object key") }
                offset += 1
                skipWhitespace()
                members[key] = try readValue()
            } else {
                elements.append(try readValue())
            }
            skipWhitespace()
            guard let scalar = text[offset] else {
                throw error("unexpected end of JSON; expected `,` or `\(close)`")
            }
            offset += 1
            if scalar == close { return isObject ? .object(members) : .array(elements) }
            guard scalar == "," else {
                offset -= 1
                throw error("unexpected \(describe(scalar)); expected `,` or `\(close)`")
            }
        }
    }
}
