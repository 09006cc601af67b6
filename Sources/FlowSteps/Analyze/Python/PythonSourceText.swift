/// A file's UTF-8 bytes with its line starts, to turn byte offsets into `SourceSpan`s.
struct PythonSourceText: Sendable {
    /// One physical line: where it starts, where its content ends (before `\r\n` or `\n`), and
    /// where the next line starts.
    struct Line: Sendable {
        var start: Int
        var contentEnd: Int
        var end: Int
    }

    let file: String
    let bytes: [UInt8]
    let lines: [Line]

    init(file: String, text: String) {
        self.file = file
        self.bytes = Array(text.utf8)
        var lines: [Line] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0A {
                let contentEnd = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
                lines.append(Line(start: start, contentEnd: contentEnd, end: index + 1))
                start = index + 1
            }
            index += 1
        }
        if start < bytes.count {
            let contentEnd = bytes[bytes.count - 1] == 0x0D ? bytes.count - 1 : bytes.count
            lines.append(Line(start: start, contentEnd: contentEnd, end: bytes.count))
        }
        self.lines = lines
    }

    /// The 0-based index of the line holding byte `offset` (the last line for the end of the file).
    func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lines.count - 1
        guard high >= 0 else { return 0 }
        while low < high {
            let middle = (low + high + 1) / 2
            if lines[middle].start <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The span of the bytes `range` (clamped to the file).
    func span(_ range: Range<Int>) -> SourceSpan {
        let lower = min(max(range.lowerBound, 0), bytes.count)
        let upper = min(max(range.upperBound, lower), bytes.count)
        let index = lineIndex(of: lower)
        let lineStart = lines.isEmpty ? 0 : min(lines[index].start, lower)
        var column = 1
        for byte in bytes[lineStart..<lower] where byte & 0xC0 != 0x80 { column += 1 }
        return SourceSpan(file: file, line: index + 1, column: column, offset: lower, length: upper - lower)
    }

    /// The span of whole physical lines `first...last` (0-based), their line breaks included.
    func lineSpan(_ first: Int, _ last: Int) -> SourceSpan {
        guard !lines.isEmpty else { return span(0..<0) }
        let a = min(max(first, 0), lines.count - 1)
        let b = min(max(last, a), lines.count - 1)
        return span(lines[a].start..<lines[b].end)
    }
}

/// One logical line of a requirements file: physical lines joined at `\` continuations, comments
/// cut, `${VAR}` expanded; each byte remembers the file bytes it came from.
struct RequirementsLogicalLine: Sendable {
    var bytes: [UInt8] = []
    /// For each byte, the file range it stands for (an expanded `${VAR}` stands for the whole reference).
    var sources: [Range<Int>] = []
    var firstLine: Int
    var lastLine: Int
    /// Where an empty range at the end points to.
    var endOffset: Int

    init(firstLine: Int, endOffset: Int) {
        self.firstLine = firstLine
        self.lastLine = firstLine
        self.endOffset = endOffset
    }

    mutating func append(_ byte: UInt8, from source: Range<Int>) {
        bytes.append(byte)
        sources.append(source)
    }

    /// The file bytes that `range` of this line comes from.
    func fileRange(_ range: Range<Int>) -> Range<Int> {
        let lower = min(max(range.lowerBound, 0), bytes.count)
        let upper = min(max(range.upperBound, lower), bytes.count)
        guard lower < upper else {
            let at = lower < bytes.count ? sources[lower].lowerBound : (sources.last?.upperBound ?? endOffset)
            return at..<at
        }
        return sources[lower].lowerBound..<max(sources[lower].lowerBound, sources[upper - 1].upperBound)
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
