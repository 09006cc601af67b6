import Foundation
import Testing
import FlowTestSupport

import FlowEngine

@Suite("StreamingMasker: chunked input gives the same output as masking the whole")
struct StreamingMaskerTests {
    static let secrets = ["hunter2-pass", "abcdef", "defghi", "k3y\nline-two", "wxyz"]

    /// Secrets at the start and the end, overlapping, touching, split by lines, base64- and
    /// JSON-encoded, plus near-misses.
    static let text: [UInt8] = {
        let encoded = LogsTestSupport.base64(Array("x hunter2-pass y".utf8))
        let parts = [
            "hunter2-pass at the start\n",
            "overlap: xxabcdefghixx touching: abcdefwxyz near: abcde hunter2-pas\n",
            "lines: k3y\nline-two and line-two alone\n",
            "b64: \(encoded) json: {\"k\":\"k3y\\nline-two\"}\n",
            "utf8: ñ café wxy wxyz",
        ]
        return Array(parts.joined().utf8)
    }()

    /// Feeds `pieces` one by one, checking after each feed that at most
    /// `maxPatternLength - 1` bytes are held back and that what came out so far is a prefix
    /// of the whole masked output.
    static func stream(_ pieces: [ArraySlice<UInt8>], masker: SecretMasker, expected: [UInt8]) -> [UInt8] {
        var stream = StreamingMasker(masker)
        var out: [UInt8] = []
        for piece in pieces {
            out += stream.feed(piece)
            #expect(stream.heldBackCount <= masker.maxPatternLength - 1)
            #expect(out.count <= expected.count && Array(expected[..<out.count]) == out)
        }
        out += stream.finish()
        #expect(stream.heldBackCount == 0)
        return out
    }

    @Test("every two-way split point")
    func everySplitPoint() {
        let masker = SecretMasker(secrets: Self.secrets)
        let whole = masker.mask(Self.text)
        #expect(String(decoding: whole, as: UTF8.self).contains("***"))
        #expect(!String(decoding: whole, as: UTF8.self).contains("hunter2-pass"))
        for split in 0...Self.text.count {
            let pieces = [Self.text[..<split], Self.text[split...]]
            #expect(Self.stream(pieces, masker: masker, expected: whole) == whole, "split at \(split)")
        }
    }

    @Test("one byte at a time")
    func byteAtATime() {
        let masker = SecretMasker(secrets: Self.secrets)
        let whole = masker.mask(Self.text)
        let pieces = Self.text.indices.map { Self.text[$0...$0] }
        #expect(Self.stream(pieces, masker: masker, expected: whole) == whole)
    }

    @Test("random multi-way splits (fixed seed), including empty chunks")
    func randomSplits() {
        let masker = SecretMasker(secrets: Self.secrets)
        let whole = masker.mask(Self.text)
        var generator = SeededGenerator(seed: 2024)
        for _ in 0..<300 {
            let cuts = (0..<Int.random(in: 1...12, using: &generator))
                .map { _ in Int.random(in: 0...Self.text.count, using: &generator) }
                .sorted()
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            for cut in cuts + [Self.text.count] {
                pieces.append(Self.text[start..<cut])
                start = cut
            }
            #expect(Self.stream(pieces, masker: masker, expected: whole) == whole, "cuts \(cuts)")
        }
    }

    @Test("the held-back tail stays below the longest pattern on a long stream")
    func boundedHoldBack() {
        let masker = SecretMasker(secrets: Self.secrets)
        var stream = StreamingMasker(masker)
        var emitted = 0
        let chunk = Array(String(repeating: "abcdefghi wxyz hunter2-pas ", count: 40).utf8)
        for _ in 0..<200 {
            emitted += stream.feed(chunk).count
            #expect(stream.heldBackCount <= masker.maxPatternLength - 1)
        }
        emitted += stream.finish().count
        let expectedPerChunk = masker.mask(chunk).count
        #expect(emitted == expectedPerChunk * 200)
    }

    @Test("only a possible beginning of a secret is held back; a finished line comes out at once")
    func holdsBackOnlyPossiblePrefixes() {
        let masker = SecretMasker(secrets: ["hunter2-pass"])
        #expect(masker.maxPatternLength > 12)
        var stream = StreamingMasker(masker)
        #expect(stream.feed(Array("Waiting for deploy...\n".utf8)) == Array("Waiting for deploy...\n".utf8))
        #expect(stream.heldBackCount == 0)
        #expect(stream.feed(Array("pw: hunter2-p".utf8)) == Array("pw: ".utf8))
        #expect(stream.heldBackCount == 9)
        #expect(stream.feed(Array("ass\n".utf8)) == Array("***\n".utf8))
        #expect(stream.feed(Array("pw: hunter".utf8)) + stream.finish() == Array("pw: hunter".utf8))
    }

    @Test("finish ends the stream and the masker starts afresh")
    func finishResets() {
        let masker = SecretMasker(secrets: ["abcdef"])
        var stream = StreamingMasker(masker)
        let first = stream.feed(Array("xx abc".utf8))
        #expect(first == Array("xx ".utf8))  // "abc" could still become the secret
        #expect(stream.heldBackCount == 3)
        #expect(first + stream.finish() == Array("xx abc".utf8))
        // "def" alone must not complete the earlier "abc".
        #expect(stream.feed(Array("def".utf8)) + stream.finish() == Array("def".utf8))
    }

    @Test("a masked run that ends a chunk is still merged with one that starts the next")
    func runAcrossChunks() {
        let masker = SecretMasker(secrets: ["abcd", "efgh"])
        var stream = StreamingMasker(masker)
        // The first run is emitted before it is known to go on: its `***` comes out once.
        let first = stream.feed(Array("abcdefg".utf8))
        #expect(first == Array("***".utf8))
        let rest = stream.feed(Array("h-".utf8)) + stream.finish()
        #expect(first + rest == Array("***-".utf8))
        #expect(masker.mask("abcdefgh-") == "***-")
    }
}
