/// A path glob: Go's `filepath.Match` syntax (`*` and `?` never cross `/`, `[...]` classes with
/// `^` negation and ranges, `\` escapes), plus `**` (any number of directories) for `.dockerignore`.
/// Matching is a table over pattern × path, so it is bounded by their lengths.
struct PathPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal(UInt8)
        /// `?`: one byte other than `/`.
        case one
        /// `*`: any run without `/`.
        case star
        /// `**` not followed by `/`: any run.
        case globstar
        /// `**/`: nothing, or any run ending with `/`.
        case globstarSlash
        /// `[...]`: ranges of bytes, possibly negated.
        case set([ClosedRange<UInt8>], negated: Bool)
    }

    let tokens: [Token]
    /// The pattern was malformed (an unclosed `[`); it then matches nothing, as Go reports an error.
    let isMalformed: Bool

    /// Compiles `pattern`; `globstar` enables `**`.
    init(_ pattern: String, globstar: Bool) {
        let bytes = Array(pattern.utf8)
        var tokens: [Token] = []
        var malformed = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case DockerfileASCII.star:
                if globstar, index + 1 < bytes.count, bytes[index + 1] == DockerfileASCII.star {
                    if index + 2 < bytes.count, bytes[index + 2] == DockerfileASCII.slash {
                        tokens.append(.globstarSlash)
                        index += 3
                    } else {
                        tokens.append(.globstar)
                        index += 2
                    }
                } else {
                    if tokens.last != .star { tokens.append(.star) }
                    index += 1
                }
            case DockerfileASCII.question:
                tokens.append(.one)
                index += 1
            case DockerfileASCII.backslash:
                if index + 1 < bytes.count {
                    tokens.append(.literal(bytes[index + 1]))
                    index += 2
                } else {
                    malformed = true
                    index += 1
                }
            case DockerfileASCII.openBracket:
                if let (set, next) = Self.readSet(bytes, from: index + 1) {
                    tokens.append(set)
                    index = next
                } else {
                    malformed = true
                    index = bytes.count
                }
            default:
                tokens.append(.literal(byte))
                index += 1
            }
        }
        self.tokens = tokens
        self.isMalformed = malformed
    }

    private static func readSet(_ bytes: [UInt8], from start: Int) -> (Token, Int)? {
        var index = start
        var negated = false
        if index < bytes.count, bytes[index] == DockerfileASCII.caret || bytes[index] == DockerfileASCII.bang {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt8>] = []
        var first = true
        while index < bytes.count {
            if bytes[index] == DockerfileASCII.closeBracket, !first {
                return (.set(ranges, negated: negated), index + 1)
            }
            first = false
            var low = bytes[index]
            if low == DockerfileASCII.backslash, index + 1 < bytes.count {
                index += 1
                low = bytes[index]
            }
            index += 1
            var high = low
            if index + 1 < bytes.count, bytes[index] == DockerfileASCII.dash, bytes[index + 1] != DockerfileASCII.closeBracket {
                high = bytes[index + 1]
                if high == DockerfileASCII.backslash, index + 2 < bytes.count {
                    high = bytes[index + 2]
                    index += 1
                }
                index += 2
            }
            guard low <= high else { return nil }
            ranges.append(low...high)
        }
        return nil
    }

    /// Whether the pattern has any glob syntax at all.
    static func hasMeta(_ text: String) -> Bool {
        text.utf8.contains { $0 == DockerfileASCII.star || $0 == DockerfileASCII.question || $0 == DockerfileASCII.openBracket || $0 == DockerfileASCII.backslash }
    }

    /// Whether the whole of `path` matches.
    func matches(_ path: String) -> Bool {
        guard !isMalformed else { return false }
        let text = Array(path.utf8)
        let slash = DockerfileASCII.slash
        // reachable[j]: the tokens so far can consume exactly text[0..<j].
        var reachable = [Bool](repeating: false, count: text.count + 1)
        reachable[0] = true
        for token in tokens {
            var next = [Bool](repeating: false, count: text.count + 1)
            switch token {
            case .literal(let byte):
                for j in 0..<text.count where reachable[j] && text[j] == byte { next[j + 1] = true }
            case .one:
                for j in 0..<text.count where reachable[j] && text[j] != slash { next[j + 1] = true }
            case .set(let ranges, let negated):
                for j in 0..<text.count where reachable[j] && text[j] != slash {
                    let inSet = ranges.contains { $0.contains(text[j]) }
                    if inSet != negated { next[j + 1] = true }
                }
            case .star:
                var running = false
                for j in 0...text.count {
                    if reachable[j] { running = true }
                    if running { next[j] = true }
                    if j < text.count, text[j] == slash { running = false }
                }
            case .globstar:
                var running = false
                for j in 0...text.count {
                    if reachable[j] { running = true }
                    if running { next[j] = true }
                }
            case .globstarSlash:
                var running = false
                for j in 0...text.count {
                    if reachable[j] {
                        next[j] = true
                        running = true
                    }
                    if running, j < text.count, text[j] == slash { next[j + 1] = true }
                }
            }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[text.count]
    }
}
