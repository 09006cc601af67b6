import Foundation
import Testing
@testable import FlowSteps

/// The `analyze` corpus: each folder of `Fixtures/Analyze` is a small project (a Dockerfile, its
/// requirements and context files) with `expected.txt`, the lines `flow analyze` prints for it, and
/// optionally `args.txt`, one line of extra settings written as the command line writes them
/// (`--target cpu`, `--build-arg NAME=VALUE`, `--python 3.11`, `--cuda 12.4`, `--torch 2.5.1`,
/// `--requirements FILE`, `--context DIR`).
enum AnalyzeCorpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Analyze")

    /// The case folders, by name.
    static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return entries.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }()

    /// What `expected.txt` says `flow analyze` prints for a case.
    static func expected(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name).appendingPathComponent("expected.txt"), encoding: .utf8)
    }

    /// The request for a case: the Dockerfile at its root, and the settings of `args.txt`.
    static func request(_ name: String) throws -> AnalysisRequest {
        var request = AnalysisRequest(dockerfile: "Dockerfile")
        let url = root.appendingPathComponent(name).appendingPathComponent("args.txt")
        guard FileManager.default.fileExists(atPath: url.path) else { return request }
        let words = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isWhitespace).map(String.init)
        var index = 0
        while index < words.count {
            let option = words[index]
            guard index + 1 < words.count else { throw CorpusError("\(name)/args.txt: \(option) needs a value") }
            let value = words[index + 1]
            index += 2
            switch option {
            case "--target": request.target = value
            case "--python": request.python = value
            case "--cuda": request.cuda = value
            case "--torch": request.torch = value
            case "--context": request.context = value
            case "--requirements": request.requirements = (request.requirements ?? []) + [value]
            case "--build-arg":
                guard let equals = value.firstIndex(of: "=") else { throw CorpusError("\(name)/args.txt: --build-arg \(value) is not NAME=VALUE") }
                request.buildArgs[String(value[..<equals])] = String(value[value.index(after: equals)...])
            default:
                throw CorpusError("\(name)/args.txt: unknown option \(option)")
            }
        }
        return request
    }

    /// Analyzes the project in `folder` as the case `name` asks.
    static func analyze(_ name: String, in folder: URL) throws -> AnalysisReport {
        switch Analyzer.analyze(try request(name), files: AnalysisFiles(root: folder.path)) {
        case .success(let report): return report
        case .failure(let problem): throw CorpusError("\(name): \(problem)")
        }
    }

    /// The rule ids of the finding lines (`path:line:column: severity[rule]: message`), with their severities.
    static func findings(in text: String) -> [(severity: String, rule: String)] {
        text.split(separator: "\n").compactMap { line in
            guard let open = line.range(of: "["), let close = line.range(of: "]: ", range: open.upperBound..<line.endIndex) else { return nil }
            let head = line[..<open.lowerBound]
            guard let colon = head.range(of: ": ", options: .backwards) else { return nil }
            let severity = String(head[colon.upperBound...])
            guard ["note", "warning", "error"].contains(severity) else { return nil }
            return (severity, String(line[open.upperBound..<close.lowerBound]))
        }
    }

    /// A case whose expected findings are notes at most.
    static func isClean(_ name: String) throws -> Bool {
        try findings(in: expected(name)).allSatisfy { $0.severity == "note" }
    }

    /// Copies a case's folder to a new temporary folder.
    static func copy(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("flow-analyze-corpus-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: root.appendingPathComponent(name), to: target)
        return target
    }

    /// Applies a fix's edits to the files under `folder` (edits name files relative to it).
    static func apply(_ fix: Fix, in folder: URL) throws {
        for (file, edits) in Dictionary(grouping: fix.edits, by: \.file) {
            let url = folder.appendingPathComponent(file)
            let bytes = [UInt8](try Data(contentsOf: url))
            try Data(TextEdit.apply(edits, to: bytes)).write(to: url)
        }
    }

    static let syntaxRules: Set<String> = ["dockerfile-syntax", "requirements-syntax"]
}

struct CorpusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite struct AnalyzeCorpusTests {
    @Test(arguments: AnalyzeCorpus.names)
    func printsTheExpectedFindings(_ name: String) throws {
        let report = try AnalyzeCorpus.analyze(name, in: AnalyzeCorpus.root.appendingPathComponent(name))
        let printed = report.lines().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = try AnalyzeCorpus.expected(name).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(printed.filter { !$0.isEmpty } == expected.filter { !$0.isEmpty })
    }

    @Test func theCorpusIsLargeEnoughAndHasCleanCases() throws {
        #expect(AnalyzeCorpus.names.count >= 40)
        #expect(try AnalyzeCorpus.names.filter(AnalyzeCorpus.isClean).count >= 6)
    }

    /// Every rule fires in some case and is silent in some clean one; a clean case holds notes at most.
    @Test func everyRuleFiresAndIsSilentOnACorrectFile() throws {
        var fired: Set<String> = []
        var silentInClean: Set<String> = []
        let ids = Set(Analyzer.descriptors.map(\.id))
        for name in AnalyzeCorpus.names {
            let findings = AnalyzeCorpus.findings(in: try AnalyzeCorpus.expected(name))
            let rules = Set(findings.map(\.rule))
            #expect(rules.isSubset(of: ids), "\(name): unknown rule ids \(rules.subtracting(ids).sorted())")
            fired.formUnion(rules)
            if try AnalyzeCorpus.isClean(name) { silentInClean.formUnion(ids.subtracting(rules)) }
        }
        #expect(ids.subtracting(fired).sorted() == [], "rules that fire in no case")
        #expect(ids.subtracting(silentInClean).sorted() == [], "rules not silent in any clean case")
    }

    static var casesWithFixes: [String] {
        AnalyzeCorpus.names.filter { ((try? AnalyzeCorpus.expected($0)) ?? "").contains(": note: fix: ") }
    }

    /// Each fix, applied alone to a copy of its case, leaves fewer findings of its rule and no new syntax error.
    @Test(arguments: casesWithFixes)
    func everyFixRemovesItsFinding(_ name: String) throws {
        let before = try AnalyzeCorpus.analyze(name, in: AnalyzeCorpus.root.appendingPathComponent(name))
        let syntaxBefore = before.findings.filter { AnalyzeCorpus.syntaxRules.contains($0.rule) }.count
        let fixed = before.findings.filter { $0.fix != nil }
        #expect(!fixed.isEmpty)
        for finding in fixed {
            let folder = try AnalyzeCorpus.copy(name)
            defer { try? FileManager.default.removeItem(at: folder) }
            try AnalyzeCorpus.apply(try #require(finding.fix), in: folder)
            let after = try AnalyzeCorpus.analyze(name, in: folder)
            let place = "\(finding.span.file):\(finding.span.line):\(finding.span.column) \(finding.rule)"
            #expect(after.findings.filter { $0.rule == finding.rule }.count < before.findings.filter { $0.rule == finding.rule }.count,
                    "\(name): the fix of \(place) leaves as many \(finding.rule) findings")
            #expect(after.findings.filter { AnalyzeCorpus.syntaxRules.contains($0.rule) }.count <= syntaxBefore,
                    "\(name): the fix of \(place) adds a syntax error: \(after.findings.filter { AnalyzeCorpus.syntaxRules.contains($0.rule) }.map(\.message))")
        }
    }
}
