import Foundation
@testable import FlowSteps

/// Helpers shared by the Python analysis tests.
enum PythonTestSupport {
    /// The directory of this folder's fixtures.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/Python")

    /// A fixture file's text.
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// Splits `command` (at byte `offset` of `file`'s `text`) into words at blanks, stripping one
    /// pair of surrounding quotes, with spans into `text` — a stand-in for the Dockerfile helper.
    static func words(_ command: String, in text: String, file: String = "Dockerfile") -> [PipWord] {
        let bytes = Array(text.utf8)
        let commandBytes = Array(command.utf8)
        guard let start = (0...(max(0, bytes.count - commandBytes.count))).first(where: { Array(bytes[$0..<min(bytes.count, $0 + commandBytes.count)]) == commandBytes }) else { return [] }
        var words: [PipWord] = []
        var index = start
        let end = start + commandBytes.count
        while index < end {
            if bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 || bytes[index] == UInt8(ascii: "\\") {
                index += 1
                continue
            }
            let wordStart = index
            var quote: UInt8?
            while index < end {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == 0x20 || byte == 0x0A || byte == 0x09 {
                    break
                }
                index += 1
            }
            let raw = String(decoding: bytes[wordStart..<index], as: UTF8.self)
            let text = raw.filter { $0 != "\"" && $0 != "'" }
            words.append(PipWord(text: text, span: span(in: bytes, file: file, wordStart..<index), raw: raw))
        }
        return words
    }

    /// The span of `range` in `bytes`.
    static func span(in bytes: [UInt8], file: String, _ range: Range<Int>) -> SourceSpan {
        var line = 1
        var column = 1
        for byte in bytes[..<range.lowerBound] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceSpan(file: file, line: line, column: column, offset: range.lowerBound, length: range.count)
    }

    /// The text `span` covers in `text`.
    static func slice(_ text: String, _ span: SourceSpan?) -> String? {
        guard let span else { return nil }
        let bytes = Array(text.utf8)
        guard span.offset >= 0, span.offset + span.length <= bytes.count else { return nil }
        return String(decoding: bytes[span.offset..<(span.offset + span.length)], as: UTF8.self)
    }

    /// Applies a finding's fix to `text`.
    static func apply(_ fix: Fix?, to text: String) -> String {
        String(decoding: TextEdit.apply(fix?.edits ?? [], to: Array(text.utf8)), as: UTF8.self)
    }

    static func version(_ text: String) -> PythonVersion {
        PythonVersion.parse(text) ?? PythonVersion(release: [999_999])
    }

    static func specifiers(_ text: String) -> SpecifierSet {
        (try? SpecifierSet.parse(text).get()) ?? SpecifierSet([VersionSpecifier(.equal, PythonVersion(release: [999_999]))])
    }
}
