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
}
