import Testing
@testable import FlowSteps
import FlowTestSupport

/// Mutated requirements files, specifier strings, markers and `pip install` lines: parsing and
/// checking them must not crash or hang, and every span must lie inside its input.
@Suite struct PythonFuzzTests {
    static let extraLines = [
        "torch \\", "==2.4.1", "pkg @ https://x.org/pkg-1.0.whl ; os_name == \"posix\"", "-r other.txt", "-c constraints.txt",
        "--index-url=${INDEX}/cu121", "x[a,b] (>=1.0,<2.0) ; (python_version < '3.12' or extra == 'gpu') and sys_platform != 'win32'",
        "-e git+https://github.com/o/r.git@v1#egg=r", "  # comment \\", "torch==${TORCH}+cu121", "--hash=sha256:abc", "===weird",
        "numpy!=1.*,~=2.0", "foo ; python_version", "./dist/pkg-1.0.tar.gz", "ça==1.0 # ünïcode", "\t-i\thttps://mirror",
    ]
    static let specifiers = [">=2.4,<2.5", "==2.4.*", "~=2.4.0", "!=2.4.1+cu121", "===1.0", "<=1!2.0rc1.post3.dev4", ">2.5.post1", "==1.0+a.b.1"]
    static let commands = [
        "pip install --no-cache-dir \"torch==2.4.1\" 'numpy<2' -r requirements.txt",
        "python3 -m pip install --index-url=https://download.pytorch.org/whl/cu121 torch torchvision==0.19.1",
        "PIP_NO_CACHE_DIR=1 /opt/venv/bin/pip3.11 install -e ./pkg[dev] --target /t",
        "uv pip install --system https://x.org/torch-2.4.1%2Bcu121-cp311-cp311-linux_x86_64.whl",
    ]
    static let noise: [UInt8] = Array("\\\"'#${}\n\r\t ;[](),@-=<>!~*+.:/&".utf8)

