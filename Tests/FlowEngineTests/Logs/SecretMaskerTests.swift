import Foundation
import Testing
import FlowTestSupport

import FlowEngine

@Suite("SecretMasker: raw values, lines, overlaps")
struct SecretMaskerTests {
    @Test("a raw secret is replaced by *** wherever it appears")
    func rawSecret() {
        let masker = SecretMasker(secrets: ["S3cr3t-Value!"])
        #expect(masker.mask("token=S3cr3t-Value! and again S3cr3t-Value!") == "token=*** and again ***")
        #expect(masker.mask("S3cr3t-Value") == "S3cr3t-Value")  // a prefix alone is not the secret
        #expect(!masker.isEmpty)
    }

    @Test("every line of a PEM-like key is masked, whatever the indentation or line endings")
    func multiLinePEM() {
        let key = LogsTestSupport.pemLikeKey()
        let lines = key.split(separator: "\n").map(String.init)
        #expect(lines.count >= 10)
        #expect(lines.allSatisfy { $0.count >= 4 })
        let masker = SecretMasker(secrets: [key])

        // The key as `cat key.pem` prints it.
        #expect(masker.mask("$ cat key.pem\n" + key + "done\n") == "$ cat key.pem\n***done\n")

        // Indented (a YAML block), with CRLF endings: each line on its own.
        let indented = lines.map { "    " + $0 + "\r\n" }.joined()
        let masked = masker.mask("config:\r\n" + indented + "end\r\n")
        for line in lines {
            #expect(!masked.contains(line), "line survived: \(line)")
        }
        #expect(masked == "config:\r\n" + String(repeating: "    ***\r\n", count: lines.count) + "end\r\n")

        // One body line quoted alone in an error message.
        #expect(masker.mask("bad line: \(lines[3]) here") == "bad line: *** here")
    }

    @Test("a secret of exactly four characters is masked")
    func fourCharacters() {
        let masker = SecretMasker(secrets: ["abcd"])
        #expect(masker.mask("xabcdx abcd abc") == "x***x *** abc")
    }

    @Test("regex metacharacters in a secret are matched literally")
    func regexMetacharacters() {
        let masker = SecretMasker(secrets: ["a.b*c+?"])
        #expect(masker.mask("x a.b*c+? y") == "x *** y")
        #expect(masker.mask("axb*c+? aab*c+ abbbc") == "axb*c+? aab*c+ abbbc")
    }

    @Test("two overlapping secrets are masked as the union of their ranges")
    func overlappingSecrets() {
        let masker = SecretMasker(secrets: ["abcdef", "defghi"])
        #expect(masker.mask("xxabcdefghixx") == "xx***xx")
        #expect(masker.mask("abcdef defghi") == "*** ***")
        // One inside the other, and two that touch.
        let nested = SecretMasker(secrets: ["secretvalue", "value"])
        #expect(nested.mask("[secretvalue] [value]") == "[***] [***]")
        let touching = SecretMasker(secrets: ["abcd", "wxyz"])
        #expect(touching.mask("abcdwxyz abcd-wxyz") == "*** ***-***")
    }

    @Test("secrets shorter than four characters, empty or blank are ignored")
    func shortSecretsIgnored() {
        let masker = SecretMasker(secrets: ["abc", "", "xy", "    ", "\n\n\n\n"])
        #expect(masker.isEmpty)
        #expect(masker.maxPatternLength == 0)
        #expect(masker.mask("abc xy    \n\n\n\n") == "abc xy    \n\n\n\n")
        // Short lines of a longer multi-line secret are not masked on their own.
        let lines = SecretMasker(secrets: ["ab\nlonger-line"])
        #expect(lines.mask("ab cd longer-line") == "ab cd ***")
        // Four characters, whatever their bytes: "ñañá" is 4 characters (8 bytes), "ñañ" is 3.
        #expect(SecretMasker(secrets: ["ñañá"]).mask("<ñañá>") == "<***>")
        #expect(SecretMasker(secrets: ["ñañ"]).isEmpty)
    }

    @Test("an empty masker is the identity, on text and on arbitrary bytes")
    func emptyMaskerIsIdentity() {
        let masker = SecretMasker(secrets: [])
        #expect(masker.isEmpty)
        var generator = SeededGenerator(seed: 1)
        let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(masker.mask(bytes) == bytes)
        #expect(masker.mask("héllo *** \u{0}") == "héllo *** \u{0}")
        var stream = StreamingMasker(masker)
        #expect(stream.feed(bytes[..<100]) + stream.feed(bytes[100...]) + stream.finish() == bytes)
    }

    @Test("a secret with surrounding whitespace is also masked trimmed")
    func trimmedValue() {
        // A secret read from a file usually ends with a newline; $(cat file) drops it.
        let masker = SecretMasker(secrets: ["tok-123456\n"])
        #expect(masker.mask("export T=tok-123456;") == "export T=***;")
        let encoded = LogsTestSupport.base64(Array("tok-123456".utf8))
        // 10 bytes: characters 0..<13 of the 16 depend on the value alone.
        let masked = masker.mask("b64=" + encoded)
        #expect(masked.hasPrefix("b64=***"))
        #expect(!masked.contains(encoded.prefix(13)))
        #expect(!LogsTestSupport.base64Reveals(Array("tok-123456".utf8), in: masked))
    }

    @Test("many short overlapping secrets agree with a naive reference")
    func agreesWithNaiveReference() {
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("abc".utf8)
        func word(_ length: Int) -> [UInt8] {
            (0..<length).map { _ in alphabet[Int.random(in: 0..<3, using: &generator)] }
        }
        let secrets = (0..<12).map { _ in word(Int.random(in: 4...7, using: &generator)) }
        let masker = SecretMasker(secrets: secrets.map { String(decoding: $0, as: UTF8.self) })
        for _ in 0..<50 {
            let text = word(Int.random(in: 0...300, using: &generator))
            #expect(masker.mask(text) == Self.naiveMask(text, secrets: secrets))
        }
    }

    /// Marks every occurrence of every secret, then writes each maximal marked run as `***`.
    static func naiveMask(_ text: [UInt8], secrets: [[UInt8]]) -> [UInt8] {
        var marked = [Bool](repeating: false, count: text.count)
        for secret in secrets where secret.count <= text.count {
            for start in 0...(text.count - secret.count) where Array(text[start..<(start + secret.count)]) == secret {
                for i in start..<(start + secret.count) { marked[i] = true }
            }
        }
        var out: [UInt8] = []
        for (i, byte) in text.enumerated() {
            if !marked[i] {
                out.append(byte)
            } else if i == 0 || !marked[i - 1] {
                out.append(contentsOf: Array("***".utf8))
            }
        }
        return out
    }
}
