extension RequirementsFile {
    /// Larger files are not read (one finding says so).
    public static let maximumBytes = 4 << 20
    /// After this many findings in one file the rest are dropped (one finding says so).
    public static let maximumFindings = 100

    /// Parses a requirements file as pip does: `\` continuations joined, `#` comments (at line
    /// start or after whitespace) cut, `${VAR}` expanded from `environment` (left as written when
    /// unknown or empty), then each line read as options or as a requirement with its own options.
    /// A line pip would reject becomes a `requirements-syntax` finding and parsing goes on.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:]) -> RequirementsFile {
        var parser = RequirementsFileParser(source: PythonSourceText(file: file, text: text), environment: environment)
        return parser.run()
    }
}

/// The state of one `RequirementsFile.parse`.
struct RequirementsFileParser {
    let source: PythonSourceText
    let environment: [String: String]
    var result: RequirementsFile

    static let maximumTokens = 1024
    static let maximumExpansion = 65_536

    init(source: PythonSourceText, environment: [String: String]) {
        self.source = source
        self.environment = environment
        self.result = RequirementsFile(file: source.file)
    }

    mutating func run() -> RequirementsFile {
        guard source.bytes.count <= RequirementsFile.maximumBytes else {
            report("the file is larger than \(RequirementsFile.maximumBytes) bytes; not read", source.span(0..<0))
            return result
        }
        for line in logicalLines() {
            let expanded = expandVariables(stripComment(line))
            handle(expanded)
        }
        return result
    }

    // MARK: Lines

