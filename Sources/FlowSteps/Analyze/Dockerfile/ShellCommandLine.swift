/// What ends a shell command.
public enum ShellSeparator: String, Sendable, Hashable {
    case and = "&&", or = "||", semicolon = ";", caseEnd = ";;", pipe = "|", pipeAll = "|&"
    case background = "&", newline = "\n", openGroup = "(", closeGroup = ")"
    /// The end of the text.
    case end = ""

    /// `|` or `|&`.
    public var isPipe: Bool { self == .pipe || self == .pipeAll }
}

/// One simple command of a shell text: leading `VAR=value` assignments, prefixes (`sudo`, `env`,
/// `then`, …) kept apart, then the command name and its arguments.
public struct ShellCommand: Sendable {
    /// The command name and its arguments (redirections left out).
    public var words: [ShellWord]
    /// `VAR=value` words before the command (also those after `env` or `sudo`).
    public var assignments: [ShellWord]
    /// `sudo`, `env`, `command`, `exec`, `nohup`, `nice`, reserved words (`then`, `do`, `!`, `{`)
    /// and their options.
    public var prefixes: [ShellWord]
    /// Redirection operators and their targets (`>`, `/dev/null`, `2>&1`, `<<`, `EOF`).
    public var redirections: [ShellWord]
    /// What follows the command.
    public var separator: ShellSeparator
    public var separatorSpan: SourceSpan?
    /// From the command's first token to its last.
    public var span: SourceSpan
    /// 0 for the instruction's own text, `n` for its `n`-th heredoc body (1-based).
    public var origin: Int

    /// The command name (`apt-get`), nil for a bare assignment.
    public var name: String? { words.first?.text }
    /// The words after the name.
    public var arguments: ArraySlice<ShellWord> { words.dropFirst() }
    /// Whether `sudo` runs it.
    public var usesSudo: Bool { prefixes.contains { $0.text == "sudo" } }
    /// The command name without a directory (`/usr/bin/pip3` → `pip3`).
    public var baseName: String? {
        guard let name else { return nil }
        return name.split(separator: "/").last.map(String.init) ?? name
    }
}

/// A shell text (a shell-form RUN, its heredoc script) split into commands for the rules.
public struct ShellCommandLine: Sendable {
    public var commands: [ShellCommand]
    /// The text was too large and only its beginning was split.
    public var truncated: Bool

    /// Commands already split.
    public init(commands: [ShellCommand] = [], truncated: Bool = false) {
        self.commands = commands
        self.truncated = truncated
    }

    /// Every word of every command, in order.
    public var words: [ShellWord] { commands.flatMap { $0.prefixes + $0.assignments + $0.words } }

    /// Splits a logical text into commands.
    public static func parse(_ text: LogicalText, origin: Int = 0) -> ShellCommandLine {
        let (tokens, truncated) = ShellLexer.tokens(of: text.bytes)
        var commands: [ShellCommand] = []
        var pending: [(token: ShellToken, isRedirectionTarget: Bool)] = []
        var expectTarget = false
        for token in tokens {
            switch token.kind {
            case .word:
                pending.append((token, expectTarget))
                expectTarget = false
            case .redirection:
                pending.append((token, false))
                expectTarget = true
            case .separator(let separator):
                if let command = makeCommand(pending, text: text, separator: separator,
                                             separatorSpan: text.span(from: token.start, to: token.end), origin: origin) {
                    commands.append(command)
                }
                pending = []
                expectTarget = false
            }
        }
        if let command = makeCommand(pending, text: text, separator: .end, separatorSpan: nil, origin: origin) {
            commands.append(command)
        }
        return ShellCommandLine(commands: commands, truncated: truncated)
    }

    private static let reservedWords: Set<String> = [
        "!", "{", "}", "then", "do", "else", "elif", "if", "while", "until", "time", "fi", "done", "esac",
    ]
    private static let sudoOptionsWithValue: Set<String> = ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"]
    private static let envOptionsWithValue: Set<String> = ["-u", "-C", "-S"]

    private static func makeCommand(_ tokens: [(token: ShellToken, isRedirectionTarget: Bool)], text: LogicalText,
                                    separator: ShellSeparator, separatorSpan: SourceSpan?, origin: Int) -> ShellCommand? {
        guard let first = tokens.first, let last = tokens.last else { return nil }
        var plain: [ShellWord] = []
        var redirections: [ShellWord] = []
        for (token, isTarget) in tokens {
            let word = ShellWord(text: String(decoding: token.text, as: UTF8.self),
                                 raw: String(decoding: text.bytes[token.start..<token.end], as: UTF8.self),
                                 span: text.span(from: token.start, to: token.end))
            if token.kind == .redirection || isTarget {
                redirections.append(word)
            } else {
                plain.append(word)
            }
        }
        var assignments: [ShellWord] = []
        var prefixes: [ShellWord] = []
        var index = 0
        while index < plain.count {
            let word = plain[index]
            if isAssignment(word) {
                assignments.append(word)
                index += 1
            } else if reservedWords.contains(word.raw) {
                prefixes.append(word)
                index += 1
            } else if word.text == "sudo" || word.text == "env" {
                let optionsWithValue = word.text == "sudo" ? sudoOptionsWithValue : envOptionsWithValue
                prefixes.append(word)
                index += 1
                while index < plain.count, plain[index].text.hasPrefix("-") {
                    let option = plain[index]
                    prefixes.append(option)
                    index += 1
                    if option.text == "--" { break }
                    if optionsWithValue.contains(option.text), index < plain.count {
                        prefixes.append(plain[index])
                        index += 1
                    }
                }
            } else if ["command", "exec", "nohup"].contains(word.text) {
                prefixes.append(word)
                index += 1
            } else if word.text == "nice" {
                prefixes.append(word)
                index += 1
                if index < plain.count, plain[index].text == "-n" {
                    prefixes.append(plain[index])
                    index += 1
                    if index < plain.count {
                        prefixes.append(plain[index])
                        index += 1
                    }
                }
            } else {
                break
            }
        }
        let span = text.span(from: first.token.start, to: last.token.end)
        return ShellCommand(words: Array(plain[index...]), assignments: assignments, prefixes: prefixes,
                            redirections: redirections, separator: separator, separatorSpan: separatorSpan,
                            span: span, origin: origin)
    }

    /// `NAME=value` or `NAME+=value` with an unquoted name.
    static func isAssignment(_ word: ShellWord) -> Bool {
        let raw = Array(word.raw.utf8)
        guard let first = raw.first, first == DockerfileASCII.underscore || isLetter(first) else { return false }
        var index = 1
        while index < raw.count, raw[index] == DockerfileASCII.underscore || isLetter(raw[index]) || isDigit(raw[index]) { index += 1 }
        if index < raw.count, raw[index] == DockerfileASCII.plus { index += 1 }
        return index < raw.count && raw[index] == DockerfileASCII.equals
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= DockerfileASCII.lowerA && byte <= DockerfileASCII.lowerZ) || (byte >= DockerfileASCII.upperA && byte <= DockerfileASCII.upperZ)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= DockerfileASCII.zero && byte <= DockerfileASCII.nine }
}
