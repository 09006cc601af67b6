/// One token of an expression, with where it starts.
struct ExpressionToken: Sendable {
    enum Kind: Hashable, Sendable {
        case literal(ExpressionValue)
        case identifier(String)
        case leftParen, rightParen, leftBracket, rightBracket, comma, dot, star, bang
        case equal, notEqual, less, lessEqual, greater, greaterEqual, and, or
        case end
    }

    var kind: Kind
    /// The token as written (empty for `end`), for messages and property names such as `.true`.
    var text: String
    var position: TextPosition

    /// How a message names this token.
    var quoted: String { kind == .end ? "end of expression" : "`\(text)`" }
}

/// Splits expression source into tokens, following GitHub Actions' lexical rules: identifiers may contain
/// `-`, strings use single quotes with `''` as the escaped quote, and `-` or `+` only ever starts a
/// number (`-1`, `+1.5`, `-Infinity`; there is no arithmetic).
struct ExpressionLexer {
    private let text: ScalarText
    private var offset = 0
    private var tokens: [ExpressionToken] = []

    static func tokenize(_ source: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(text: ScalarText(source))
        try lexer.run()
        return lexer.tokens
    }

    private init(text: ScalarText) { self.text = text }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        scalar.map { ("0"..."9").contains($0) } ?? false
    }

    /// Whether the previous token ends an operand, so that a following `.` is a property access, not a number.
    private var afterOperand: Bool {
        switch tokens.last?.kind {
        case .literal, .identifier, .rightParen, .rightBracket, .star: true
        default: false
        }
    }

    private mutating func run() throws(ExpressionError) {
        while let scalar = text[offset] {
            let start = offset
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                offset += 1
                continue
            }
            if scalar == "'" {
                try readString()
            } else if ExpressionLexer.isDigit(scalar)
                || ((scalar == "-" || scalar == "+")
                    && (ExpressionLexer.isDigit(text[offset + 1]) || text[offset + 1] == "." || text.hasPrefix("Infinity", at: offset + 1)))
                || (scalar == "." && ExpressionLexer.isDigit(text[offset + 1]) && !afterOperand)
            {
                try readNumber()
            } else if ExpressionLexer.isIdentifierStart(scalar) {
                while let next = text[offset], ExpressionLexer.isIdentifierPart(next) { offset += 1 }
                let word = text.string(start..<offset)
                switch word {
                case "true": add(.literal(.bool(true)), from: start)
                case "false": add(.literal(.bool(false)), from: start)
                case "null": add(.literal(.null), from: start)
                case "NaN": add(.literal(.number(.nan)), from: start)
                case "Infinity": add(.literal(.number(.infinity)), from: start)
                default: add(.identifier(word), from: start)
                }
            } else {
                try readPunctuation(scalar)
            }
        }
        tokens.append(ExpressionToken(kind: .end, text: "", position: text.position(of: offset)))
    }

    private mutating func add(_ kind: ExpressionToken.Kind, from start: Int) {
        tokens.append(
            ExpressionToken(kind: kind, text: text.string(start..<offset), position: text.position(of: start)))
    }

    private mutating func readPunctuation(_ scalar: Unicode.Scalar) throws(ExpressionError) {
        let start = offset
        let next = text[offset + 1]
        let twoScalar: ExpressionToken.Kind? =
            switch (scalar, next) {
            case ("=", "="): .equal
            case ("!", "="): .notEqual
            case ("<", "="): .lessEqual
            case (">", "="): .greaterEqual
            case ("&", "&"): .and
            case ("|", "|"): .or
            default: nil
            }
        if let twoScalar {
            offset += 2
            return add(twoScalar, from: start)
        }
        let oneScalar: ExpressionToken.Kind? =
            switch scalar {
            case "(": .leftParen
            case ")": .rightParen
            case "[": .leftBracket
            case "]": .rightBracket
            case ",": .comma
            case ".": .dot
            case "*": .star
            case "!": .bang
            case "<": .less
            case ">": .greater
            default: nil
            }
        if let oneScalar {
            offset += 1
            return add(oneScalar, from: start)
        }
        let position = text.position(of: start)
        let hint: String =
            switch scalar {
            case "=": "; compare with `==`"
            case "&": "; the logical and is `&&`"
            case "|": "; the logical or is `||`"
            case "\"": "; strings are written in single quotes: 'text'"
            case "-", "+", "/": "; expressions have no arithmetic operators; use `div(a, b)`, `max(a, b)` or `min(a, b)`"
            default: ""
            }
        let shown =
            scalar.value < 0x20 || scalar.value == 0x7F
            ? "U+\(String(scalar.value, radix: 16, uppercase: true))" : "`\(scalar)`"
        throw ExpressionError("unexpected \(shown)\(hint)", at: position)
    }

    /// A single-quoted string; `''` inside it is one quote.
    private mutating func readString() throws(ExpressionError) {
        let start = offset
        offset += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = text[offset] else {
                throw ExpressionError(
                    "unterminated string; close it with `'` (write a quote inside a string as `''`)",
                    at: text.position(of: start))
            }
            offset += 1
            if scalar == "'" {
                guard text[offset] == "'" else { break }
                offset += 1
            }
            value.append(scalar)
        }
        add(.literal(.string(String(value))), from: start)
    }

    /// A number: everything up to the next delimiter, checked by `ExpressionValue.parseNumber`.
    private mutating func readNumber() throws(ExpressionError) {
        let start = offset
        offset += 1
        let signed = text[start] == "-" || text[start] == "+"
        let digitsStart = signed ? start + 1 : start
        let isHex = text.hasPrefix("0x", at: digitsStart) || text.hasPrefix("0X", at: digitsStart)
        while let scalar = text[offset] {
            let previous = text[offset - 1]
            let isExponentSign = (scalar == "+" || scalar == "-") && (previous == "e" || previous == "E") && !isHex
            guard ExpressionLexer.isIdentifierPart(scalar) && scalar != "-" || scalar == "." || isExponentSign else {
                break
            }
            offset += 1
        }
        let word = text.string(start..<offset)
        // GitHub takes a sign on decimal numbers and `Infinity` only, not on `0x…` or `0o…`.
        let radixPrefix = ["0x", "0X", "0o", "0O"].contains { text.hasPrefix($0, at: digitsStart) }
        guard !(signed && radixPrefix), let value = ExpressionValue.parseNumber(word) else {
            let hint = signed && radixPrefix ? "; hexadecimal and octal numbers take no sign" : ""
            throw ExpressionError("invalid number `\(word)`\(hint)", at: text.position(of: start))
        }
        add(.literal(.number(value)), from: start)
    }
}