    /// Physical lines joined as pip's `join_lines` does: a line ending in `\` continues on the next,
    /// unless it is a comment line; a comment line ends a continuation.
    func logicalLines() -> [RequirementsLogicalLine] {
        var lines: [RequirementsLogicalLine] = []
        var current: RequirementsLogicalLine?
        for (index, line) in source.lines.enumerated() {
            let content = line.start..<line.contentEnd
            let firstNonSpace = source.bytes[content].first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0C && $0 != 0x0B }
            let isComment = firstNonSpace == UInt8(ascii: "#")
            let continues = !isComment && line.contentEnd > line.start && source.bytes[line.contentEnd - 1] == UInt8(ascii: "\\")
            var logical = current ?? RequirementsLogicalLine(firstLine: index, endOffset: line.contentEnd)
            if current != nil, isComment { logical.append(0x20, from: line.start..<line.start) }
            for offset in (continues ? line.start..<(line.contentEnd - 1) : content) {
                logical.append(source.bytes[offset], from: offset..<(offset + 1))
            }
            logical.lastLine = index
            logical.endOffset = line.contentEnd
            if continues {
                current = logical
            } else {
                lines.append(logical)
                current = nil
            }
        }
        if let current { lines.append(current) }
        return lines
    }

    /// Cuts a `#` comment that starts the line or follows whitespace (a `#` inside a URL stays).
    func stripComment(_ line: RequirementsLogicalLine) -> RequirementsLogicalLine {
        var cut = line
        for index in line.bytes.indices where line.bytes[index] == UInt8(ascii: "#") {
            if index == 0 || PEP508Bytes.isSpace(line.bytes[index - 1]) {
                cut.bytes.removeSubrange(index...)
                cut.sources.removeSubrange(index...)
                break
            }
        }
        return cut
    }

    /// Replaces `${NAME}` (NAME of upper-case letters, digits, `_`) by its value in `environment`.
    func expandVariables(_ line: RequirementsLogicalLine) -> RequirementsLogicalLine {
        guard line.bytes.contains(UInt8(ascii: "$")), !environment.isEmpty else { return line }
        var expanded = RequirementsLogicalLine(firstLine: line.firstLine, endOffset: line.endOffset)
        expanded.lastLine = line.lastLine
        var growth = 0
        var index = 0
        while index < line.bytes.count {
            if line.bytes[index] == UInt8(ascii: "$"), index + 1 < line.bytes.count, line.bytes[index + 1] == UInt8(ascii: "{") {
                var end = index + 2
                while end < line.bytes.count, Self.isVariableCharacter(line.bytes[end]) { end += 1 }
                if end > index + 2, end < line.bytes.count, line.bytes[end] == UInt8(ascii: "}"),
                   let value = environment[line.text((index + 2)..<end)], !value.isEmpty, growth + value.utf8.count <= Self.maximumExpansion {
                    let source = line.sources[index].lowerBound..<line.sources[end].upperBound
                    for byte in value.utf8 { expanded.append(byte, from: source) }
                    growth += value.utf8.count
                    index = end + 1
                    continue
                }
            }
            expanded.append(line.bytes[index], from: line.sources[index])
            index += 1
        }
        return expanded
    }

    private static func isVariableCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    // MARK: One line

    /// The line's words: runs of non-whitespace bytes.
    func tokens(_ line: RequirementsLogicalLine) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var index = 0
        while index < line.bytes.count {
            if PEP508Bytes.isSpace(line.bytes[index]) {
                index += 1
                continue
            }
            let start = index
            while index < line.bytes.count, !PEP508Bytes.isSpace(line.bytes[index]) { index += 1 }
            tokens.append(start..<index)
        }
        return tokens
    }

    mutating func handle(_ line: RequirementsLogicalLine) {
        let words = tokens(line)
        guard let first = words.first else { return }
        let lineSpan = source.lineSpan(line.firstLine, line.lastLine)
        guard words.count <= Self.maximumTokens else {
            report("a line with more than \(Self.maximumTokens) words; skipped", lineSpan)
            return
        }
        if line.bytes[first.lowerBound] == UInt8(ascii: "-") {
            handleOptionLine(line, words: words, lineSpan: lineSpan)
            return
        }
        let optionStart = words.firstIndex { line.bytes[$0.lowerBound] == UInt8(ascii: "-") } ?? words.count
        let requirementRange = first.lowerBound..<words[optionStart - 1].upperBound
        let options = readOptions(line, words: Array(words[optionStart...]), table: .perRequirement, lineSpan: lineSpan,
                                  misplaced: { "pip ignores `\($0)` after a requirement; put it on a line of its own" })
        guard let entry = makeEntry(line, range: requirementRange, editable: false, options: options.values, lineSpan: lineSpan) else { return }
        result.entries.append(entry)
    }

    mutating func handleOptionLine(_ line: RequirementsLogicalLine, words: [Range<Int>], lineSpan: SourceSpan) {
        let read = readOptions(line, words: words, table: .requirementsFileLine, lineSpan: lineSpan, misplaced: nil)
        var editable: RequirementsEntry?
        var perRequirement: [RequirementsOption] = []
        for (option, valueRange) in zip(read.values, read.valueRanges) {
            switch option.name {
            case "--requirement", "--constraint":
                guard let path = option.value, let pathSpan = option.valueSpan else { continue }
                result.includes.append(RequirementsInclude(kind: option.name == "--requirement" ? .requirements : .constraints,
                                                           path: path, span: option.span, pathSpan: pathSpan, lineSpan: lineSpan))
            case "--editable":
                guard let valueRange, editable == nil else {
                    if editable != nil { report("one `-e` per line", option.span) }
                    continue
                }
                editable = makeEntry(line, range: valueRange, editable: true, options: [], lineSpan: lineSpan)
            case "--hash", "--config-settings", "--global-option":
                perRequirement.append(option)
            default:
                result.options.append(option)
            }
        }
        if var editable {
            editable.options = perRequirement
            editable.hashes = perRequirement.filter { $0.name == "--hash" }.compactMap(\.value)
            result.entries.append(editable)
        } else if let stray = perRequirement.first {
            report("`\(stray.name)` must follow a requirement on its line", stray.span)
        }
    }

    /// Reads option words; `misplaced` words the finding for an option that is not in `table` but
    /// in the file-line table.
    mutating func readOptions(_ line: RequirementsLogicalLine, words: [Range<Int>], table: PipOptionTable, lineSpan: SourceSpan,
                              misplaced: ((String) -> String)?) -> (values: [RequirementsOption], valueRanges: [Range<Int>?]) {
        var values: [RequirementsOption] = []
        var valueRanges: [Range<Int>?] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            let text = line.text(word)
            guard line.bytes[word.lowerBound] == UInt8(ascii: "-") else {
                report("unexpected `\(Self.clip(text))`: a requirement must start its line", span(line, word))
                continue
            }
            switch table.match(text) {
            case .unknown(let name):
                if let misplaced, case .option(let known, _, _) = PipOptionTable.requirementsFileLine.match(text) {
                    report(misplaced(known.long), span(line, word))
                    if known.takesValue, !text.contains("="), index < words.count, line.bytes[words[index].lowerBound] != UInt8(ascii: "-") { index += 1 }
                } else {
                    report("unknown option `\(Self.clip(name))`", span(line, word))
                    skipPossibleValue(of: text, in: line, words: words, at: &index)
                }
            case .ambiguous(let name, let candidates):
                report("`\(Self.clip(name))` is ambiguous: \(candidates.joined(separator: ", "))", span(line, word))
                skipPossibleValue(of: text, in: line, words: words, at: &index)
            case .option(let option, let inline, let inlineOffset):
                var valueRange: Range<Int>?
                var end = word.upperBound
                if option.takesValue {
                    if let inlineOffset {
                        valueRange = (word.lowerBound + inlineOffset)..<word.upperBound
                    } else if index < words.count {
                        valueRange = words[index]
                        end = words[index].upperBound
                        index += 1
                    }
                    guard let range = valueRange, !range.isEmpty else {
                        report("`\(option.long)` needs a value", span(line, word))
                        continue
                    }
                } else if inline != nil {
                    report("`\(option.long)` takes no value", span(line, word))
                    continue
                }
                if option.long == "--hash", let range = valueRange, !line.text(range).contains(":") {
                    report("`--hash` needs `algorithm:digest` (`sha256:…`)", span(line, range))
                    continue
                }
                let option = RequirementsOption(name: option.long, value: valueRange.map(line.text), span: span(line, word.lowerBound..<end),
                                                valueSpan: valueRange.map { span(line, $0) }, lineSpan: lineSpan)
                values.append(option)
                valueRanges.append(valueRange)
            }
        }
        return (values, valueRanges)
    }

    /// After an option pip does not know (a misspelt `--trusted-host`), the next word is most
    /// likely its value: skip it rather than report it as a stray requirement, since pip rejects
    /// the line at the option anyway.
    func skipPossibleValue(of option: String, in line: RequirementsLogicalLine, words: [Range<Int>], at index: inout Int) {
        if !option.contains("="), index < words.count, line.bytes[words[index].lowerBound] != UInt8(ascii: "-") { index += 1 }
    }

    /// An entry for the requirement text at `range`, or nil (with a finding) when it does not parse.
    mutating func makeEntry(_ line: RequirementsLogicalLine, range: Range<Int>, editable: Bool, options: [RequirementsOption],
                            lineSpan: SourceSpan) -> RequirementsEntry? {
        let bytes = Array(line.bytes[range])
        let source = self.source
        let locate: (Range<Int>) -> SourceSpan = {
            source.span(line.fileRange(($0.lowerBound + range.lowerBound)..<($0.upperBound + range.lowerBound)))
        }
        let form = editable && RequirementTarget.form(of: bytes[...]) == .pep508 ? .location(.path) : RequirementTarget.form(of: bytes[...])
        let hashes = options.filter { $0.name == "--hash" }.compactMap(\.value)
        switch form {
        case .pep508:
            switch Requirement.parse(bytes: bytes, locate: locate) {
            case .success(let requirement):
                return RequirementsEntry(kind: requirement.url == nil ? .named : .url, requirement: requirement, location: requirement.url,
                                         isEditable: editable, hashes: hashes, options: options, span: requirement.span, lineSpan: lineSpan)
            case .failure(let error):
                report(error.message, locate(error.offset..<(error.offset + error.length)))
                return nil
            }
        case .location(let kind):
            switch RequirementTarget.requirement(location: bytes, kind: kind, locate: locate) {
            case .success(let target):
                return RequirementsEntry(kind: kind, requirement: target.requirement, location: target.location, isEditable: editable,
                                         hashes: hashes, options: options, span: locate(0..<bytes.count), lineSpan: lineSpan)
            case .failure(let error):
                report(error.message, locate(error.offset..<(error.offset + error.length)))
                return nil
            }
        }
    }

    // MARK: Helpers

    func span(_ line: RequirementsLogicalLine, _ range: Range<Int>) -> SourceSpan {
        source.span(line.fileRange(range))
    }

    mutating func report(_ message: String, _ span: SourceSpan) {
        if result.findings.count == RequirementsFile.maximumFindings {
            result.findings.append(Finding(rule: PythonRules.syntaxRule, severity: .error, span: span,
                                           message: "more than \(RequirementsFile.maximumFindings) problems; the rest are not reported"))
        }
        guard result.findings.count < RequirementsFile.maximumFindings else { return }
        result.findings.append(Finding(rule: PythonRules.syntaxRule, severity: .error, span: span, message: message))
    }

    static func clip(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
