/// Byte values the lexers compare against, as integer constants: a debug build would otherwise
/// build a `Unicode.Scalar` for every `UInt8(ascii:)` in a loop over every byte of the file.
enum DockerfileASCII {
    static let ampersand: UInt8 = 0x26
    static let backslash: UInt8 = 0x5C
    static let backtick: UInt8 = 0x60
    static let bang: UInt8 = 0x21
    static let bar: UInt8 = 0x7C
    static let caret: UInt8 = 0x5E
    static let carriageReturn: UInt8 = 0x0D
    static let closeBrace: UInt8 = 0x7D
    static let closeBracket: UInt8 = 0x5D
    static let closeParen: UInt8 = 0x29
    static let colon: UInt8 = 0x3A
    static let dash: UInt8 = 0x2D
    static let dollar: UInt8 = 0x24
    static let dot: UInt8 = 0x2E
    static let doubleQuote: UInt8 = 0x22
    static let equals: UInt8 = 0x3D
    static let greater: UInt8 = 0x3E
    static let hash: UInt8 = 0x23
    static let less: UInt8 = 0x3C
    static let lowerA: UInt8 = 0x61
    static let lowerZ: UInt8 = 0x7A
    static let newline: UInt8 = 0x0A
    static let nine: UInt8 = 0x39
    static let openBrace: UInt8 = 0x7B
    static let openBracket: UInt8 = 0x5B
    static let openParen: UInt8 = 0x28
    static let percent: UInt8 = 0x25
    static let plus: UInt8 = 0x2B
    static let question: UInt8 = 0x3F
    static let semicolon: UInt8 = 0x3B
    static let singleQuote: UInt8 = 0x27
    static let slash: UInt8 = 0x2F
    static let space: UInt8 = 0x20
    static let star: UInt8 = 0x2A
    static let tab: UInt8 = 0x09
    static let underscore: UInt8 = 0x5F
    static let upperA: UInt8 = 0x41
    static let upperZ: UInt8 = 0x5A
    static let zero: UInt8 = 0x30
}
