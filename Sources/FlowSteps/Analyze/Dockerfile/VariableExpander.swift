/// The result of substituting a Dockerfile word's variables.
public struct Expansion: Sendable, Hashable {
    /// The word with variables substituted and (when asked) quotes and escapes removed.
    public var value: String
    /// Names that were referenced but have no value (they expand to nothing, as Docker does).
    public var unsetVariables: [String]
    /// What was wrong with the word (`bad substitution`, an unterminated quote), when anything was.
    public var problem: String?
}

/// Substitutes `$X`, `${X}`, `${X:-default}`, `${X-default}`, `${X:+alt}`, `${X+alt}`,
/// `${X:?msg}`, `${X#pat}`, `${X%pat}`, `${X/pat/repl}` in a Dockerfile word the way BuildKit's
/// word lexer does: single quotes are literal, the escape character escapes `$`, and unset
/// variables expand to nothing. Nesting and output size are bounded.
struct VariableExpander {
    static let maximumDepth = 16
    static let maximumOutput = 1 << 20

    let escape: UInt8
    let removeQuotes: Bool
    /// False: `$` is kept as written (words of instructions Docker does not expand).
    var substitute = true
    let lookup: (String) -> String?

    private var input: [UInt8] = []
    private var position = 0
    private var unset: [String] = []
    private var problem: String?
    private var outputBudget = VariableExpander.maximumOutput

    init(escape: UInt8, removeQuotes: Bool = true, lookup: @escaping (String) -> String?) {
        self.escape = escape
        self.removeQuotes = removeQuotes
        self.lookup = lookup
    }

    /// Expands one word.
    static func expand(_ word: String, escape: UInt8 = DockerfileASCII.backslash, removeQuotes: Bool = true,
                       lookup: @escaping (String) -> String?) -> Expansion {
        expand(Array(word.utf8), escape: escape, removeQuotes: removeQuotes, lookup: lookup)
    }

    /// Expands one word given as bytes.
    static func expand(_ word: [UInt8], escape: UInt8, removeQuotes: Bool = true, substitute: Bool = true,
                       lookup: @escaping (String) -> String?) -> Expansion {
        var expander = VariableExpander(escape: escape, removeQuotes: removeQuotes, lookup: lookup)
        expander.substitute = substitute
        return expander.run(word)
    }

    private mutating func run(_ bytes: [UInt8]) -> Expansion {
        input = bytes
        position = 0
        unset = []
        problem = nil
        outputBudget = Self.maximumOutput
        let output = processWord(stopAt: nil, depth: 0)
        var names: [String] = []
        for name in unset where !names.contains(name) { names.append(name) }
        return Expansion(value: String(decoding: output, as: UTF8.self), unsetVariables: names, problem: problem)
    }

    private mutating func note(_ message: String) {
        if problem == nil { problem = message }
    }

