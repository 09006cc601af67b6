/// Reads the exec (JSON) form of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD and VOLUME: a JSON array
/// of strings, each element located. Anything else is not exec form (Docker then takes the text
/// as shell form).
enum ExecFormParser {
    /// One element: its decoded value and its logical byte range (quotes included).
    struct Element {
        var value: String
        var range: Range<Int>
    }

    /// The elements, or nil when the text is not a JSON array of strings.
    static func parse(_ bytes: [UInt8]) -> [Element]? {
        var index = 0
        skipSpace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var elements: [Element] = []
        skipSpace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            skipSpace(bytes, &index)
            return index == bytes.count ? [] : nil
        }
        while true {
            skipSpace(bytes, &index)
            guard let element = parseString(bytes, &index) else { return nil }
            elements.append(element)
            skipSpace(bytes, &index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { return nil }
            index += 1
            break
        }
        skipSpace(bytes, &index)
        return index == bytes.count ? elements : nil
    }

    private static func skipSpace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[index]) {
            index += 1
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func readHex4(_ bytes: [UInt8], _ index: inout Int) -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(bytes[index + offset]) else { return nil }
            value = value * 16 + digit
        }
        index += 4
        return value
    }

    private static func parseString(_ bytes: [UInt8], _ index: inout Int) -> Element? {
        let start = index
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var value: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return Element(value: String(decoding: value, as: UTF8.self), range: start..<index)
            }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                value.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { return nil }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): value.append(escaped)
            case UInt8(ascii: "b"): value.append(0x08)
            case UInt8(ascii: "f"): value.append(0x0C)
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = readHex4(bytes, &index) else { return nil }
                if scalar >= 0xD800, scalar < 0xDC00 {
                    var lookahead = index
                    if lookahead + 1 < bytes.count, bytes[lookahead] == UInt8(ascii: "\\"), bytes[lookahead + 1] == UInt8(ascii: "u") {
                        lookahead += 2
                        if let low = readHex4(bytes, &lookahead), low >= 0xDC00, low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            index = lookahead
                        }
                    }
                }
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                value.append(contentsOf: Array(String(character).utf8))
            default:
                return nil
            }
        }
        return nil
    }

    /// Encodes a string as a JSON string literal (for the shell-to-exec-form fix).
    static func encode(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
