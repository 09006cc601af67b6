/// Per-instruction argument parsing: flags, exec or shell form, words, key=value pairs.
extension DockerfileParserState {
    /// How an instruction's words get their values.
    struct WordContext {
        /// Substitute variables (the instruction is one Docker expands).
        var substitutes: Bool
        var lookup: (String) -> String?
    }

    /// A word split from a text: its logical byte range in that text.
    struct RawWord {
        var range: Range<Int>
        var bytes: [UInt8]
    }

    /// The most words one instruction is split into; the rest is reported and left out.
    static let maximumWords = 20_000

    /// Splits on blanks outside quotes (the escape character escapes the next byte), at most `limit` words.
    func splitWords(_ text: LogicalText, from start: Int = 0, limit: Int = DockerfileParserState.maximumWords) -> [RawWord] {
        let bytes = text.bytes
        var words: [RawWord] = []
        var index = start
        while index < bytes.count, words.count < limit {
            while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            let wordStart = index
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil } else if byte == escape, open == DockerfileASCII.doubleQuote { index += 1 }
                } else if Self.isBlank(byte) {
                    break
                } else if byte == DockerfileASCII.doubleQuote || byte == DockerfileASCII.singleQuote {
                    quote = byte
                } else if byte == escape {
                    index += 1
                }
                index += 1
            }
            index = min(index, bytes.count)
            words.append(RawWord(range: wordStart..<index, bytes: Array(bytes[wordStart..<index])))
        }
        return words
    }

    /// The value of a raw word: quotes removed, variables substituted when the context says so.
    mutating func word(_ raw: RawWord, in text: LogicalText, context: WordContext) -> ShellWord {
        let span = text.span(from: raw.range.lowerBound, to: raw.range.upperBound)
        let expansion = VariableExpander.expand(raw.bytes, escape: escape, substitute: context.substitutes, lookup: context.lookup)
        if let message = expansion.problem { problem("Cannot read `\(String(decoding: raw.bytes.prefix(80), as: UTF8.self))`: \(message).", at: span) }
        return ShellWord(text: expansion.value, raw: String(decoding: raw.bytes, as: UTF8.self), span: span,
                         unsetVariables: context.substitutes ? expansion.unsetVariables : [])
    }

    /// Reads the leading `--name[=value]` flags; returns them and the text after them.
    mutating func extractFlags(_ text: LogicalText, context: WordContext) -> ([InstructionFlag], LogicalText) {
        var flags: [InstructionFlag] = []
        let bytes = text.bytes
        var index = 0
        while true {
            while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
            guard index + 1 < bytes.count, bytes[index] == DockerfileASCII.dash, bytes[index + 1] == DockerfileASCII.dash else { break }
            guard let raw = splitWords(text, from: index, limit: 1).first else { break }
            index = raw.range.upperBound
            if raw.bytes.count == 2 { break }
            let body = raw.bytes.dropFirst(2)
            let nameBytes = body.prefix { $0 != DockerfileASCII.equals }
            let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
            let span = text.span(from: raw.range.lowerBound, to: raw.range.upperBound)
            var value: String?
            var rawValue: String?
            var valueSpan: SourceSpan?
            if nameBytes.count < body.count {
                let valueStart = raw.range.lowerBound + 2 + nameBytes.count + 1
                let valueWord = RawWord(range: valueStart..<raw.range.upperBound, bytes: Array(bytes[valueStart..<raw.range.upperBound]))
                let parsed = word(valueWord, in: text, context: context)
                value = parsed.text
                rawValue = parsed.raw
                valueSpan = parsed.span
            }
            flags.append(InstructionFlag(name: name, value: value, rawValue: rawValue, span: span, valueSpan: valueSpan))
        }
        while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
        return (flags, text.slice(index..<bytes.count))
    }

    /// Exec form when the text is a JSON array of strings, shell form otherwise.
    mutating func commandForm(_ instruction: inout Instruction) {
        let text = instruction.arguments
        if let elements = ExecFormParser.parse(text.bytes) {
            instruction.isExecForm = true
            instruction.words = elements.map { element in
                ShellWord(text: element.value, raw: String(decoding: text.bytes[element.range], as: UTF8.self),
                          span: text.span(from: element.range.lowerBound, to: element.range.upperBound))
            }
            return
        }
        var shell = ShellCommandLine.parse(text)
        for (number, heredoc) in instruction.heredocs.enumerated() where isScript(heredoc, in: shell) {
            let body = ShellCommandLine.parse(heredoc.body, origin: number + 1)
            shell.commands.append(contentsOf: body.commands)
            shell.truncated = shell.truncated || body.truncated
        }
        if shell.truncated {
            problem("This command text is too long to analyze; only its first \(ShellLexer.maximumTokens) tokens are read.", at: text.span)
        }
        instruction.shell = shell
        instruction.words = shell.words
    }

    /// Whether a RUN heredoc is a shell script: the whole command (`RUN <<EOF`) or the input of a
    /// shell (`RUN bash <<EOF`), without a `#!` line naming another interpreter.
    func isScript(_ heredoc: Heredoc, in shell: ShellCommandLine) -> Bool {
        let shells: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh"]
        let feeding = shell.commands.first { command in
            command.redirections.contains { $0.text == heredoc.name && $0.span.offset > heredoc.markerSpan.offset - 1
                && $0.span.offset < heredoc.markerSpan.offset + heredoc.markerSpan.length }
        }
        guard let command = feeding else { return false }
        if let name = command.baseName {
            guard shells.contains(name), !command.arguments.contains(where: { $0.text == "-c" }) else { return false }
        }
        let body = heredoc.body.bytes
        guard body.starts(with: Array("#!".utf8)) else { return true }
        let firstLine = String(decoding: body.prefix { $0 != DockerfileASCII.newline }, as: UTF8.self)
        return shells.contains { firstLine.hasSuffix("/" + $0) || firstLine.hasSuffix(" " + $0) || firstLine.contains("/\($0) ") }
    }

    /// ENV and LABEL: `key=value …`, or the legacy `key value` (the rest of the line is the value).
    mutating func nameValuePairs(_ instruction: Instruction, context: WordContext) -> [KeyValue] {
        let text = instruction.arguments
        let words = splitWords(text)
        guard let first = words.first else { return [] }
        if !first.bytes.contains(DockerfileASCII.equals) {
            let keyWord = word(first, in: text, context: context)
            guard words.count > 1 else {
                problem("\(instruction.keyword.uppercased()) needs a value: `\(keyWord.raw)=value`.", at: keyWord.span)
                return []
            }
            let valueRange = words[1].range.lowerBound..<(words.last?.range.upperBound ?? text.bytes.count)
            let valueWord = word(RawWord(range: valueRange, bytes: Array(text.bytes[valueRange])), in: text, context: context)
            return [KeyValue(key: keyWord.text, value: valueWord.text, keySpan: keyWord.span, valueSpan: valueWord.span,
                             span: text.span(from: first.range.lowerBound, to: valueRange.upperBound))]
        }
        var pairs: [KeyValue] = []
        for raw in words {
            guard let equals = firstUnquotedEquals(raw.bytes) else {
                problem("`\(String(decoding: raw.bytes.prefix(80), as: UTF8.self))` is not of the form name=value.",
                        at: text.span(from: raw.range.lowerBound, to: raw.range.upperBound))
                continue
            }
            pairs.append(pair(raw, equals: equals, in: text, context: context))
        }
        return pairs
    }

    /// ARG: `NAME` or `NAME=default`, several allowed.
    mutating func argumentPairs(_ instruction: Instruction, context: WordContext) -> [KeyValue] {
        let text = instruction.arguments
        var pairs: [KeyValue] = []
        for raw in splitWords(text) {
            if let equals = firstUnquotedEquals(raw.bytes) {
                pairs.append(pair(raw, equals: equals, in: text, context: context))
            } else {
                let name = word(raw, in: text, context: WordContext(substitutes: false, lookup: context.lookup))
                pairs.append(KeyValue(key: name.text, value: nil, keySpan: name.span, valueSpan: nil, span: name.span))
            }
        }
        return pairs
    }

    private func firstUnquotedEquals(_ bytes: [UInt8]) -> Int? {
        var quote: UInt8?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == DockerfileASCII.equals {
                return index
            } else if byte == DockerfileASCII.doubleQuote || byte == DockerfileASCII.singleQuote {
                quote = byte
            } else if byte == escape {
                index += 1
            }
            index += 1
        }
        return nil
    }

    private mutating func pair(_ raw: RawWord, equals: Int, in text: LogicalText, context: WordContext) -> KeyValue {
        let keyRange = raw.range.lowerBound..<(raw.range.lowerBound + equals)
        let valueRange = (raw.range.lowerBound + equals + 1)..<raw.range.upperBound
        let key = word(RawWord(range: keyRange, bytes: Array(raw.bytes[0..<equals])), in: text,
                       context: WordContext(substitutes: false, lookup: context.lookup))
        let value = word(RawWord(range: valueRange, bytes: Array(raw.bytes[(equals + 1)...])), in: text, context: context)
        if key.text.isEmpty { problem("A name is missing before `=`.", at: key.span) }
        return KeyValue(key: key.text, value: value.text, keySpan: key.span, valueSpan: value.span,
                        span: text.span(from: raw.range.lowerBound, to: raw.range.upperBound))
    }
}
