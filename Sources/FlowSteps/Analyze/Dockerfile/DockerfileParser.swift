/// Parses a Dockerfile as BuildKit does: parser directives, line continuations with the escape
/// character, comments, heredocs, flags, exec and shell forms, stages, and ARG/ENV substitution.
/// Never throws and never crashes: problems become located `dockerfile-syntax` findings.
public enum DockerfileParser {
    /// The rule id of parse problems.
    public static let syntaxRule = "dockerfile-syntax"

    /// Parses `text` (the contents of `file`); `buildArgs` are the `--build-arg` values that
    /// override ARG defaults (also in FROM lines).
    public static func parse(_ text: String, file: String, buildArgs: [String: String] = [:]) -> Dockerfile {
        var parser = DockerfileParserState(source: SourceText(text, file: file), buildArgs: buildArgs)
        parser.run()
        return parser.result()
    }
}

/// The state of one parse.
struct DockerfileParserState {
    let source: SourceText
    let buildArgs: [String: String]
    var escape = DockerfileASCII.backslash
    var directives: [ParserDirective] = []
    var findings: [Finding] = []
    var instructions: [Instruction] = []
    var stages: [Stage] = []
    var globalArgs: [KeyValue] = []
    var globalArgValues: [String: String] = [:]
    /// The next physical line to read (0-based).
    var line = 0
    /// The ARG and ENV values of the current stage so far.
    var scope = VariableScope(env: [:], args: [:])
    /// The first stage with each lower-cased name.
    var stageIndexByName: [String: Int] = [:]
    /// The most heredocs one instruction may open; more are reported and left out.
    static let maximumHeredocs = 100

    init(source: SourceText, buildArgs: [String: String]) {
        self.source = source
        self.buildArgs = buildArgs
    }

    var bytes: [UInt8] { source.bytes }
    var lineCount: Int { source.lineStarts.count }

    mutating func problem(_ message: String, at span: SourceSpan) {
        findings.append(Finding(rule: DockerfileParser.syntaxRule, severity: .error, span: span, message: DockerfileRuleRun.bounded(message)))
    }

    mutating func result() -> Dockerfile {
        closeStage()
        var findings = self.findings
        if stages.isEmpty {
            findings.append(Finding(rule: DockerfileParser.syntaxRule, severity: .error, span: source.span(from: 0, to: 0),
                                    message: "The Dockerfile has no FROM instruction, so there is no stage to build."))
        }
        return Dockerfile(source: source, directives: directives, escapeCharacter: escape == DockerfileASCII.backtick ? "`" : "\\",
                          instructions: instructions, stages: stages, globalArgs: globalArgs, findings: findings,
                          buildArgs: buildArgs, globalArgValues: globalArgValues, stageIndexByName: stageIndexByName)
    }

