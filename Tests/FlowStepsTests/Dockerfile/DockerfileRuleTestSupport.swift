import Foundation
import Testing
@testable import FlowSteps

/// Shared helpers for the Dockerfile rule tests.
enum DockerfileRuleTesting {
    /// All findings for `text`.
    static func findings(_ text: String, context: BuildContextFiles? = nil, buildArgs: [String: String] = [:]) -> [Finding] {
        DockerfileRules.check(DockerfileParser.parse(text, file: "Dockerfile", buildArgs: buildArgs), context: context)
    }

    /// The findings of one rule.
    static func findings(of rule: String, in text: String, context: BuildContextFiles? = nil) -> [Finding] {
        findings(text, context: context).filter { $0.rule == rule }
    }

    /// Applies a finding's fix to `text`.
    static func applying(_ finding: Finding, to text: String) -> String? {
        guard let fix = finding.fix else { return nil }
        return String(decoding: TextEdit.apply(fix.edits, to: Array(text.utf8)), as: UTF8.self)
    }

    /// The text of a fixture under `Fixtures/Dockerfile`.
    static func fixture(_ name: String, filePath: String = #filePath) throws -> String {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Dockerfile/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// One rule case: a Dockerfile and, when the rule fires, where.
struct DockerfileRuleCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var dockerfile: String
    /// The expected (line, column) of each finding, in order; empty for a silent case.
    var locations: [Location]
    var note: String

    struct Location: Sendable, Equatable {
        var line: Int
        var column: Int
    }

    init(_ rule: String, _ note: String, _ dockerfile: String, at locations: [(Int, Int)] = []) {
        self.rule = rule
        self.note = note
        self.dockerfile = dockerfile
        self.locations = locations.map { Location(line: $0.0, column: $0.1) }
    }

    var testDescription: String { "\(rule): \(note)" }
}
