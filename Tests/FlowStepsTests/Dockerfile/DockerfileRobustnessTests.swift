import Testing
@testable import FlowSteps
import FlowTestSupport

/// Checks that every finding (and fix) of a text stays inside it and that its line and column
/// agree with its byte offset.
enum DockerfileSpanValidation {
    static func problems(in findings: [Finding], of text: String) -> [String] {
        let bytes = Array(text.utf8)
        // The line and column of every offset, counted independently of the parser's tables.
        var lines = [Int](repeating: 1, count: bytes.count + 1)
        var columns = [Int](repeating: 1, count: bytes.count + 1)
        for index in bytes.indices {
            let newline = bytes[index] == UInt8(ascii: "\n")
            lines[index + 1] = lines[index] + (newline ? 1 : 0)
            columns[index + 1] = newline ? 1 : columns[index] + (bytes[index] & 0xC0 != 0x80 ? 1 : 0)
        }
        var problems: [String] = []
        for finding in findings {
            let span = finding.span
            guard span.offset >= 0, span.length >= 0, span.offset + span.length <= bytes.count, span.line >= 1, span.column >= 1 else {
                problems.append("\(finding.rule) span out of range: \(span)")
                continue
            }
            let line = lines[span.offset]
            let column = columns[span.offset]
            if line != span.line || column != span.column {
                problems.append("\(finding.rule) at \(span.line):\(span.column), offset says \(line):\(column)")
            }
            for edit in finding.fix?.edits ?? [] where edit.offset < 0 || edit.length < 0 || edit.offset + edit.length > bytes.count {
                problems.append("\(finding.rule) fix edit out of range: \(edit)")
            }
        }
        return problems
    }
}

@Suite struct DockerfileRobustnessTests {
    private func checkAll(_ text: String) -> [Finding] {
        let dockerfile = DockerfileParser.parse(text, file: "Dockerfile", buildArgs: ["TAG": "1"])
        let context = BuildContextFiles(paths: ["requirements.txt", "src/a.py"], dockerignore: "*.md\n!README.md\n**/tmp")
        return DockerfileRules.check(dockerfile, context: context)
    }

    @Test func aTenMegabyteLineIsParsed() {
        let word = String(repeating: "x", count: 10 << 20)
        let text = "FROM alpine:3.20\nRUN echo \(word)\nLABEL big=x\nRUN echo after\n"
        let dockerfile = DockerfileParser.parse(text, file: "Dockerfile")
        #expect(dockerfile.instructions.count == 4)
        #expect(dockerfile.instructions[3].shell?.commands.first?.words.last?.span.line == 4)
        #expect(DockerfileSpanValidation.problems(in: DockerfileRules.check(dockerfile, context: nil), of: text).isEmpty)
    }

    @Test func aLineOfTooManyWordsIsBoundedAndReported() {
        let text = "FROM alpine:3.20\nRUN " + String(repeating: "a && ", count: ShellLexer.maximumTokens / 2 + 10) + "b\nEXPOSE "
            + String(repeating: "1 ", count: DockerfileParserState.maximumWords + 10) + "\n"
        let dockerfile = DockerfileParser.parse(text, file: "Dockerfile")
        #expect(dockerfile.instructions[1].shell?.truncated == true)
        #expect(dockerfile.findings.filter { $0.rule == "dockerfile-syntax" }.map(\.span.line) == [2, 3])
    }

    @Test func nulsAndInvalidUTF8() {
        var bytes = Array("FROM alpine\0:3.20\nRUN \0 echo \u{00E9}\n".utf8)
        bytes.append(contentsOf: [0xFF, 0xFE, 0xC3, 0x0A, 0x52, 0x55, 0x4E, 0x20, 0xE2, 0x82])
        let text = String(decoding: bytes, as: UTF8.self)
        let findings = checkAll(text)
        #expect(DockerfileSpanValidation.problems(in: findings, of: text).isEmpty)
    }

