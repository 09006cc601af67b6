import Foundation
import Testing
@testable import FlowSteps
import FlowTestSupport

/// The whole analysis (the parsers, the stage walk that finds requirements and builder stages,
/// every rule) over mutated projects from the corpus: it finishes, and every finding points
/// inside the file it names.
@Suite struct AnalyzerFuzzTests {
    static let fragments = [
        "FROM ", " AS base", "COPY --from=base ", "COPY --from=9 ", "RUN pip install -r requirements.txt", "-c constraints.txt",
        "\\\n", "<<EOF\n", "EOF\n", "${X:-", "}", "\"", "'", "# escape=`\n", "ARG X=1\n", "torch==2.4.1+cu121\n",
        "torchvision==0.0\n", "-r requirements.txt\n", "--extra-index-url https://download.pytorch.org/whl/cu118\n",
        "FROM nvcr.io/nvidia/pytorch:24.07-py3\n", "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
        "\u{0}", "é", "\t", " && ", " | ", "\n\n", "FROM scratch\n", "COPY . .\n",
    ]

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...40, using: &random)))
            case 2:
                let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
                bytes.insert(contentsOf: Array(fragments[Int.random(in: 0..<fragments.count, using: &random)].utf8), at: at)
            case 3 where bytes.count > 2:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let piece = bytes[start..<min(bytes.count, start + Int.random(in: 1...80, using: &random))]
                bytes.insert(contentsOf: piece, at: Int.random(in: 0...bytes.count, using: &random))
            default:
                var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count > 1 { lines.swapAt(Int.random(in: 0..<lines.count, using: &random), Int.random(in: 0..<lines.count, using: &random)) }
                bytes = Array(lines.joined(separator: "\n").utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func mutatedProjectsAreAnalyzedWithoutACrashAndEveryFindingPointsIntoItsFile() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Analyze")
        let cases = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
        let seeds: [(dockerfile: String, requirements: String)] = cases.compactMap { name in
            guard let dockerfile = try? String(contentsOf: corpus.appendingPathComponent(name + "/Dockerfile"), encoding: .utf8) else { return nil }
            let requirements = (try? String(contentsOf: corpus.appendingPathComponent(name + "/requirements.txt"), encoding: .utf8)) ?? "torch==2.4.1\n"
            return (dockerfile, requirements)
        }
        #expect(seeds.count >= 40)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var random = SeededGenerator(seed: 0x5EED_F10A)
        for round in 0..<600 {
            let seed = seeds[round % seeds.count]
            let dockerfile = Self.mutate(seed.dockerfile, &random)
            let requirements = Self.mutate(seed.requirements, &random)
            let files: [String: String] = ["Dockerfile": dockerfile, "requirements.txt": requirements, "constraints.txt": requirements]
            for (name, text) in files { try text.write(to: dir.file(name), atomically: false, encoding: .utf8) }
            guard case .success(let report) = Analyzer.analyze(AnalysisRequest(dockerfile: "Dockerfile"), files: AnalysisFiles(root: dir.url.path)) else {
                Issue.record("round \(round): the Dockerfile could not be read")
                continue
            }
            for finding in report.findings {
                let size = files[finding.span.file].map { $0.utf8.count }
                #expect(size != nil, "round \(round): \(finding.rule) names \(finding.span.file)")
                #expect(finding.span.line >= 1 && finding.span.column >= 1 && finding.span.offset >= 0
                        && finding.span.offset + finding.span.length <= (size ?? 0), "round \(round): \(finding.rule) at \(finding.span)")
                for edit in finding.fix?.edits ?? [] {
                    #expect(edit.offset >= 0 && edit.offset + edit.length <= (files[edit.file]?.utf8.count ?? -1), "round \(round): fix of \(finding.rule)")
                }
            }
        }
    }
}
