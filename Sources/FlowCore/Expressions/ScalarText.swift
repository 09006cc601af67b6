/// A text as an array of Unicode scalars, with the line/column of any scalar offset.
/// Lines are separated by `\n`; columns count Unicode scalars, 1-based.
struct ScalarText: Sendable {
    let scalars: [Unicode.Scalar]
    /// Offsets at which each line starts; `lineStarts[0] == 0`.
    private let lineStarts: [Int]
    /// The UTF-8 bytes when the text is all ASCII (scalar offsets are then byte offsets), so
    /// `string(_:)` can slice bytes instead of re-encoding scalars one by one.
    private let ascii: [UInt8]?

    init(_ text: String) {
        var bytes = Array(text.utf8)
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        ascii = isASCII ? bytes : nil
        if isASCII {
            scalars = bytes.map { Unicode.Scalar($0) }
        } else {
            bytes = []
            scalars = Array(text.unicodeScalars)
        }
        var starts = [0]
        for (offset, scalar) in scalars.enumerated() where scalar == "\n" {
            starts.append(offset + 1)
        }
        lineStarts = starts
    }

    var count: Int { scalars.count }

    subscript(offset: Int) -> Unicode.Scalar? {
        offset >= 0 && offset < scalars.count ? scalars[offset] : nil
    }

    /// The line and column of the scalar at `offset` (an offset equal to `count` is the end of the text).
    func position(of offset: Int) -> TextPosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return TextPosition(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    /// The text between two offsets.
    func string(_ range: Range<Int>) -> String {
        if let ascii { return String(decoding: ascii[range], as: UTF8.self) }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[range])
        return String(result)
    }

    /// Appends the UTF-8 encoding of the scalars in `range` to `bytes`.
    func appendUTF8(_ range: Range<Int>, to bytes: inout [UInt8]) {
        if let ascii {
            bytes.append(contentsOf: ascii[range])
            return
        }
        for scalar in scalars[range] { UTF8.encode(scalar) { bytes.append($0) } }
    }

    /// Whether the scalars at `offset` spell `literal`.
    func hasPrefix(_ literal: String, at offset: Int) -> Bool {
        var index = offset
        for scalar in literal.unicodeScalars {
            guard self[index] == scalar else { return false }
            index += 1
        }
        return true
    }
}
