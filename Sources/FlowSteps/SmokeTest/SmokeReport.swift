import Foundation
import FlowEngine

/// A smoke test's results, as the JSON report and as JUnit XML (one suite per level).
public struct SmokeReport: Sendable, Hashable, Codable {
    public var image: String
    public var level: SmokeLevel
    public var engine: String
    /// The image's Python, as the runner found it.
    public var python: String?
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    public var checks: [SmokeResult]

    public init(image: String, level: SmokeLevel, engine: String, python: String?, checks: [SmokeResult]) {
        self.image = image
        self.level = level
        self.engine = engine
        self.python = python
        self.checks = checks
        passed = checks.filter { $0.status == .passed }.count
        failed = checks.filter { $0.status == .failed }.count
        skipped = checks.filter { $0.status == .skipped }.count
    }

    /// The JSON report: sorted keys, one check per entry, in the order they ran.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)).map { $0 + "\n" } ?? "{}\n"
    }

    /// The JUnit report: a suite `smoke-test.<level>` for each level with checks; a failed check
    /// carries its message, the exception as `type`, and the traceback, output and hint as text.
    public func junit() -> JUnitXML {
        let suites = SmokeLevel.allCases.compactMap { level -> JUnitXML.Suite? in
            let classname = "smoke-test.\(level.rawValue)"
            let cases = checks.filter { $0.classname == classname }.map(Self.junitCase)
            return cases.isEmpty ? nil : JUnitXML.Suite(name: classname, cases: cases)
        }
        return JUnitXML(name: "smoke-test \(image)", suites: suites)
    }

    static func junitCase(_ result: SmokeResult) -> JUnitXML.Case {
        let outcome: JUnitXML.Outcome
        switch result.status {
        case .passed: outcome = .passed
        case .skipped: outcome = .skipped(message: result.message ?? "skipped")
        case .failed:
            var text = (result.traceback ?? []).joined(separator: "\n")
            if let hint = result.hint { text += (text.isEmpty ? "" : "\n\n") + "hint: " + hint }
            outcome = .failed(.init(message: result.message ?? "failed", type: result.exception, text: text))
        }
        var out = result.status == .passed ? (result.message ?? "") : ""
        if let output = result.output, !output.isEmpty { out += (out.isEmpty ? "" : "\n") + output }
        return JUnitXML.Case(name: result.name, classname: result.classname, time: result.time, outcome: outcome,
                             systemOut: out.isEmpty ? nil : out)
    }
}
