import Testing
import FlowCore

@Suite struct YAMLComposerTests {
    func compose(_ text: String) -> (YAMLNode?, [Diagnostic]) {
        let r = YAMLComposer.compose(Array(text.utf8), file: "t.yml")
        return (r.root, r.diagnostics)
    }

    @Test func everyNodeKeepsItsLineAndColumn() throws {
        let (root, diagnostics) = compose("name: x\nsteps:\n  build:\n    run: make\n")
        #expect(diagnostics.isEmpty)
        let run = try #require(root?["steps"]?["build"]?["run"])
        #expect(run.location == SourceLocation(file: "t.yml", line: 4, column: 10))
        #expect(run.scalar?.value == "make")
    }

    @Test func plainScalarsFollowTheCoreSchema() {
        let cases: [(String, YAMLScalarValue)] = [
            ("true", .bool(true)), ("False", .bool(false)), ("yes", .string("yes")), ("on", .string("on")),
            ("~", .null), ("null", .null), ("", .null), ("42", .int(42)), ("-7", .int(-7)), ("0x1F", .int(31)),
            ("0o17", .int(15)), ("3.10", .float(3.1)), ("1e3", .float(1000)), ("2.4.1", .string("2.4.1")),
            ("12.4", .float(12.4)), (".5", .float(0.5)), ("1_000", .string("1_000")),
        ]
        for (text, expected) in cases {
            #expect(YAMLScalar(text).resolved == expected, "\(text)")
        }
        #expect(YAMLScalar("42", style: .doubleQuoted).resolved == .string("42"))
        #expect(YAMLScalar("42", tag: "str").resolved == .string("42"))
    }

    @Test func blockScalarsRecordTheirContentIndent() throws {
        let (root, _) = compose("a:\n  run: |\n      echo one\n      echo two\n")
        let run = try #require(root?["a"]?["run"]?.scalar)
        #expect(run.style == .literal)
        #expect(run.blockIndent == 6)
        let node = try #require(root?["a"]?["run"])
        let text = try #require(SourceText(node))
        #expect(text.location(of: TextPosition(line: 2, column: 6)) == SourceLocation(file: "t.yml", line: 4, column: 12))
    }

    @Test func everyDuplicateKeyIsReportedWithTheFirstDefinition() {
        let (_, diagnostics) = compose("a: 1\nb: 2\na: 3\nb: 4\n")
        #expect(diagnostics.map(\.location.line) == [3, 4])
        #expect(diagnostics.allSatisfy { $0.message.hasPrefix("duplicate key") })
        #expect(diagnostics[0].notes.first?.location?.line == 1)
    }

    @Test func mergeKeysInsertKeysNotSetExplicitly() throws {
        let (root, diagnostics) = compose("base: &b { x: 1, y: 2 }\nthing:\n  <<: *b\n  y: 3\n")
        #expect(diagnostics.isEmpty)
        let thing = try #require(root?["thing"]?.mapping)
        #expect(thing.map(\.keyText) == ["x", "y"])
        #expect(root?["thing"]?["y"]?.scalar?.value == "3")
    }

    @Test func aliasBombIsRejectedAtTheAliasThatCrossesTheBound() {
        var text = "a: &a [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ",") + "]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        let (root, diagnostics) = compose(text)
        #expect(root == nil)
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].message.contains("alias bomb"))
        // Line 7 defines `g`: its first `*f` takes the count past a million.
        #expect(diagnostics[0].location == SourceLocation(file: "t.yml", line: 7, column: 8))
    }

    @Test func smallerBoundRejectsModestExpansion() {
        let r = YAMLComposer.compose(Array("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n".utf8), file: "t.yml", limits: YAMLLimits(maxNodes: 10))
        #expect(r.root == nil)
        #expect(r.diagnostics.first?.message.contains("alias") == true)
    }

    @Test func hundredThousandDeepNestingIsRejected() {
        for open in ["[", "{a: "] {
            let text = String(repeating: open, count: 100_000)
            let (root, diagnostics) = compose(text)
            #expect(root == nil)
            #expect(diagnostics.count == 1)
            #expect(diagnostics[0].message.hasPrefix("nesting is deeper than 64 levels"))
            #expect(diagnostics[0].location.line == 1)
        }
    }

    @Test func deepBlockNestingIsRejectedToo() {
        var text = ""
        for depth in 0..<200 { text += String(repeating: " ", count: depth) + "k:\n" }
        let (root, diagnostics) = compose(text)
        #expect(root == nil)
        #expect(diagnostics.first?.message.hasPrefix("nesting is deeper") == true)
    }

    @Test func hundredMegabyteInputIsRejectedBeforeParsing() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20)
        let r = YAMLComposer.compose(bytes, file: "big.yml")
        #expect(r.root == nil)
        #expect(r.diagnostics.map(\.message) == ["file is 100 MB; pipeline files are limited to 10 MB"])
        #expect(r.diagnostics[0].location == SourceLocation(file: "big.yml", line: 1, column: 1))
    }

    @Test func invalidUTF8IsReportedAtItsLineAndColumn() {
        var bytes = Array("name: x\nsteps:\n  a: { run: \"echo ".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\" }\n".utf8)
        let r = YAMLComposer.compose(bytes, file: "t.yml")
        #expect(r.root == nil)
        #expect(r.diagnostics.map(\.message) == ["file is not valid UTF-8 (byte 0xFF); save it as UTF-8"])
        #expect(r.diagnostics[0].location == SourceLocation(file: "t.yml", line: 3, column: 19))
    }

    @Test func truncatedMultibyteSequenceIsInvalid() {
        let bytes = Array("a: é".utf8).dropLast()
        let r = YAMLComposer.compose(Array(bytes), file: "t.yml")
        #expect(r.diagnostics.first?.message.hasPrefix("file is not valid UTF-8") == true)
        #expect(r.diagnostics.first?.location.column == 4)
    }

    @Test func controlCharactersAreAReaderErrorWithALocation() {
        let r = YAMLComposer.compose(Array("a: b\nc: \u{07}\n".utf8), file: "t.yml")
        #expect(r.root == nil)
        #expect(r.diagnostics.first?.message.hasPrefix("cannot read YAML") == true)
        #expect(r.diagnostics.first?.location.line == 2)
    }

    @Test func secondDocumentIsAnError() {
        let (root, diagnostics) = compose("a: 1\n---\nb: 2\n")
        #expect(root == nil)
        #expect(diagnostics.first?.location.line == 2)
    }
}