    /// The bytes of line `index` without its `\n` (and `\r`); the first line without a BOM.
    func contentRange(ofLine index: Int) -> Range<Int> {
        var start = source.lineStarts[index]
        var end = index + 1 < lineCount ? source.lineStarts[index + 1] - 1 : bytes.count
        if index == 0, end - start >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start += 3 }
        if end > start, bytes[end - 1] == DockerfileASCII.carriageReturn { end -= 1 }
        return start..<max(start, end)
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == DockerfileASCII.space || byte == DockerfileASCII.tab }

    func trimmedStart(_ range: Range<Int>) -> Int {
        var start = range.lowerBound
        while start < range.upperBound, Self.isBlank(bytes[start]) { start += 1 }
        return start
    }

    func isComment(_ range: Range<Int>) -> Bool {
        let start = trimmedStart(range)
        return start < range.upperBound && bytes[start] == DockerfileASCII.hash
    }

    func isEmpty(_ range: Range<Int>) -> Bool { trimmedStart(range) == range.upperBound }

    /// Where the continuation escape of a line starts, if the line ends with one (trailing blanks allowed).
    func continuationStart(_ range: Range<Int>) -> Int? {
        var end = range.upperBound
        while end > range.lowerBound, Self.isBlank(bytes[end - 1]) { end -= 1 }
        guard end > range.lowerBound, bytes[end - 1] == escape else { return nil }
        return end - 1
    }

    mutating func run() {
        var directivesAllowed = true
        while line < lineCount {
            let range = contentRange(ofLine: line)
            if directivesAllowed {
                if readDirective(range) {
                    line += 1
                    continue
                }
                directivesAllowed = false
            }
            if isComment(range) || isEmpty(range) {
                line += 1
                continue
            }
            readInstruction()
        }
    }

    /// Reads `# name=value` at the top; false when the line is not a known directive.
    mutating func readDirective(_ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        guard index < range.upperBound, bytes[index] == DockerfileASCII.hash else { return false }
        index += 1
        while index < range.upperBound, Self.isBlank(bytes[index]) { index += 1 }
        let nameStart = index
        while index < range.upperBound, isAlphanumeric(bytes[index]) { index += 1 }
        guard index > nameStart, isLetter(bytes[nameStart]) else { return false }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
        while index < range.upperBound, Self.isBlank(bytes[index]) { index += 1 }
        guard index < range.upperBound, bytes[index] == DockerfileASCII.equals else { return false }
        index += 1
        while index < range.upperBound, Self.isBlank(bytes[index]) { index += 1 }
        var valueEnd = range.upperBound
        while valueEnd > index, Self.isBlank(bytes[valueEnd - 1]) { valueEnd -= 1 }
        guard ["syntax", "escape", "check"].contains(name) else { return false }
        let value = String(decoding: bytes[index..<valueEnd], as: UTF8.self)
        let span = source.span(from: range.lowerBound, to: range.upperBound)
        if directives.contains(where: { $0.name == name }) {
            problem("Only one `\(name)` parser directive can be used.", at: span)
            return true
        }
        directives.append(ParserDirective(name: name, value: value, span: span))
        if name == "escape" {
            if value == "`" {
                escape = DockerfileASCII.backtick
            } else if value != "\\" {
                problem("Invalid escape token `\(value)`: it must be ` or \\.", at: source.span(from: index, to: valueEnd))
            }
        }
        return true
    }

    func isLetter(_ byte: UInt8) -> Bool {
        (byte >= DockerfileASCII.lowerA && byte <= DockerfileASCII.lowerZ) || (byte >= DockerfileASCII.upperA && byte <= DockerfileASCII.upperZ)
    }

    func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= DockerfileASCII.zero && byte <= DockerfileASCII.nine)
    }

    /// Reads one instruction starting at `line`: its continuation lines (comments and empty lines
    /// inside dropped), then its heredoc bodies.
    mutating func readInstruction() {
        let first = contentRange(ofLine: line)
        let start = trimmedStart(first)
        var ranges: [Range<Int>] = []
        var end = first.upperBound
        var continued = false
        if let escapeAt = continuationStart(start..<first.upperBound) {
            ranges.append(start..<escapeAt)
            continued = true
        } else {
            ranges.append(start..<first.upperBound)
        }
        line += 1
        while continued, line < lineCount {
            let range = contentRange(ofLine: line)
            line += 1
            if isComment(range) || isEmpty(range) { continue }
            end = range.upperBound
            if let escapeAt = continuationStart(range) {
                ranges.append(range.lowerBound..<escapeAt)
            } else {
                ranges.append(range)
                continued = false
            }
        }
        let logical = LogicalText(source: source, ranges: ranges)
        let keywordLength = logical.bytes.prefix { !Self.isBlank($0) }.count
        var argumentStart = keywordLength
        while argumentStart < logical.bytes.count, Self.isBlank(logical.bytes[argumentStart]) { argumentStart += 1 }
        let keyword = String(decoding: logical.bytes[0..<keywordLength], as: UTF8.self)
        var kind = Instruction.Kind(keyword: keyword)
        let arguments = logical.slice(argumentStart..<logical.bytes.count)
        // The heredocs belong to the instruction ONBUILD wraps, when it wraps one that takes them.
        var heredocText = arguments
        if kind == .onbuild {
            let inner = arguments.bytes.prefix { !Self.isBlank($0) }
            kind = Instruction.Kind(keyword: String(decoding: inner, as: UTF8.self))
            var innerStart = inner.count
            while innerStart < arguments.bytes.count, Self.isBlank(arguments.bytes[innerStart]) { innerStart += 1 }
            heredocText = arguments.slice(innerStart..<arguments.bytes.count)
        }
        var heredocs: [ReadHeredoc] = []
        if kind.acceptsHeredocs {
            var markers = heredocMarkers(in: heredocText)
            if markers.count > Self.maximumHeredocs {
                problem("Too many heredocs in one instruction; only the first \(Self.maximumHeredocs) are read.", at: markers[Self.maximumHeredocs].span)
                markers.removeLast(markers.count - Self.maximumHeredocs)
            }
            heredocs = readHeredocs(markers: markers)
            if let last = heredocs.last { end = max(end, last.terminatorEnd) }
        }
        let span = source.span(from: start, to: max(start, end))
        let instruction = buildInstruction(logical: logical, keywordLength: keywordLength, arguments: arguments,
                                           span: span, heredocs: heredocs.map(\.heredoc))
        instructions.append(instruction)
    }

    /// A heredoc read from the file, and where its terminator line ends.
    struct ReadHeredoc {
        var heredoc: Heredoc
        var terminatorEnd: Int
    }

    /// One `<<EOF` marker found in an instruction's arguments.
    struct HeredocMarker {
        var name: String
        var expands: Bool
        var stripsTabs: Bool
        var fileDescriptor: Int?
        var span: SourceSpan
    }

    /// The heredoc markers of an instruction line: whitespace-separated words (quotes respected)
    /// of the form `[n]<<[-]NAME`, `<<"NAME"`, `<<'NAME'`.
    func heredocMarkers(in text: LogicalText) -> [HeredocMarker] {
        var markers: [HeredocMarker] = []
        let bytes = text.bytes
        var index = 0
        while index < bytes.count {
            while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
            let wordStart = index
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
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
            if index > wordStart, let marker = heredocMarker(Array(bytes[wordStart..<index]), at: wordStart, in: text) {
                markers.append(marker)
            }
            if index == wordStart { index += 1 }
        }
        return markers
    }

    private func heredocMarker(_ word: [UInt8], at offset: Int, in text: LogicalText) -> HeredocMarker? {
        var index = 0
        while index < word.count, word[index] >= DockerfileASCII.zero, word[index] <= DockerfileASCII.nine { index += 1 }
        let descriptor = index > 0 ? Int(String(decoding: word[0..<min(index, 9)], as: UTF8.self)) : nil
        guard index + 2 < word.count, word[index] == DockerfileASCII.less, word[index + 1] == DockerfileASCII.less else { return nil }
        index += 2
        var stripsTabs = false
        if word[index] == DockerfileASCII.dash {
            stripsTabs = true
            index += 1
        }
        guard index < word.count, word[index] != DockerfileASCII.less else { return nil }
        var nameBytes = Array(word[index...])
        var expands = true
        if let open = nameBytes.first, open == DockerfileASCII.doubleQuote || open == DockerfileASCII.singleQuote {
            expands = false
            let body = nameBytes.dropFirst()
            nameBytes = Array(body.prefix { $0 != open })
        } else {
            let stops: Set<UInt8> = [DockerfileASCII.greater, DockerfileASCII.bar, DockerfileASCII.semicolon, DockerfileASCII.ampersand, DockerfileASCII.closeParen]
            nameBytes = Array(nameBytes.prefix { !stops.contains($0) })
        }
        guard !nameBytes.isEmpty else { return nil }
        return HeredocMarker(name: String(decoding: nameBytes, as: UTF8.self), expands: expands, stripsTabs: stripsTabs,
                             fileDescriptor: descriptor, span: text.span(from: offset, to: offset + word.count))
    }

    /// Reads the bodies of `markers`, in order, from the lines after the instruction.
    mutating func readHeredocs(markers: [HeredocMarker]) -> [ReadHeredoc] {
        var result: [ReadHeredoc] = []
        for marker in markers {
            var ranges: [Range<Int>] = []
            var terminated = false
            var terminatorEnd = line < lineCount ? source.lineStarts[line] : bytes.count
            let delimiter = Array(marker.name.utf8)
            while line < lineCount {
                let range = contentRange(ofLine: line)
                var contentStart = range.lowerBound
                if marker.stripsTabs {
                    while contentStart < range.upperBound, bytes[contentStart] == DockerfileASCII.tab { contentStart += 1 }
                }
                let lineEnd = line + 1 < lineCount ? source.lineStarts[line + 1] : bytes.count
                line += 1
                if Array(bytes[contentStart..<range.upperBound]) == delimiter {
                    terminated = true
                    terminatorEnd = range.upperBound
                    break
                }
                ranges.append(contentStart..<lineEnd)
                terminatorEnd = range.upperBound
            }
            if !terminated {
                problem("The heredoc `\(marker.name)` is not terminated: no line `\(marker.name)` follows it.", at: marker.span)
            }
            let body = LogicalText(source: source, ranges: ranges.isEmpty ? [terminatorEnd..<terminatorEnd] : ranges)
            let heredoc = Heredoc(name: marker.name, expands: marker.expands, stripsTabs: marker.stripsTabs,
                                  fileDescriptor: marker.fileDescriptor, markerSpan: marker.span, body: body,
                                  isTerminated: terminated)
            result.append(ReadHeredoc(heredoc: heredoc, terminatorEnd: terminatorEnd))
        }
        return result
    }
}
