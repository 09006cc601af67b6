import Foundation
import FlowTestSupport

/// Helpers for the Logs tests: temporary directories, file modes, a PEM-like key, and an
/// independent base64 reader. (The seeded generator is FlowTestSupport's `SeededGenerator`.)
enum LogsTestSupport {
    /// A fresh empty directory under the system temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/flow-logs-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw CocoaError(.fileWriteUnknown) }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Permission bits of `path` (`stat(2)`).
    static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    static func contents(of path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Standard base64 with `=` padding, via Foundation (independent of the masker's encoder).
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    static func urlSafe(_ base64: String) -> String {
        String(base64.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    /// Decodes base64 symbols (either alphabet) leniently: no padding needed, stops at the
    /// first non-symbol, drops the incomplete bits at the end.
    static func lenientBase64Decode(_ text: Substring) -> [UInt8] {
        var bits = 0
        var bitCount = 0
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            let value: Int
            switch scalar {
            case "A"..."Z": value = Int(scalar.value) - 65
            case "a"..."z": value = Int(scalar.value) - 97 + 26
            case "0"..."9": value = Int(scalar.value) - 48 + 52
            case "+", "-": value = 62
            case "/", "_": value = 63
            default: return out
            }
            bits = (bits << 6 | value) & 0xFFFF
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> bitCount))
            }
        }
        return out
    }

    /// True when decoding some run of base64 symbols in `text`, from any of its first four
    /// offsets, yields bytes containing `secret`.
    static func base64Reveals(_ secret: [UInt8], in text: String) -> Bool {
        let symbols = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
        let runs = text.unicodeScalars.split { !symbols.contains($0) }
        for run in runs {
            let runText = Substring(String(String.UnicodeScalarView(run)))
            for offset in 0..<min(4, runText.count) {
                let decoded = lenientBase64Decode(runText.dropFirst(offset))
                if contains(decoded, secret) { return true }
            }
        }
        return false
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
            return true
        }
        return false
    }

    /// A PEM-shaped private key built from seeded random bytes (no real key in the sources):
    /// header, 64-character base64 body lines, a short last line, footer.
    static func pemLikeKey(seed: UInt64 = 7) -> String {
        var generator = SeededGenerator(seed: seed)
        let body = (0..<610).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = base64(body)
        var lines = ["-----BEGIN RSA PRIVATE KEY-----"]
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append("-----END RSA PRIVATE KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }
}
