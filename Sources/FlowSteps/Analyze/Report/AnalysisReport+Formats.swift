import Foundation

/// The machine-readable forms of a report: SARIF 2.1.0 (code scanning in GitHub, GitLab, Azure
/// DevOps and CodeBuild read it) and flow's own JSON.
extension AnalysisReport {
    /// Where SARIF readers find the schema this file follows.
    public static let sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

    /// SARIF 2.1.0: one run of the `flow analyze` driver, every rule described, each finding a
    /// result at its region (line and column, and its byte offset and length) with its fix as an
    /// artifact change. Paths are relative URIs as given (the working directory is the root).
    public func sarif(toolVersion: String) -> String {
        let ruleIndex = Dictionary(rules.enumerated().map { ($1.id, $0) }) { a, _ in a }
        let driverRules: [SARIF.Rule] = rules.map { rule in
            SARIF.Rule(id: rule.id, shortDescription: .init(text: rule.summary), helpUri: rule.helpURI,
                       defaultConfiguration: .init(level: rule.severity.rawValue))
        }
        let results: [SARIF.Result] = findings.map { f in
            SARIF.Result(
                ruleId: f.rule, ruleIndex: ruleIndex[f.rule], level: f.severity.rawValue, message: .init(text: f.message),
                locations: [.init(physicalLocation: .init(artifactLocation: .init(uri: Self.uri(f.span.file)),
                                                          region: .init(span: f.span)))],
                fixes: f.fix.map { fix in
                    [SARIF.FixObject(description: .init(text: fix.description),
                                     artifactChanges: Dictionary(grouping: fix.edits, by: \.file).sorted { $0.key < $1.key }.map { file, edits in
                                         SARIF.ArtifactChange(artifactLocation: .init(uri: Self.uri(file)),
                                                              replacements: edits.map { edit in
                                                                  SARIF.Replacement(deletedRegion: .init(byteOffset: edit.offset, byteLength: edit.length),
                                                                                    insertedContent: .init(text: edit.replacement))
                                                              })
                                     })]
                })
        }
        let log = SARIF.Log(schema: Self.sarifSchema, version: "2.1.0", runs: [
            SARIF.Run(tool: .init(driver: .init(name: "flow analyze", version: toolVersion, rules: driverRules)),
                      columnKind: "unicodeCodePoints", results: results),
        ])
        return Self.encode(log)
    }

    /// flow's JSON: the findings (with fixes as byte-offset edits), the resolved stack, the
    /// recommendation and the counts.
    public func json() -> String {
        let document = JSONReport(
            findings: findings, files: files,
            resolved: .init(torch: torch, cuda: cuda, python: python),
            recommendation: recommendation.map { .init(image: $0.image, reason: $0.reason) },
            summary: .init(errors: count(.error), warnings: count(.warning), notes: count(.note)))
        return Self.encode(document)
    }

    struct JSONReport: Encodable {
        struct Resolved: Encodable { var torch, cuda, python: String? }
        struct Recommendation: Encodable { var image, reason: String }
        struct Summary: Encodable { var errors, warnings, notes: Int }
        var findings: [Finding]
        var files: [String]
        var resolved: Resolved
        var recommendation: Recommendation?
        var summary: Summary
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A relative path as a URI reference: each segment percent-encoded, `/` kept.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}

/// The part of SARIF 2.1.0 flow writes (names as the specification spells them).
enum SARIF {
    struct Text: Encodable { var text: String }
    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable {
        var tool: Tool
        var columnKind: String
        var results: [Result]
    }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name: String
        var version: String
        var rules: [Rule]
    }
    struct Rule: Encodable {
        struct Configuration: Encodable { var level: String }
        var id: String
        var shortDescription: Text
        var helpUri: String?
        var defaultConfiguration: Configuration
    }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Text
        var locations: [Location]
        var fixes: [FixObject]?
    }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }
    struct ArtifactLocation: Encodable { var uri: String }
    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
        var byteOffset: Int
        var byteLength: Int
        init(span: SourceSpan) {
            startLine = max(span.line, 1)
            startColumn = max(span.column, 1)
            byteOffset = max(span.offset, 0)
            byteLength = max(span.length, 0)
        }
    }
    struct FixObject: Encodable {
        var description: Text
        var artifactChanges: [ArtifactChange]
    }
    struct ArtifactChange: Encodable {
        var artifactLocation: ArtifactLocation
        var replacements: [Replacement]
    }
    struct Replacement: Encodable {
        var deletedRegion: ByteRegion
        var insertedContent: Text
    }
    struct ByteRegion: Encodable {
        var byteOffset: Int
        var byteLength: Int
    }
}
