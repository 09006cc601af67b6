import Foundation
import Testing
import FlowTestSupport

import FlowEngine

@Suite("SecretMasker: base64, URL and JSON forms")
struct SecretMaskerEncodingTests {
    /// Bytes `>>>` and `???` encode to `+` and `/`, so the URL-safe alphabet differs.
    static let secret = "pa>>>ss???w0rd~~>?"

    /// The masked form of `blob` (base64 of bytes where the secret, `count` bytes long, starts
    /// at byte `offset`): the characters whose bits all come from the secret — `i` with
    /// 6i ≥ 8·offset and 6i+6 ≤ 8·(offset+count) — become `***`; the rest stays.
    static func expectedMasking(of blob: String, secretAt offset: Int, count: Int) -> String {
        let first = (8 * offset + 5) / 6
        let end = 8 * (offset + count) / 6
        return String(blob.prefix(first)) + "***" + String(blob.dropFirst(end))
    }

    @Test(
        "base64 of the secret inside a longer blob is masked at every alignment, in both alphabets",
        arguments: [0, 1, 2], ["", "x", "xy", "xyz!"])
    func base64Alignments(prefixLength: Int, suffix: String) {
        let masker = SecretMasker(secrets: [Self.secret])
        let secretBytes = Array(Self.secret.utf8)
        let content = Array("ABCDEFG".utf8.prefix(prefixLength)) + secretBytes + Array(suffix.utf8)
        let standard = LogsTestSupport.base64(content)
        for blob in [standard, LogsTestSupport.urlSafe(standard)] {
            let stableMiddle = String(
                blob.dropFirst((8 * prefixLength + 5) / 6).prefix(8 * (prefixLength + secretBytes.count) / 6 - (8 * prefixLength + 5) / 6))
            #expect(stableMiddle.contains { "+/-_".contains($0) }, "the test secret should exercise the alphabet")
            #expect(LogsTestSupport.base64Reveals(secretBytes, in: blob))

            let masked = masker.mask("data: \(blob) end")
            #expect(masked == "data: \(Self.expectedMasking(of: blob, secretAt: prefixLength, count: secretBytes.count)) end")
            #expect(!masked.contains(stableMiddle))
            #expect(!LogsTestSupport.base64Reveals(secretBytes, in: masked))
        }
    }

    @Test("base64 -w0 of a file holding a long secret is masked")
    func base64OfLongSecret() {
        var generator = SeededGenerator(seed: 3)
        let printable = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!?~".utf8)
        let secretBytes = (0..<300).map { _ in printable.randomElement(using: &generator)! }
        let secret = String(decoding: secretBytes, as: UTF8.self)
        let masker = SecretMasker(secrets: [secret])
        let header = Array("HEADER\n".utf8)
        let blob = LogsTestSupport.base64(header + secretBytes + Array("\nFOOTER\n".utf8))
        #expect(blob.count > 400)
        #expect(!blob.contains("\n"))

        let masked = masker.mask("$ base64 -w0 creds\n\(blob)\n")
        let expected = Self.expectedMasking(of: blob, secretAt: header.count, count: secretBytes.count)
        #expect(masked == "$ base64 -w0 creds\n\(expected)\n")
        #expect(!LogsTestSupport.base64Reveals(secretBytes, in: masked))
        #expect(LogsTestSupport.base64Reveals(secretBytes, in: blob))
    }

    @Test("a base64 form too short to be safe is not masked, the secret itself still is")
    func minimumDerivedLength() {
        let masker = SecretMasker(secrets: ["wxyz"])
        // 4 bytes at alignment 1 leave exactly 4 stable characters: still masked.
        let blob = LogsTestSupport.base64(Array("Awxyz".utf8))
        #expect(masker.mask(blob) == Self.expectedMasking(of: blob, secretAt: 1, count: 4))
        #expect(masker.mask("wxyz") == "***")
    }

    @Test("percent-encoded secrets are masked with upper- and lower-case hex and + for space")
    func urlEncoded() throws {
        let secret = "p@ss w/rd&x=1~ü"
        let masker = SecretMasker(secrets: [secret])
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        unreserved.insert(charactersIn: "-._~")
        let upper = try #require(secret.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(upper == "p%40ss%20w%2Frd%26x%3D1~%C3%BC")
        let lower = Self.lowercasingHex(upper)
        #expect(lower == "p%40ss%20w%2frd%26x%3d1~%c3%bc")
        let plus = upper.replacingOccurrences(of: "%20", with: "+")
        let plusLower = lower.replacingOccurrences(of: "%20", with: "+")
        for encoded in [upper, lower, plus, plusLower] {
            #expect(masker.mask("GET /login?pw=\(encoded)&next=/home") == "GET /login?pw=***&next=/home")
        }
    }

    @Test("JSON-escaped secrets are masked, as Foundation and Python write them")
    func jsonEscaped() throws {
        let secret = "pa\"ss\\wo/rd\n\tline2\u{01}é"
        let masker = SecretMasker(secrets: [secret])

        var escapedForms: [String] = []
        for formatting in [JSONEncoder.OutputFormatting(), .withoutEscapingSlashes] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            let json = String(decoding: try encoder.encode([secret]), as: UTF8.self)
            escapedForms.append(String(json.dropFirst(2).dropLast(2)))  // strip [" and "]
        }
        let serialized = String(decoding: try JSONSerialization.data(withJSONObject: [secret]), as: UTF8.self)
        escapedForms.append(String(serialized.dropFirst(2).dropLast(2)))
        // Python's json.dumps (ensure_ascii), and upper-case hex.
        escapedForms.append(#"pa\"ss\\wo/rd\n\tline2\u0001\u00e9"#)
        escapedForms.append(#"pa\"ss\\wo\/rd\n\tline2\u0001\u00E9"#)
        #expect(escapedForms.contains(#"pa\"ss\\wo\/rd\n\tline2\u0001é"#) || escapedForms.contains(#"pa\"ss\\wo/rd\n\tline2\u0001é"#))

        for escaped in escapedForms {
            #expect(masker.mask(#"{"token":""# + escaped + #"","n":1}"#) == #"{"token":"***","n":1}"#, "form: \(escaped)")
        }
    }

    @Test("a secret without special characters has its JSON and URL forms equal to itself")
    func plainSecretForms() {
        let masker = SecretMasker(secrets: ["plainToken123"])
        #expect(masker.mask(#"{"t":"plainToken123"}"#) == #"{"t":"***"}"#)
        #expect(masker.mask("?t=plainToken123&") == "?t=***&")
    }

    @Test("a multi-line secret JSON-escaped with CRLF endings is masked")
    func jsonEscapedCRLF() {
        let masker = SecretMasker(secrets: ["first-line\r\nsecond-line"])
        #expect(masker.mask(#"{"k":"first-line\r\nsecond-line"}"#) == #"{"k":"***"}"#)
        #expect(masker.mask("first-line\nsecond-line") == "***\n***")
    }

    static func lowercasingHex(_ text: String) -> String {
        var out = ""
        var hexLeft = 0
        for character in text {
            if character == "%" {
                hexLeft = 2
                out.append(character)
            } else if hexLeft > 0 {
                hexLeft -= 1
                out.append(Character(character.lowercased()))
            } else {
                out.append(character)
            }
        }
        return out
    }
}