    @Test func deepNestingIsBounded() {
        let braces = "FROM ${" + String(repeating: "A:-${", count: 100_000) + String(repeating: "}", count: 100_001) + "\n"
        let dollars = "FROM alpine:3.20\nRUN echo \"" + String(repeating: "$(\"", count: 50_000) + "\n"
        let empty = "FROM " + String(repeating: "${", count: 100_000) + "\n"
        for text in [braces, dollars, empty] {
            #expect(DockerfileSpanValidation.problems(in: checkAll(text), of: text).isEmpty)
        }
    }

    @Test func manyContinuationsHeredocsAndStages() {
        let continued = "FROM alpine:3.20\nRUN echo \\\n" + String(repeating: "  a \\\n# c\n\n", count: 50_000) + "  end\n"
        let heredocs = "FROM alpine:3.20\nRUN " + String(repeating: "<<A ", count: 5_000) + "\nA\n"
        var stages = "FROM alpine:3.20 AS s0\n"
        for index in 1..<5_000 { stages += "FROM s\(index - 1) AS s\(index)\nRUN a | b\nCOPY x y\n" }
        for text in [continued, heredocs, stages] {
            #expect(DockerfileSpanValidation.problems(in: checkAll(text), of: text).isEmpty)
        }
        let parsed = DockerfileParser.parse(heredocs, file: "Dockerfile")
        #expect(parsed.instructions[1].heredocs.count == DockerfileParserState.maximumHeredocs)
    }

    /// Fixture lines, mutated thousands of times: byte flips, deletions, duplications, splices,
    /// continuation / quote / heredoc / substitution characters, invalid bytes.
    @Test func fuzzedDockerfilesNeverEscapeTheirInput() throws {
        var corpus: [[UInt8]] = []
        for name in ["fsdp.Dockerfile", "base-hpto.Dockerfile", "cpu-slim.Dockerfile", "broken.Dockerfile"] {
            corpus.append(Array(try DockerfileRuleTesting.fixture(name).utf8))
        }
        corpus += (DockerfileRuleCases.firing + DockerfileRuleCases.silent).map { Array($0.dockerfile.utf8) }
        corpus += DockerfileFixTests.cases.map { Array($0.before.utf8) }
        let lines = corpus.flatMap { $0.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Array($0) + [10] } }
        let tokens: [[UInt8]] = ["\\\n", "`\n", "<<EOF\n", "<<-'X' ", "EOF\n", "X\n", "\"", "'", "${", "$(", "}", ")", "\n", "# escape=`\n",
                                 "\0", "\u{FEFF}", "\r\n", "[", "]", "--mount=type=cache,target=/x ", "&&", "|", "ONBUILD ", "FROM ", " AS ",
                                 "\t", "=", "--from=0 ", "apt-get install ", "ARG X=${X:-", "\u{00E9}", "#"].map { Array($0.utf8) }
        var random = SeededGenerator(seed: 0x5EED_D0C5)
        var problems: [String] = []
        let iterations = 3_000
        for _ in 0..<iterations {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0 where !bytes.isEmpty:
                    bytes[min(position, bytes.count - 1)] = UInt8.random(in: 0...255, using: &random)
                case 1 where !bytes.isEmpty:
                    let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                    bytes.removeSubrange(min(position, end)..<end)
                case 2 where !bytes.isEmpty:
                    let start = min(position, bytes.count - 1)
                    let end = min(bytes.count, start + Int.random(in: 1...80, using: &random))
                    bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &random))
                case 3:
                    bytes.insert(contentsOf: lines[Int.random(in: 0..<lines.count, using: &random)], at: position)
                case 4:
                    bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: position)
                default:
                    bytes.insert(contentsOf: (0..<Int.random(in: 1...6, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) },
                                 at: position)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let findings = checkAll(text)
            problems += DockerfileSpanValidation.problems(in: findings, of: text)
            if let fix = findings.first(where: { $0.fix != nil })?.fix {
                let fixed = String(decoding: TextEdit.apply(fix.edits, to: Array(text.utf8)), as: UTF8.self)
                problems += DockerfileSpanValidation.problems(in: checkAll(fixed), of: fixed)
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
