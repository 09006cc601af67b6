/// The byte patterns under which one secret value can show up in a step's output.
///
/// For a value `V` the forms are: `V`; the stable middle of base64(`V`) at each of the three
/// alignments, in the standard and URL-safe alphabets; `V` percent-encoded (upper- and
/// lower-case hex, with and without `+` for space); `V` JSON-escaped (with and without `\/`,
/// upper- and lower-case `\u` hex, and the ASCII-only form that escapes non-ASCII as `\uXXXX`).
/// Every form shorter than ``minimumLength`` is dropped.
enum SecretForms {
    /// Values and derived patterns shorter than this (in characters) are never masked.
    static let minimumLength = 4

    /// The values to derive forms from: the secret itself, the secret with surrounding
    /// whitespace trimmed, and every line of a multi-line secret (trailing `\r` trimmed).
    /// Values under ``minimumLength`` characters, and whitespace-only values, are dropped.
    static func values(of secret: String) -> [String] {
        var result: [String] = []
        func add(_ value: String) {
            guard value.count >= minimumLength,
                value.contains(where: { !$0.isWhitespace }),
                !result.contains(value)
            else { return }
            result.append(value)
        }
        add(secret)
        add(trimmingWhitespace(secret))
        if secret.utf8.contains(UInt8(ascii: "\n")) {
            for line in secret.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                var bytes = Array(line)
                if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                add(String(decoding: bytes, as: UTF8.self))
            }
        }
        return result
    }

    /// Every pattern for every value of `secret`, deduplicated.
    static func patterns(of secret: String) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        var result: [[UInt8]] = []
        for value in values(of: secret) {
            for form in forms(of: value) where form.count >= minimumLength && seen.insert(form).inserted {
                result.append(form)
            }
        }
        return result
    }

    /// All encoded forms of one value (not yet filtered by length).
    static func forms(of value: String) -> [[UInt8]] {
        let bytes = Array(value.utf8)
        return [bytes] + base64Middles(of: bytes) + urlEncodings(of: bytes) + jsonEscapings(of: value)
    }

    // MARK: base64

    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Plain base64 with `=` padding, standard alphabet.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(standardAlphabet[Int(group >> 18 & 63)])
            out.append(standardAlphabet[Int(group >> 12 & 63)])
            out.append(i + 1 < bytes.count ? standardAlphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? standardAlphabet[Int(group & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }

    /// For `k` = 0, 1, 2 filler bytes before `V`: the base64 characters whose 6 bits all come
    /// from `V`'s bytes — those are the same whatever surrounds `V` in a longer blob. Character
    /// `i` covers bits `6i ..< 6i+6`; `V` covers bits `8k ..< 8(k+n)`.
    /// Each middle is returned in the standard alphabet and, when different, the URL-safe one.
    static func base64Middles(of value: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for k in 0..<3 {
            let encoded = base64([UInt8](repeating: 0, count: k) + value)
            let first = (8 * k + 5) / 6
            let end = 8 * (k + value.count) / 6
            guard end > first else { continue }
            let middle = Array(encoded[first..<end])
            result.append(middle)
            let urlSafe = middle.map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "+"): UInt8(ascii: "-")
                case UInt8(ascii: "/"): UInt8(ascii: "_")
                default: byte
                }
            }
            if urlSafe != middle { result.append(urlSafe) }
        }
        return result
    }

    // MARK: percent-encoding

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Percent-encoding of everything but the unreserved set, in upper- and lower-case hex,
    /// each also with `+` for space (the form-encoding convention).
    static func urlEncodings(of value: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for upper in [true, false] {
            for plusForSpace in [false, true] {
                if plusForSpace && !value.contains(UInt8(ascii: " ")) { continue }
                var out: [UInt8] = []
                for byte in value {
                    if isUnreserved(byte) {
                        out.append(byte)
                    } else if plusForSpace && byte == UInt8(ascii: " ") {
                        out.append(UInt8(ascii: "+"))
                    } else {
                        out.append(UInt8(ascii: "%"))
                        out.append(hexDigit(byte >> 4, upper: upper))
                        out.append(hexDigit(byte & 15, upper: upper))
                    }
                }
                result.append(out)
            }
        }
        return result
    }

    // MARK: JSON

    /// `V` as it appears between the quotes of a JSON string. Variants: `/` left alone or
    /// written `\/`; `\u` escapes in lower- or upper-case hex; non-ASCII left as UTF-8 or
    /// written as `\uXXXX` (UTF-16, surrogate pairs above U+FFFF, as Python's `json.dumps` does).
    static func jsonEscapings(of value: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        let hasSlash = value.unicodeScalars.contains("/")
        let hasNonASCII = value.unicodeScalars.contains { !$0.isASCII }
        for escapeSlash in hasSlash ? [false, true] : [false] {
            for upper in [false, true] {
                for asciiOnly in hasNonASCII ? [false, true] : [false] {
                    result.append(jsonEscape(value, escapeSlash: escapeSlash, upperHex: upper, asciiOnly: asciiOnly))
                }
            }
        }
        return result
    }

    static func jsonEscape(_ value: String, escapeSlash: Bool, upperHex: Bool, asciiOnly: Bool) -> [UInt8] {
        var out: [UInt8] = []
        func unicodeEscape(_ unit: UInt16) {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
            for shift in [12, 8, 4, 0] {
                out.append(hexDigit(UInt8(truncatingIfNeeded: unit >> UInt16(shift)) & 15, upper: upperHex))
            }
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: Array(#"\""#.utf8))
            case "\\": out.append(contentsOf: Array(#"\\"#.utf8))
            case "\n": out.append(contentsOf: Array(#"\n"#.utf8))
            case "\r": out.append(contentsOf: Array(#"\r"#.utf8))
            case "\t": out.append(contentsOf: Array(#"\t"#.utf8))
            case "\u{08}": out.append(contentsOf: Array(#"\b"#.utf8))
            case "\u{0C}": out.append(contentsOf: Array(#"\f"#.utf8))
            case "/" where escapeSlash: out.append(contentsOf: Array(#"\/"#.utf8))
            default:
                if scalar.value < 0x20 {
                    unicodeEscape(UInt16(scalar.value))
                } else if asciiOnly && !scalar.isASCII {
                    for unit in String(scalar).utf16 { unicodeEscape(unit) }
                } else {
                    out.append(contentsOf: Array(String(scalar).utf8))
                }
            }
        }
        return out
    }

    // MARK: helpers

    private static func hexDigit(_ nibble: UInt8, upper: Bool) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : (upper ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
    }

    private static func trimmingWhitespace(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