    static func mutate(_ input: [UInt8], lines: [String], random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8.random(in: 1...255, using: &random)
            case 1 where !bytes.isEmpty: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 3: bytes.insert(contentsOf: Array(((lines.randomElement(using: &random) ?? "") + "\n").utf8), at: position)
            default: bytes.insert(noise.randomElement(using: &random) ?? 0x20, at: position)
            }
        }
        return Array(bytes.prefix(8192))
    }

    /// A file's bytes and where its lines start, to check spans quickly.
    struct Text {
        var bytes: [UInt8]
        var lineStarts: [Int]

        init(_ text: String) {
            let bytes = Array(text.utf8)
            self.bytes = bytes
            var starts = [0]
            for (index, byte) in bytes.enumerated() where byte == 0x0A { starts.append(index + 1) }
            lineStarts = starts
        }
    }

    /// The span is inside its file's text and its line and column agree with its offset.
    static func check(_ span: SourceSpan, in texts: [String: Text], _ context: @autoclosure () -> String) {
        guard let text = texts[span.file] else {
            Issue.record("span in unknown file \(span.file): \(context())")
            return
        }
        guard span.offset >= 0, span.length >= 0, span.offset + span.length <= text.bytes.count, span.line >= 1, span.column >= 1 else {
            Issue.record("span \(span) outside \(text.bytes.count) bytes: \(context())")
            return
        }
        let line = (text.lineStarts.lastIndex { $0 <= span.offset } ?? 0)
        let column = 1 + text.bytes[text.lineStarts[line]..<span.offset].filter { $0 & 0xC0 != 0x80 }.count
        if line + 1 != span.line || column != span.column {
            Issue.record("span \(span) should be at \(line + 1):\(column): \(context())")
        }
    }

    @Test func mutatedRequirementsFilesParseWithSpansInside() throws {
        let fixture = try PythonTestSupport.fixture("requirements-torch.txt")
        let lines = fixture.split(separator: "\n").map(String.init) + Self.extraLines
        var random = SeededGenerator(seed: 0x5EED)
        let seed = Array(fixture.utf8)
        for round in 0..<1200 {
            let main = String(decoding: Self.mutate(seed, lines: lines, random: &random), as: UTF8.self)
            let other = String(decoding: Self.mutate(Array("-r requirements.txt\ntorch==2.5.1\n".utf8), lines: lines, random: &random), as: UTF8.self)
            let files = ["requirements.txt": main, "other.txt": other, "constraints.txt": "numpy==1.26.4\n-r other.txt\n"]
            let bytes = files.mapValues(Text.init)
            let set = RequirementsSet.load(roots: ["requirements.txt"], read: { files[$0] }, environment: ["INDEX": "https://x", "TORCH": "2.4.1"])
            var findings = PythonRules.check(set)
            findings += PythonRules.pinConflicts(PinSite.sites(from: set), environment: MarkerExpressionTests.linux311)
            for finding in findings { Self.check(finding.span, in: bytes, "round \(round) \(finding.message)") }
            for item in set.items {
                Self.check(item.entry.span, in: bytes, "round \(round) entry")
                Self.check(item.entry.lineSpan, in: bytes, "round \(round) line")
                if let requirement = item.entry.requirement {
                    for span in [requirement.span, requirement.nameSpan] + [requirement.specifierSpan, requirement.extrasSpan].compactMap({ $0 }) {
                        Self.check(span, in: bytes, "round \(round) requirement \(requirement.text)")
                    }
                }
            }
        }
    }

    @Test func mutatedSpecifiersAndMarkersNeverCrash() {
        var random = SeededGenerator(seed: 440_508)
        let versions = (0..<20).map { _ in SpecifierIntersectionTests.randomVersion(&random) }
        let known = Self.specifiers.map(PythonTestSupport.specifiers)
        for _ in 0..<3000 {
            let text = String(decoding: Self.mutate(Array((Self.specifiers.randomElement(using: &random) ?? "").utf8), lines: Self.specifiers, random: &random), as: UTF8.self)
            switch SpecifierSet.parse(text) {
            case .success(let set):
                for other in known { _ = set.intersects(other); _ = set.clash(with: other) }
                _ = set.selfClash
                for version in versions { _ = set.contains(version) }
            case .failure(let error):
                #expect(error.offset >= 0 && error.offset + error.length <= text.utf8.count, "\(text): \(error)")
            }
            let markerText = String(decoding: Self.mutate(Array("python_version >= '3.9' and (os_name == \"nt\" or extra in 'a b')".utf8), lines: [], random: &random), as: UTF8.self)
            switch MarkerExpression.parse(markerText) {
            case .success(let marker): _ = marker.evaluate(environment: MarkerExpressionTests.linux311)
            case .failure(let error): #expect(error.offset >= 0 && error.offset + error.length <= markerText.utf8.count)
            }
            _ = PythonVersion.parse(text)
        }
    }

    @Test func mutatedPipCommandsParseWithSpansInside() {
        var random = SeededGenerator(seed: 3013)
        for round in 0..<2000 {
            let command = String(decoding: Self.mutate(Array((Self.commands.randomElement(using: &random) ?? "").utf8), lines: Self.commands, random: &random), as: UTF8.self)
            let text = "FROM python:3.11\nRUN " + command + "\n"
            let bytes = ["Dockerfile": Text(text)]
            guard let parsed = PipInstallCommand.parse(PythonTestSupport.words(command, in: text)) else { continue }
            var findings = PythonRules.check(parsed, cache: PipCacheContext(cacheMountTargets: ["/root/.cache"]))
            findings += PythonRules.pinConflicts(PinSite.sites(from: parsed))
            for finding in findings { Self.check(finding.span, in: bytes, "round \(round) \(finding.message)") }
            Self.check(parsed.commandSpan, in: bytes, "round \(round) command")
            for package in parsed.packageInstalls(pipInstall: 0) {
                Self.check(package.span, in: bytes, "round \(round) package")
                if let specifierSpan = package.specifierSpan { Self.check(specifierSpan, in: bytes, "round \(round) specifier") }
            }
        }
    }

    @Test func hostileInputsStayBounded() {
        let longLine = RequirementsFile.parse(String(repeating: "a", count: 1 << 20) + "==1\n", file: "r.txt")
        #expect(longLine.findings.count == 1)
        let manyWords = RequirementsFile.parse("x==1 " + String(repeating: "--hash=sha256:0 ", count: 5000) + "\n", file: "r.txt")
        #expect(manyWords.findings.map(\.message).first?.contains("more than") == true)
        let huge = RequirementsFile.parse(String(repeating: "x==1\n", count: (RequirementsFile.maximumBytes / 5) + 1), file: "r.txt")
        #expect(huge.entries.isEmpty && huge.findings.count == 1)
        let expansion = RequirementsFile.parse(String(repeating: "${BIG}", count: 64) + "==1\n", file: "r.txt",
                                               environment: ["BIG": String(repeating: "b", count: 10_000)])
        #expect(expansion.findings.count + expansion.entries.count == 1)
        let nested = String(repeating: "(", count: 20_000) + "os_name == 'nt'" + String(repeating: ")", count: 20_000)
        #expect((try? MarkerExpression.parse(nested).get()) == nil)
        let clauses = Array(repeating: "!=1.0", count: 1000).joined(separator: ",")
        #expect((try? SpecifierSet.parse(clauses).get()) == nil)
        let words = (0..<5000).map { PipWord(text: $0 == 0 ? "pip" : $0 == 1 ? "install" : "p\($0)", span: SourceSpan(file: "D", line: 1, column: 1, offset: 0, length: 0)) }
        #expect(PipInstallCommand.parse(words) == nil)
        #expect(PipInstallCommand.parse(Array(words.prefix(3000)))?.packages.count == 2998)
    }
}
