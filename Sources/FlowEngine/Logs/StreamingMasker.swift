/// Streaming: feed chunks as they arrive; output never contains a pattern even when it is
/// split across chunks.
///
/// The concatenation of every `feed` result and the final `finish()` is byte-for-byte what
/// `SecretMasker.mask(_:)` gives for the whole input, however the input is cut.
///
/// Memory is bounded: after each `feed` at most `maxPatternLength - 1` input bytes are held
/// back, plus the masked ranges that overlap them; nothing else of the stream is kept. Only
/// bytes that a later byte could still turn into part of a match are held back — the
/// longest suffix that is the beginning of some pattern — so output that does not end in a
/// partial secret comes out at once.
public struct StreamingMasker: Sendable {
    private let automaton: PatternAutomaton?
    /// How many input bytes may be held back: `maxPatternLength - 1`.
    private let keep: Int
    /// Automaton state after the last byte consumed.
    private var state: Int32 = 0
    /// Absolute number of input bytes consumed.
    private var consumed = 0
    /// Absolute number of input bytes already decided (emitted as themselves or as `***`).
    private var emitted = 0
    /// Input bytes `emitted ..< consumed`.
    private var pending: [UInt8] = []
    /// Masked ranges (absolute, half-open), sorted, disjoint and not touching; those before
    /// `head` are spent.
    private var masked: [Range<Int>] = []
    private var head = 0
    /// Whether the last decided byte was masked: a masked run yields one `***` at its start.
    private var inMaskedRun = false

    private static let replacement: [UInt8] = Array("***".utf8)

    /// A stream masked with `masker`.
    public init(_ masker: SecretMasker) {
        automaton = masker.automaton
        keep = max(0, masker.maxPatternLength - 1)
        pending.reserveCapacity(keep)
    }

    /// Input bytes received but not yet emitted (never more than `maxPatternLength - 1`).
    public var heldBackCount: Int { pending.count }

    /// Consumes `chunk` and returns the masked bytes that are now final. Bytes that a later
    /// chunk could still turn into part of a secret are held back.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [UInt8] {
        if let result = chunk.withContiguousStorageIfAvailable({ feed(buffer: $0) }) {
            return result
        }
        return Array(chunk).withUnsafeBufferPointer { feed(buffer: $0) }
    }

    /// Ends the stream: returns the held-back rest, masked, and resets to a fresh stream.
    public mutating func finish() -> [UInt8] {
        guard automaton != nil else { return [] }
        var out: [UInt8] = []
        let rest = pending
        rest.withUnsafeBufferPointer { emit($0, startingAt: emitted, upTo: consumed, into: &out) }
        state = 0
        consumed = 0
        emitted = 0
        pending.removeAll(keepingCapacity: true)
        masked.removeAll(keepingCapacity: true)
        head = 0
        inMaskedRun = false
        return out
    }

    private mutating func feed(buffer chunk: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let automaton else { return Array(chunk) }
        let chunkStart = consumed
        state = automaton.scan(chunk, from: state) { end, length in
            addMasked(chunkStart + end - length ..< chunkStart + end)
        }
        consumed += chunk.count

        // A match completed by a future byte starts at or after `consumed + 1 - maxPatternLength`
        // (it is at most that long), and at or after `consumed - depth` (its part so far is a
        // suffix of the input that is a pattern prefix, and the state stands for the longest
        // such suffix). Everything before the later of the two is final: emitting it now keeps
        // the output as fresh as possible (a line ending in `\n` usually comes out whole).
        let final = consumed - min(keep, Int(automaton.depth[Int(state)]))
        var out: [UInt8] = []
        if final > emitted {
            out.reserveCapacity(final - emitted + Self.replacement.count)
            let pendingStart = emitted
            let previous = pending
            previous.withUnsafeBufferPointer { emit($0, startingAt: pendingStart, upTo: final, into: &out) }
            emit(chunk, startingAt: chunkStart, upTo: final, into: &out)
        }
        // Keep input bytes `emitted ..< consumed`: the tail of (pending + chunk).
        let keepCount = consumed - emitted
        if keepCount <= chunk.count {
            pending.removeAll(keepingCapacity: true)
            pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[(chunk.count - keepCount)...]))
        } else {
            pending.removeFirst(pending.count - (keepCount - chunk.count))
            pending.append(contentsOf: chunk)
        }
        return out
    }

    /// Records that input `range` is part of a secret, merging it with the ranges it
    /// overlaps or touches. Ranges arrive in order of their end, so those are at the back.
    private mutating func addMasked(_ range: Range<Int>) {
        var lower = range.lowerBound
        while masked.count > head, let last = masked.last, last.upperBound >= lower {
            lower = min(lower, last.lowerBound)
            masked.removeLast()
        }
        masked.append(lower..<max(range.upperBound, lower))
    }

    /// Decides input bytes `emitted ..< limit` that lie in `segment` (whose first byte is at
    /// absolute position `segmentStart`), appending them or `***` to `out`.
    private mutating func emit(
        _ segment: UnsafeBufferPointer<UInt8>, startingAt segmentStart: Int, upTo limit: Int,
        into out: inout [UInt8]
    ) {
        var position = max(emitted, segmentStart)
        let end = min(limit, segmentStart + segment.count)
        while position < end {
            while head < masked.count && masked[head].upperBound <= position { head += 1 }
            if head < masked.count && masked[head].lowerBound <= position {
                if !inMaskedRun {
                    out.append(contentsOf: Self.replacement)
                    inMaskedRun = true
                }
                position = min(masked[head].upperBound, end)
            } else {
                let stop = head < masked.count ? min(masked[head].lowerBound, end) : end
                out.append(
                    contentsOf: UnsafeBufferPointer(rebasing: segment[(position - segmentStart)..<(stop - segmentStart)]))
                inMaskedRun = false
                position = stop
            }
        }
        emitted = max(emitted, end)
        if head > 32 && head * 2 > masked.count {
            masked.removeFirst(head)
            head = 0
        }
    }
}
