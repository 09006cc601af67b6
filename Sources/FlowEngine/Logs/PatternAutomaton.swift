/// An Aho–Corasick automaton over bytes: finds every occurrence of any of a set of byte
/// patterns in one left-to-right pass, at amortised O(1) work per input byte whatever the
/// number of patterns.
///
/// Layout (flat arrays, built once, immutable, shared between copies of a masker):
/// - state 0 is the root; `rootNext` is its full 256-entry transition table (a miss stays at 0);
/// - every other state keeps only its trie edges, sorted by byte, in
///   `edgeBytes[edgeStart[s] ..< edgeStart[s + 1]]` / `edgeTargets[…]`, plus a failure link;
/// - `matchLength[s]` is the length of the longest pattern that ends when the automaton
///   reaches `s` (through the failure chain too), 0 when none does. Shorter patterns ending
///   at the same byte lie inside that one, so the longest is all masking needs;
/// - `depth[s]` is the length of the pattern prefix `s` stands for: the longest suffix of the
///   input so far that could still grow into a match.
final class PatternAutomaton: Sendable {
    let rootNext: [Int32]
    let edgeStart: [Int32]
    let edgeBytes: [UInt8]
    let edgeTargets: [Int32]
    let fail: [Int32]
    let matchLength: [Int32]
    let depth: [Int32]
    /// The length in bytes of the longest pattern.
    let maxPatternLength: Int
    /// How many distinct patterns were compiled.
    let patternCount: Int

    /// Compiles `patterns`; empty patterns are ignored.
    init(patterns: [[UInt8]]) {
        var children: [[UInt8: Int32]] = [[:]]
        var own: [Int32] = [0]
        var depth: [Int32] = [0]
        var longest = 0
        var count = 0
        for pattern in patterns where !pattern.isEmpty {
            var state = 0
            for byte in pattern {
                if let next = children[state][byte] {
                    state = Int(next)
                } else {
                    children.append([:])
                    own.append(0)
                    depth.append(depth[state] + 1)
                    let next = Int32(children.count - 1)
                    children[state][byte] = next
                    state = Int(next)
                }
            }
            if own[state] == 0 { count += 1 }
            own[state] = max(own[state], Int32(pattern.count))
            longest = max(longest, pattern.count)
        }

        let stateCount = children.count
        var fail = [Int32](repeating: 0, count: stateCount)
        var matchLength = own
        // Breadth-first, so a state's failure target (always shallower) is finished first.
        var queue: [Int32] = []
        queue.reserveCapacity(stateCount)
        for (_, child) in children[0] { queue.append(child) }
        var head = 0
        while head < queue.count {
            let state = Int(queue[head])
            head += 1
            for (byte, child) in children[state] {
                var f = Int(fail[state])
                while f != 0 && children[f][byte] == nil { f = Int(fail[f]) }
                let target = children[f][byte] ?? 0
                fail[Int(child)] = target
                matchLength[Int(child)] = max(matchLength[Int(child)], matchLength[Int(target)])
                queue.append(child)
            }
        }

        var rootNext = [Int32](repeating: 0, count: 256)
        for (byte, child) in children[0] { rootNext[Int(byte)] = child }

        var edgeStart = [Int32](repeating: 0, count: stateCount + 1)
        var edgeBytes: [UInt8] = []
        var edgeTargets: [Int32] = []
        edgeBytes.reserveCapacity(stateCount)
        edgeTargets.reserveCapacity(stateCount)
        for state in 0..<stateCount {
            edgeStart[state] = Int32(edgeBytes.count)
            if state != 0 {
                for (byte, child) in children[state].sorted(by: { $0.key < $1.key }) {
                    edgeBytes.append(byte)
                    edgeTargets.append(child)
                }
            }
        }
        edgeStart[stateCount] = Int32(edgeBytes.count)

        self.rootNext = rootNext
        self.edgeStart = edgeStart
        self.edgeBytes = edgeBytes
        self.edgeTargets = edgeTargets
        self.fail = fail
        self.matchLength = matchLength
        self.depth = depth
        self.maxPatternLength = longest
        self.patternCount = count
    }

    /// Runs the automaton over `bytes` from `state`, calling `onMatch(end, length)` for each
    /// position where a pattern ends (`end` is the index just past the match's last byte,
    /// `length` the longest pattern ending there). Returns the state to resume from.
    ///
    /// Written with raw pointers and plain `while` loops because the project builds debug
    /// only, where iterators and bounds-checked subscripts cost several times more per byte.
    func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, from state: Int32,
        onMatch: (_ end: Int, _ length: Int) -> Void
    ) -> Int32 {
        guard let input = bytes.baseAddress, bytes.count > 0 else { return state }
        return rootNext.withUnsafeBufferPointer { rootBuffer in
            edgeStart.withUnsafeBufferPointer { startBuffer in
                edgeBytes.withUnsafeBufferPointer { byteBuffer in
                    edgeTargets.withUnsafeBufferPointer { targetBuffer in
                        fail.withUnsafeBufferPointer { failBuffer in
                            matchLength.withUnsafeBufferPointer { lengthBuffer in
                                let root = rootBuffer.baseAddress!
                                let starts = startBuffer.baseAddress!
                                let edgeByte = byteBuffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
                                let edgeTarget = targetBuffer.baseAddress ?? UnsafePointer(bitPattern: 4)!
                                let failure = failBuffer.baseAddress!
                                let lengths = lengthBuffer.baseAddress!
                                let count = bytes.count
                                var s = state
                                var i = 0
                                while i < count {
                                    let byte = input[i]
                                    i &+= 1
                                    while true {
                                        if s == 0 {
                                            s = root[Int(byte)]
                                            break
                                        }
                                        var e = Int(starts[Int(s)])
                                        let end = Int(starts[Int(s) &+ 1])
                                        var next: Int32 = -1
                                        while e < end {
                                            if edgeByte[e] == byte {
                                                next = edgeTarget[e]
                                                break
                                            }
                                            e &+= 1
                                        }
                                        if next >= 0 {
                                            s = next
                                            break
                                        }
                                        s = failure[Int(s)]
                                    }
                                    let length = lengths[Int(s)]
                                    if length > 0 { onMatch(i, Int(length)) }
                                }
                                return s
                            }
                        }
                    }
                }
            }
        }
    }
}