    private mutating func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        guard outputBudget > 0 else { return }
        let count = min(bytes.count, outputBudget)
        output.append(contentsOf: bytes[0..<count])
        outputBudget -= count
        if count < bytes.count { note("the expanded value is too long") }
    }

    private mutating func append(_ byte: UInt8, to output: inout [UInt8]) {
        guard outputBudget > 0 else { return }
        output.append(byte)
        outputBudget -= 1
    }

    /// Reads until `stopAt` (unquoted, unescaped; consumed) or the end.
    private mutating func processWord(stopAt: UInt8?, depth: Int) -> [UInt8] {
        var output: [UInt8] = []
        while position < input.count {
            guard outputBudget > 0 else {
                // The value is already too long to be useful: stop reading.
                note("the expanded value is too long")
                position = input.count
                break
            }
            let byte = input[position]
            if let stop = stopAt, byte == stop {
                position += 1
                return output
            }
            switch byte {
            case DockerfileASCII.singleQuote where removeQuotes:
                position += 1
                let start = position
                while position < input.count, input[position] != DockerfileASCII.singleQuote { position += 1 }
                append(Array(input[start..<position]), to: &output)
                if position < input.count { position += 1 } else { note("unterminated single quote") }
            case DockerfileASCII.doubleQuote where removeQuotes:
                position += 1
                processDoubleQuoted(into: &output, depth: depth)
            case DockerfileASCII.dollar where substitute:
                position += 1
                processDollar(into: &output, depth: depth)
            case escape:
                position += 1
                if position < input.count {
                    if !removeQuotes, input[position] != DockerfileASCII.dollar { append(escape, to: &output) }
                    append(input[position], to: &output)
                    position += 1
                } else {
                    append(escape, to: &output)
                }
            default:
                append(byte, to: &output)
                position += 1
            }
        }
        if stopAt != nil { note("bad substitution: missing '}'") }
        return output
    }

    private mutating func processDoubleQuoted(into output: inout [UInt8], depth: Int) {
        while position < input.count {
            let byte = input[position]
            if byte == DockerfileASCII.doubleQuote {
                position += 1
                return
            }
            if byte == DockerfileASCII.dollar, substitute {
                position += 1
                processDollar(into: &output, depth: depth)
                continue
            }
            if byte == escape, position + 1 < input.count {
                let next = input[position + 1]
                if next == DockerfileASCII.doubleQuote || next == DockerfileASCII.dollar || next == escape {
                    append(next, to: &output)
                    position += 2
                    continue
                }
            }
            append(byte, to: &output)
            position += 1
        }
        note("unterminated double quote")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= DockerfileASCII.lowerA && byte <= DockerfileASCII.lowerZ) || (byte >= DockerfileASCII.upperA && byte <= DockerfileASCII.upperZ)
            || (byte >= DockerfileASCII.zero && byte <= DockerfileASCII.nine) || byte == DockerfileASCII.underscore
    }

    private mutating func readName() -> String {
        let start = position
        while position < input.count, Self.isNameByte(input[position]) { position += 1 }
        return String(decoding: input[start..<position], as: UTF8.self)
    }

    private mutating func value(of name: String) -> String? {
        let found = lookup(name)
        if found == nil { unset.append(name) }
        return found
    }

    /// After a `$`: a name, a `${…}` form, or a literal `$`.
    private mutating func processDollar(into output: inout [UInt8], depth: Int) {
        guard position < input.count else {
            append(DockerfileASCII.dollar, to: &output)
            return
        }
        let next = input[position]
        if next == DockerfileASCII.openBrace {
            position += 1
            processBraced(into: &output, depth: depth + 1)
            return
        }
        guard Self.isNameByte(next) else {
            append(DockerfileASCII.dollar, to: &output)
            return
        }
        let name = readName()
        append(Array((value(of: name) ?? "").utf8), to: &output)
    }

    private mutating func skipToClosingBrace() {
        var level = 1
        while position < input.count, level > 0 {
            if input[position] == DockerfileASCII.openBrace { level += 1 }
            if input[position] == DockerfileASCII.closeBrace { level -= 1 }
            position += 1
        }
    }

    private mutating func processBraced(into output: inout [UInt8], depth: Int) {
        guard depth <= Self.maximumDepth else {
            note("substitution nested too deeply")
            skipToClosingBrace()
            return
        }
        let name = readName()
        guard !name.isEmpty, position < input.count else {
            note("bad substitution")
            skipToClosingBrace()
            return
        }
        let found = lookup(name)
        let byte = input[position]
        if byte == DockerfileASCII.closeBrace {
            position += 1
            if found == nil { unset.append(name) }
            append(Array((found ?? "").utf8), to: &output)
            return
        }
        var colon = false
        if byte == DockerfileASCII.colon {
            colon = true
            position += 1
        }
        guard position < input.count else {
            note("bad substitution")
            return
        }
        let modifier = input[position]
        position += 1
        switch modifier {
        case DockerfileASCII.dash, DockerfileASCII.plus, DockerfileASCII.question:
            let word = processWord(stopAt: DockerfileASCII.closeBrace, depth: depth)
            let isSet = colon ? !(found ?? "").isEmpty : found != nil
            switch modifier {
            case DockerfileASCII.dash:
                append(isSet ? Array((found ?? "").utf8) : word, to: &output)
            case DockerfileASCII.plus:
                if isSet { append(word, to: &output) }
            default:
                if isSet {
                    append(Array((found ?? "").utf8), to: &output)
                } else {
                    unset.append(name)
                    note("\(name): \(word.isEmpty ? "is not set" : String(decoding: word, as: UTF8.self))")
                }
            }
        case DockerfileASCII.hash, DockerfileASCII.percent:
            guard !colon else {
                note("bad substitution")
                skipToClosingBrace()
                return
            }
            var longest = false
            if position < input.count, input[position] == modifier {
                longest = true
                position += 1
            }
            let pattern = processWord(stopAt: DockerfileASCII.closeBrace, depth: depth)
            if found == nil { unset.append(name) }
            let value = Array((found ?? "").utf8)
            let trimmed = modifier == DockerfileASCII.hash
                ? ShellPattern.removePrefix(pattern, from: value, longest: longest)
                : ShellPattern.removeSuffix(pattern, from: value, longest: longest)
            append(trimmed, to: &output)
        case DockerfileASCII.slash:
            guard !colon else {
                note("bad substitution")
                skipToClosingBrace()
                return
            }
            var all = false
            if position < input.count, input[position] == DockerfileASCII.slash {
                all = true
                position += 1
            }
            let pattern = processWord(stopAt: DockerfileASCII.slash, depth: depth)
            let replacement = processWord(stopAt: DockerfileASCII.closeBrace, depth: depth)
            if found == nil { unset.append(name) }
            let value = Array((found ?? "").utf8)
            append(ShellPattern.replace(pattern, with: replacement, in: value, all: all), to: &output)
        default:
            note("bad substitution")
            position -= 1
            skipToClosingBrace()
        }
    }
}
