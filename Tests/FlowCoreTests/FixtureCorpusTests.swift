import Foundation
import Testing
import FlowCore
import FlowTestSupport

/// The invalid-pipeline corpus: each `Fixtures/invalid/NAME.yml` must produce exactly the
/// diagnostics in `NAME.expected` (rendered as `flow validate` prints them, without colour).
@Suite struct FixtureCorpusTests {
    static let invalid: [String] = names(in: "invalid")
    static let valid: [String] = names(in: "valid")

    static func names(in folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Repository.fixtures(folder).path)) ?? []
        return files.filter { $0.hasSuffix(".yml") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func check(_ folder: String, _ name: String) throws -> [Diagnostic] {
        let bytes = [UInt8](try Data(contentsOf: Repository.fixtures(folder).appendingPathComponent("\(name).yml")))
        return PipelineCheck.check(bytes, file: "\(name).yml", options: testValidationOptions()).diagnostics
    }

    @Test func corpusHasAtLeastSixtyInvalidPipelines() {
        #expect(Self.invalid.count >= 60)
    }

    @Test(arguments: invalid)
    func invalidPipelineGetsExactlyTheExpectedDiagnostics(_ name: String) throws {
        let diagnostics = try Self.check("invalid", name)
        let expected = try String(contentsOf: Repository.fixtures("invalid").appendingPathComponent("\(name).expected"), encoding: .utf8)
        #expect(diagnostics.hasErrors)
        #expect(DiagnosticRenderer(color: false).text(diagnostics) == expected)
        // Every diagnostic points into the file it is about.
        for d in diagnostics { #expect(d.location.file == "\(name).yml" && d.location.line >= 1 && d.location.column >= 1) }
    }

    @Test(arguments: valid)
    func validPipelineHasNoDiagnostics(_ name: String) throws {
        let diagnostics = try Self.check("valid", name)
        #expect(DiagnosticRenderer(color: false).text(diagnostics) == "")
    }

    /// Hostile inputs too big or too odd to commit, generated here, with the exact output each must give.
    /// (libyaml reports too-deep nesting where the too-deep structure starts.)
    static let generated: [(name: String, bytes: [UInt8], expected: String)] = [
        ("deep-sequence.yml", Array(String(repeating: "[", count: 100_000).utf8),
         "deep-sequence.yml:1:1: error: nesting is deeper than 64 levels; a pipeline needs far fewer, flatten this structure\n"),
        ("deep-mapping.yml", Array(String(repeating: "{a: ", count: 100_000).utf8),
         "deep-mapping.yml:1:1: error: nesting is deeper than 64 levels; a pipeline needs far fewer, flatten this structure\n"),
        ("huge.yml", Array(repeating: UInt8(ascii: "#"), count: 100 << 20),
         "huge.yml:1:1: error: file is 100 MB; pipeline files are limited to 10 MB\n"),
        ("invalid-utf8.yml", Array("name: x\nsteps:\n  a:\n    run: echo caf".utf8) + [0xC3, 0x28] + Array("\n".utf8),
         "invalid-utf8.yml:4:18: error: file is not valid UTF-8 (byte 0xC3); save it as UTF-8\n"),
        ("utf16.yml", [0xFF, 0xFE] + Array("n\0a\0m\0e\0".utf8),
         "utf16.yml:1:1: error: file is not valid UTF-8 (byte 0xFF); save it as UTF-8\n"),
    ]

    @Test(arguments: generated.indices)
    func generatedHostileInputGetsExactlyTheExpectedDiagnostics(_ index: Int) {
        let input = Self.generated[index]
        let diagnostics = PipelineCheck.check(input.bytes, file: input.name, options: testValidationOptions()).diagnostics
        #expect(DiagnosticRenderer(color: false).text(diagnostics) == input.expected, "\(input.name)")
    }
}
