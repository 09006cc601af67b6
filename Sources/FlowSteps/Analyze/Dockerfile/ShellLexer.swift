/// One token of a shell text: a word, an operator that ends a command, or a redirection.
struct ShellToken {
    enum Kind: Equatable {
        case word
        case separator(ShellSeparator)
        case redirection
    }

    var kind: Kind
    /// Logical byte range.
    var start: Int
    var end: Int
    /// For words: the value with quotes and escapes removed (`$(…)` kept as written).
    var text: [UInt8]
}

/// Splits a shell text into words and operators: quotes, `\` escapes, `$(…)`, `${…}`, backticks,
/// comments, redirections (`2>&1`, `<<EOF` with its body skipped) and the separators `&&`, `||`,
/// `;`, `|`, `&`, newline. Not a full shell; every loop advances and nesting is bounded.
struct ShellLexer {
    static let maximumDepth = 64
    static let maximumTokens = 50_000

    private let bytes: [UInt8]
    private var index = 0
    private var tokens: [ShellToken] = []
    private var pendingHeredocs: [(delimiter: [UInt8], stripsTabs: Bool)] = []
    private var expectDelimiter: Bool?
    private(set) var truncated = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The tokens of the whole text.
    static func tokens(of bytes: [UInt8]) -> (tokens: [ShellToken], truncated: Bool) {
        var lexer = ShellLexer(bytes)
        lexer.run()
        return (lexer.tokens, lexer.truncated)
    }

