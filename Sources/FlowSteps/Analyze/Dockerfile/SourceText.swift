/// A file's UTF-8 bytes with the tables that turn a byte offset into a 1-based line and a
/// Unicode-scalar column in constant time, so spans stay cheap even on a 10 MB line.
public struct SourceText: Sendable {
    /// The file name every span carries.
    public let file: String
    /// The file's bytes (the UTF-8 of the `String` it was given).
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line; `lineStarts[0] == 0`.
    let lineStarts: [Int]
    /// Number of Unicode scalars that start before byte `i * checkpointStride`.
    private let scalarCheckpoints: [Int]
    private static let checkpointStride = 128

    /// Reads `text` as the contents of `file`.
    public init(_ text: String, file: String) {
        self.init(bytes: Array(text.utf8), file: file)
    }

    /// Takes bytes that are already valid UTF-8 (the UTF-8 view of a `String`).
    init(bytes: [UInt8], file: String) {
        self.file = file
        self.bytes = bytes
        var starts = [0]
        var checkpoints: [Int] = []
        checkpoints.reserveCapacity(bytes.count / Self.checkpointStride + 1)
        var scalars = 0
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                checkpoints.append(scalars)
                let end = min(index + Self.checkpointStride, buffer.count)
                while index < end {
                    let byte = buffer[index]
                    if byte & 0xC0 != 0x80 { scalars += 1 }
                    if byte == DockerfileASCII.newline { starts.append(index + 1) }
                    index += 1
                }
            }
        }
        if bytes.count % Self.checkpointStride == 0 { checkpoints.append(scalars) }
        self.lineStarts = starts
        self.scalarCheckpoints = checkpoints
    }

    /// The number of Unicode scalars that start before byte `offset`.
    private func scalarCount(before offset: Int) -> Int {
        let clamped = max(0, min(offset, bytes.count))
        let checkpoint = clamped / Self.checkpointStride
        var count = checkpoint < scalarCheckpoints.count ? scalarCheckpoints[checkpoint] : 0
        var index = checkpoint * Self.checkpointStride
        while index < clamped {
            if bytes[index] & 0xC0 != 0x80 { count += 1 }
            index += 1
        }
        return count
    }

    /// The 0-based index of the line holding byte `offset`.
    func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The 1-based line and Unicode-scalar column of byte `offset`.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let line = lineIndex(of: clamped)
        let column = scalarCount(before: clamped) - scalarCount(before: lineStarts[line]) + 1
        return (line + 1, column)
    }

    /// The span of bytes `start..<end`, clamped to the file.
    public func span(from start: Int, to end: Int) -> SourceSpan {
        let lower = max(0, min(start, bytes.count))
        let upper = max(lower, min(end, bytes.count))
        let position = lineColumn(of: lower)
        return SourceSpan(file: file, line: position.line, column: position.column, offset: lower, length: upper - lower)
    }

    /// The byte offset where the line holding `offset` ends (before its `\n`, or the file's end).
    func endOfLine(from offset: Int) -> Int {
        let line = lineIndex(of: max(0, min(offset, bytes.count)))
        if line + 1 < lineStarts.count { return lineStarts[line + 1] - 1 }
        return bytes.count
    }

    /// The text of bytes `start..<end`, clamped to the file.
    func text(from start: Int, to end: Int) -> String {
        let lower = max(0, min(start, bytes.count))
        let upper = max(lower, min(end, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }
}
