/// The recent output of a step, in bounded memory: the last complete line (for a live view)
/// and the last ``recentCapacity`` bytes (for printing the tail on failure).
///
/// Fed already-masked bytes. However long a line is, only its first ``linePrefixBytes``
/// bytes are kept, and only ``recentCapacity`` bytes of the stream.
struct LogLineView: Sendable {
    /// Characters in ``lastLine`` at most.
    static let lastLineCharacters = 200
    /// Bytes kept of the line in progress: enough for 200 characters of any script.
    static let linePrefixBytes = 4096
    /// Bytes of recent output kept for ``tail(lines:)``.
    static let recentCapacity = 64 * 1024

    private var lastLineBytes: [UInt8] = []
    private var lastLineCut = false
    private var currentBytes: [UInt8] = []
    private var currentCut = false
    private var recent = ByteRing(capacity: recentCapacity)

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        recent.append(bytes)
        guard let last = Self.lastNewline(base, bytes.count) else {
            appendToCurrent(bytes)
            return
        }
        if let previous = Self.lastNewline(base, last) {
            currentBytes.removeAll(keepingCapacity: true)
            currentCut = false
            appendToCurrent(UnsafeBufferPointer(rebasing: bytes[(previous + 1)..<last]))
        } else {
            appendToCurrent(UnsafeBufferPointer(rebasing: bytes[..<last]))
        }
        swap(&lastLineBytes, &currentBytes)
        lastLineCut = currentCut
        currentBytes.removeAll(keepingCapacity: true)
        currentCut = false
        appendToCurrent(UnsafeBufferPointer(rebasing: bytes[(last + 1)...]))
    }

    /// The last complete line: ≤ 200 characters, trailing `\r` trimmed, "" before the first `\n`.
    var lastLine: String {
        var text = Substring(String(decoding: lastLineBytes, as: UTF8.self))
        // A cut line may end inside a character: drop that fragment.
        if lastLineCut, !text.isEmpty { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        // "\r" is not its own Character when followed by "\n", but "\r\n" never survives here.
        return String(text.prefix(Self.lastLineCharacters))
    }

    /// The last `n` lines of the recent output, trailing `\r` trimmed. A final line without
    /// `\n` counts; when older output has been dropped, the partial first line is left out
    /// (unless it is all there is: then it is returned as it is, from the cut on).
    func tail(lines n: Int) -> [String] {
        guard n > 0 else { return [] }
        var bytes = recent.bytes[...]
        if recent.hasDropped {
            // The ring may start inside a UTF-8 character.
            while let first = bytes.first, first & 0xC0 == 0x80 { bytes.removeFirst() }
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        // The first line is a fragment once older output is gone: leave it out, unless it is
        // the end of one line longer than the ring.
        if recent.hasDropped && lines.count > 1 { lines.removeFirst() }
        return lines.suffix(n).map { line in
            var line = line
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return String(decoding: line, as: UTF8.self)
        }
    }

    private mutating func appendToCurrent(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = Self.linePrefixBytes - currentBytes.count
        if bytes.count > room { currentCut = true }
        guard room > 0 else { return }
        currentBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<min(room, bytes.count)]))
    }

    /// Offset of the last `\n` among the first `count` bytes at `base`.
    private static func lastNewline(_ base: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var i = count &- 1
        while i >= 0 {
            if base[i] == 0x0A { return i }
            i &-= 1
        }
        return nil
    }
}
