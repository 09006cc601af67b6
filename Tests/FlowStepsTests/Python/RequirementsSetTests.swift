import Testing
@testable import FlowSteps

@Suite struct RequirementsSetTests {
    static func load(_ files: [String: String], roots: [String] = ["requirements.txt"]) -> RequirementsSet {
        RequirementsSet.load(roots: roots, read: { files[$0] })
    }

    @Test func includesResolveRelativeToTheIncludingFileAndKeepPipsOrder() {
        let set = Self.load([
            "docker/requirements.txt": "a==1\n-r dev/extra.txt\nb==2\n",
            "docker/dev/extra.txt": "c==3\n-c ../../constraints.txt\n",
            "constraints.txt": "a==1\n-r docker/late.txt\n",
            "docker/late.txt": "d==4\n",
        ], roots: ["./docker/requirements.txt"])
        #expect(set.findings.isEmpty, "\(set.findings)")
        #expect(set.files.map(\.path) == ["docker/requirements.txt", "docker/dev/extra.txt", "constraints.txt", "docker/late.txt"])
        #expect(set.files.map(\.isConstraints) == [false, false, true, false])
        #expect(set.items.map { $0.entry.requirement?.name ?? "" } == ["a", "c", "a", "d", "b"])
        #expect(set.constraints.map(\.path) == ["constraints.txt"])
        #expect(set.requirements.count == 4)
        #expect(set.files[1].includedFrom?.path == "dev/extra.txt")
    }

    @Test func aCycleIsReportedAtTheLineThatClosesIt() throws {
        let set = Self.load([
            "requirements.txt": "x==1\n-r sub/b.txt\n",
            "sub/b.txt": "y==1\n-r ../requirements.txt\n",
        ])
        let finding = try #require(set.findings.first)
        #expect(set.findings.count == 1)
        #expect(finding.rule == "requirements-include" && finding.severity == .error)
        #expect(finding.span.file == "sub/b.txt")
        #expect(finding.span.line == 2 && finding.span.column == 1)
        #expect(finding.message.contains("requirements.txt → sub/b.txt → requirements.txt"))
        #expect(set.items.count == 2)
    }

    @Test func aMissingFileIsReportedAtItsInclude() throws {
        let set = Self.load(["requirements.txt": "x==1\n\n  -c missing.txt\n"])
        let finding = try #require(set.findings.first)
        #expect(finding.rule == "requirements-include")
        #expect(finding.span.file == "requirements.txt" && finding.span.line == 3 && finding.span.column == 3)
        #expect(finding.message.contains("missing.txt"))
        let root = Self.load([:], roots: ["nothing.txt"])
        #expect(root.findings.first?.span == SourceSpan(file: "nothing.txt", line: 1, column: 1, offset: 0, length: 0))
    }

    @Test func depthAndCountAreBounded() {
        var chain: [String: String] = [:]
        for index in 0..<40 { chain["f\(index).txt"] = "p\(index)==1\n-r f\(index + 1).txt\n" }
        let deep = RequirementsSet.load(roots: ["f0.txt"], read: { chain[$0] }, maximumDepth: 8, maximumFiles: 100)
        #expect(deep.files.count == 8)
        #expect(deep.findings.map(\.rule) == ["requirements-include"])
        let wide = RequirementsSet.load(roots: ["f0.txt"], read: { chain[$0] }, maximumDepth: 100, maximumFiles: 5)
        #expect(wide.files.count == 5)
        #expect(wide.findings.count == 1)
    }

    @Test func aFileIncludedTwiceIsReadOnce() {
        let set = Self.load(["requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-r common.txt\n", "b.txt": "-r ./common.txt\n", "common.txt": "z==1\n"])
        #expect(set.findings.isEmpty)
        #expect(set.items.count == 1)
    }

    @Test(arguments: [("a/../b", "b"), ("./x", "x"), ("../x", "../x"), ("/a/../../b", "/b"), ("a/./b//c", "a/b/c"), ("a/..", "."), ("../../a/../b", "../../b")])
    func pathsNormalize(path: String, normalized: String) {
        #expect(RequirementsSet.normalize(path) == normalized)
    }

    @Test func theFixtureAndItsConstraintsLoadTogether() throws {
        let requirements = try PythonTestSupport.fixture("requirements-torch.txt")
        let constraints = try PythonTestSupport.fixture("constraints.txt")
        let set = RequirementsSet.load(roots: ["ctx/requirements-torch.txt"], read: {
            ["ctx/requirements-torch.txt": requirements, "ctx/constraints.txt": constraints][$0]
        })
        #expect(set.findings.isEmpty)
        #expect(set.constraints.compactMap(\.entry.normalizedName) == ["numpy", "datasets"])
        #expect(set.requirements.count == 10)
    }
}