    private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == DockerfileASCII.space || byte == DockerfileASCII.tab || byte == DockerfileASCII.carriageReturn
    }

    private static func endsWord(_ byte: UInt8) -> Bool {
        isBlank(byte) || byte == DockerfileASCII.newline || byte == DockerfileASCII.semicolon || byte == DockerfileASCII.ampersand
            || byte == DockerfileASCII.bar || byte == DockerfileASCII.openParen || byte == DockerfileASCII.closeParen
            || byte == DockerfileASCII.less || byte == DockerfileASCII.greater
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        !endsWord(byte) && byte != DockerfileASCII.singleQuote && byte != DockerfileASCII.doubleQuote && byte != DockerfileASCII.backslash
            && byte != DockerfileASCII.dollar && byte != DockerfileASCII.backtick
    }

    private mutating func emit(_ kind: ShellToken.Kind, _ start: Int, _ end: Int, _ text: [UInt8] = []) {
        guard tokens.count < Self.maximumTokens else {
            truncated = true
            index = bytes.count
            return
        }
        tokens.append(ShellToken(kind: kind, start: start, end: end, text: text))
    }

    private mutating func run() {
        while index < bytes.count {
            let current = bytes[index]
            let next = byte(at: index + 1)
            let start = index
            switch current {
            case _ where Self.isBlank(current):
                index += 1
            case DockerfileASCII.backslash where next == DockerfileASCII.newline:
                index += 2
            case DockerfileASCII.newline:
                index += 1
                emit(.separator(.newline), start, index)
                if !pendingHeredocs.isEmpty { skipHeredocBodies() }
            case DockerfileASCII.hash:
                while index < bytes.count, bytes[index] != DockerfileASCII.newline { index += 1 }
            case DockerfileASCII.semicolon:
                index += next == DockerfileASCII.semicolon ? 2 : 1
                emit(.separator(index - start == 2 ? .caseEnd : .semicolon), start, index)
            case DockerfileASCII.ampersand:
                if next == DockerfileASCII.ampersand {
                    index += 2
                    emit(.separator(.and), start, index)
                } else if next == DockerfileASCII.greater {
                    readRedirection()
                } else {
                    index += 1
                    emit(.separator(.background), start, index)
                }
            case DockerfileASCII.bar:
                if next == DockerfileASCII.bar {
                    index += 2
                    emit(.separator(.or), start, index)
                } else if next == DockerfileASCII.ampersand {
                    index += 2
                    emit(.separator(.pipeAll), start, index)
                } else {
                    index += 1
                    emit(.separator(.pipe), start, index)
                }
            case DockerfileASCII.openParen:
                index += 1
                emit(.separator(.openGroup), start, index)
            case DockerfileASCII.closeParen:
                index += 1
                emit(.separator(.closeGroup), start, index)
            case DockerfileASCII.less, DockerfileASCII.greater:
                readRedirection()
            case DockerfileASCII.zero...DockerfileASCII.nine where isNumberedRedirection():
                readRedirection()
            default:
                readWord()
            }
        }
    }

    private func isNumberedRedirection() -> Bool {
        var probe = index
        while probe < bytes.count, bytes[probe] >= DockerfileASCII.zero, bytes[probe] <= DockerfileASCII.nine { probe += 1 }
        guard let next = byte(at: probe) else { return false }
        return next == DockerfileASCII.less || next == DockerfileASCII.greater
    }

    private mutating func readRedirection() {
        let start = index
        while index < bytes.count, bytes[index] >= DockerfileASCII.zero, bytes[index] <= DockerfileASCII.nine { index += 1 }
        let operators: [String] = ["&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">"]
        for candidate in operators {
            let pattern = Array(candidate.utf8)
            if index + pattern.count <= bytes.count, Array(bytes[index..<index + pattern.count]) == pattern {
                index += pattern.count
                if candidate == "<<" || candidate == "<<-" { expectDelimiter = candidate == "<<-" }
                emit(.redirection, start, index, Array(bytes[start..<index]))
                return
            }
        }
        index = max(index, start + 1)
        emit(.redirection, start, index)
    }

    private mutating func readWord() {
        let start = index
        var text: [UInt8] = []
        while index < bytes.count, !Self.endsWord(bytes[index]) {
            let current = bytes[index]
            switch current {
            case DockerfileASCII.singleQuote:
                index += 1
                let contentStart = index
                while index < bytes.count, bytes[index] != DockerfileASCII.singleQuote { index += 1 }
                text.append(contentsOf: bytes[contentStart..<index])
                if index < bytes.count { index += 1 }
            case DockerfileASCII.doubleQuote:
                readDoubleQuoted(into: &text, depth: 0)
            case DockerfileASCII.backslash:
                if let next = byte(at: index + 1) {
                    if next != DockerfileASCII.newline { text.append(next) }
                    index += 2
                } else {
                    text.append(current)
                    index += 1
                }
            case DockerfileASCII.dollar:
                let next = byte(at: index + 1)
                if next == DockerfileASCII.openParen || next == DockerfileASCII.openBrace {
                    let rawStart = index
                    index += 2
                    skipBalanced(open: next ?? 0, close: next == DockerfileASCII.openParen ? DockerfileASCII.closeParen : DockerfileASCII.closeBrace, depth: 0)
                    text.append(contentsOf: bytes[rawStart..<index])
                } else if next == DockerfileASCII.singleQuote {
                    index += 2
                    while index < bytes.count, bytes[index] != DockerfileASCII.singleQuote {
                        if bytes[index] == DockerfileASCII.backslash, index + 1 < bytes.count {
                            text.append(bytes[index + 1])
                            index += 2
                        } else {
                            text.append(bytes[index])
                            index += 1
                        }
                    }
                    if index < bytes.count { index += 1 }
                } else {
                    text.append(current)
                    index += 1
                }
            case DockerfileASCII.backtick:
                let rawStart = index
                index += 1
                skipBackquoted()
                text.append(contentsOf: bytes[rawStart..<index])
            default:
                // A run of plain bytes at once.
                var end = index + 1
                while end < bytes.count, Self.isPlain(bytes[end]) { end += 1 }
                text.append(contentsOf: bytes[index..<end])
                index = end
            }
        }
        if index == start { index += 1 }
        emit(.word, start, index, text)
        if let strips = expectDelimiter {
            pendingHeredocs.append((text, strips))
            expectDelimiter = nil
        }
    }

    private mutating func readDoubleQuoted(into text: inout [UInt8], depth: Int) {
        index += 1
        while index < bytes.count {
            let current = bytes[index]
            switch current {
            case DockerfileASCII.doubleQuote:
                index += 1
                return
            case DockerfileASCII.backslash:
                if let next = byte(at: index + 1) {
                    if next == DockerfileASCII.newline {
                        // A continued line inside quotes: both bytes vanish.
                    } else if [DockerfileASCII.dollar, DockerfileASCII.backtick, DockerfileASCII.doubleQuote, DockerfileASCII.backslash].contains(next) {
                        text.append(next)
                    } else {
                        text.append(current)
                        text.append(next)
                    }
                    index += 2
                } else {
                    text.append(current)
                    index += 1
                }
            case DockerfileASCII.dollar where byte(at: index + 1) == DockerfileASCII.openParen || byte(at: index + 1) == DockerfileASCII.openBrace:
                let rawStart = index
                let open = bytes[index + 1]
                index += 2
                skipBalanced(open: open, close: open == DockerfileASCII.openParen ? DockerfileASCII.closeParen : DockerfileASCII.closeBrace, depth: depth + 1)
                text.append(contentsOf: bytes[rawStart..<index])
            case DockerfileASCII.backtick:
                let rawStart = index
                index += 1
                skipBackquoted()
                text.append(contentsOf: bytes[rawStart..<index])
            default:
                text.append(current)
                index += 1
            }
        }
    }

    /// Skips to just past the `close` that balances an already consumed `open`.
    private mutating func skipBalanced(open: UInt8, close: UInt8, depth: Int) {
        guard depth < Self.maximumDepth else {
            index = bytes.count
            return
        }
        var level = 1
        while index < bytes.count {
            let current = bytes[index]
            switch current {
            case DockerfileASCII.backslash:
                index += 2
            case DockerfileASCII.singleQuote where open == DockerfileASCII.openParen:
                index += 1
                while index < bytes.count, bytes[index] != DockerfileASCII.singleQuote { index += 1 }
                index += 1
            case DockerfileASCII.doubleQuote:
                var ignored: [UInt8] = []
                readDoubleQuoted(into: &ignored, depth: depth + 1)
            case DockerfileASCII.backtick:
                index += 1
                skipBackquoted()
            default:
                index += 1
                if current == open {
                    level += 1
                } else if current == close {
                    level -= 1
                    if level == 0 {
                        index = min(index, bytes.count)
                        return
                    }
                }
            }
        }
        index = bytes.count
    }

    private mutating func skipBackquoted() {
        while index < bytes.count, bytes[index] != DockerfileASCII.backtick {
            index += bytes[index] == DockerfileASCII.backslash ? 2 : 1
        }
        index = min(index + 1, bytes.count)
    }

    /// After a newline: the bodies of the heredocs opened on the line just ended.
    private mutating func skipHeredocBodies() {
        let pending = pendingHeredocs
        pendingHeredocs = []
        for heredoc in pending {
            while index < bytes.count {
                var lineEnd = index
                while lineEnd < bytes.count, bytes[lineEnd] != DockerfileASCII.newline { lineEnd += 1 }
                var lineStart = index
                if heredoc.stripsTabs {
                    while lineStart < lineEnd, bytes[lineStart] == DockerfileASCII.tab { lineStart += 1 }
                }
                var contentEnd = lineEnd
                if contentEnd > lineStart, bytes[contentEnd - 1] == DockerfileASCII.carriageReturn { contentEnd -= 1 }
                index = min(lineEnd + 1, bytes.count)
                if Array(bytes[lineStart..<contentEnd]) == heredoc.delimiter { break }
            }
        }
    }
}
