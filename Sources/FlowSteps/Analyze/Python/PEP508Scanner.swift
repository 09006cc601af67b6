/// Byte classes of PEP 508's grammar (ASCII only; any other byte is in none of them).
enum PEP508Bytes {
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// A character of a distribution or extra name: letters, digits, `-`, `_`, `.`.
    static func isNameCharacter(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
}

/// A cursor over the UTF-8 bytes of a requirement or marker, for the hand-written PEP 508 parser.
struct PEP508Scanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    func peek(_ ahead: Int = 0) -> UInt8? {
        position + ahead < bytes.count ? bytes[position + ahead] : nil
    }

    mutating func skipSpaces() {
        while let byte = peek(), PEP508Bytes.isSpace(byte) { position += 1 }
    }

    /// Consumes `literal` when the text continues with it.
    mutating func consume(_ literal: String) -> Bool {
        var index = position
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        position = index
        return true
    }

    /// Consumes `word` when it stands alone here (no name character follows it).
    mutating func consumeKeyword(_ word: String) -> Bool {
        let start = position
        guard consume(word) else { return false }
        if let next = peek(), PEP508Bytes.isNameCharacter(next) {
            position = start
            return false
        }
        return true
    }

    /// Consumes a run of name characters and returns its range.
    mutating func nameCharacters() -> Range<Int> {
        let start = position
        while let byte = peek(), PEP508Bytes.isNameCharacter(byte) { position += 1 }
        return start..<position
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
