/// Text assembled from pieces of a file (an instruction's arguments with its line continuations
/// joined, or a heredoc body) that maps any UTF-8 offset in it back to the file's line, column and
/// byte offset, so a rule can point at, and edit, one word of a long continued `RUN`.
public struct LogicalText: Sendable {
    /// The joined text.
    public let text: String
    /// The joined text's UTF-8 bytes.
    public let bytes: [UInt8]
    /// One piece: `length` bytes at `logicalStart` in `bytes` came from `fileStart` in the file.
    struct Segment: Sendable {
        var logicalStart: Int
        var fileStart: Int
        var length: Int
    }
    let segments: [Segment]
    let source: SourceText

    init(source: SourceText, ranges: [Range<Int>]) {
        var bytes: [UInt8] = []
        var segments: [Segment] = []
        for range in ranges where !range.isEmpty {
            let lower = max(0, min(range.lowerBound, source.bytes.count))
            let upper = max(lower, min(range.upperBound, source.bytes.count))
            guard upper > lower else { continue }
            segments.append(Segment(logicalStart: bytes.count, fileStart: lower, length: upper - lower))
            bytes.append(contentsOf: source.bytes[lower..<upper])
        }
        self.bytes = bytes
        self.text = String(decoding: bytes, as: UTF8.self)
        self.segments = segments
        self.source = source
        if segments.isEmpty, let first = ranges.first {
            // Empty text still has a place in the file: where it would start.
            self.emptyAnchor = max(0, min(first.lowerBound, source.bytes.count))
        } else {
            self.emptyAnchor = segments.first?.fileStart ?? 0
        }
    }

    /// Where an empty text sits in the file.
    private let emptyAnchor: Int

    /// The file byte offset of the logical byte `offset` (the end of the text maps to just past
    /// its last byte).
    public func fileOffset(of offset: Int) -> Int {
        guard !segments.isEmpty else { return emptyAnchor }
        if offset >= bytes.count, let last = segments.last { return last.fileStart + last.length }
        let segment = segments[segmentIndex(of: max(0, offset))]
        return segment.fileStart + (max(0, offset) - segment.logicalStart)
    }

    /// The file byte offset just past the logical byte `offset - 1` (an end position).
    func fileEndOffset(of offset: Int) -> Int {
        guard offset > 0, !segments.isEmpty else { return fileOffset(of: offset) }
        return fileOffset(of: min(offset, bytes.count) - 1) + 1
    }

    private func segmentIndex(of offset: Int) -> Int {
        var low = 0
        var high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].logicalStart <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The file span of logical bytes `start..<end` (it may run over continuation lines).
    public func span(from start: Int, to end: Int) -> SourceSpan {
        let lower = max(0, min(start, bytes.count))
        let upper = max(lower, min(end, bytes.count))
        let fileStart = fileOffset(of: lower)
        let fileEnd = upper > lower ? fileEndOffset(of: upper) : fileStart
        return source.span(from: fileStart, to: fileEnd)
    }

    /// The file span of a range of `text`.
    public func span(of range: Range<String.Index>) -> SourceSpan {
        let utf8 = text.utf8
        let start = utf8.distance(from: utf8.startIndex, to: range.lowerBound)
        let end = utf8.distance(from: utf8.startIndex, to: range.upperBound)
        return span(from: start, to: end)
    }

    /// The logical bytes `range` as a text of their own, still mapped to the file.
    func slice(_ range: Range<Int>) -> LogicalText {
        let lower = max(0, min(range.lowerBound, bytes.count))
        let upper = max(lower, min(range.upperBound, bytes.count))
        var fileRanges: [Range<Int>] = []
        for segment in segments {
            let from = max(lower, segment.logicalStart)
            let to = min(upper, segment.logicalStart + segment.length)
            if from < to {
                fileRanges.append((segment.fileStart + from - segment.logicalStart)..<(segment.fileStart + to - segment.logicalStart))
            }
        }
        if fileRanges.isEmpty {
            let anchor = fileOffset(of: lower)
            return LogicalText(source: source, ranges: [anchor..<anchor])
        }
        return LogicalText(source: source, ranges: fileRanges)
    }

    /// The span of the whole text.
    public var span: SourceSpan { span(from: 0, to: bytes.count) }

    /// The 1-based line and column in the file of the logical byte `offset`.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        source.lineColumn(of: fileOffset(of: offset))
    }
}
