import Testing
@testable import FlowSteps

@Suite struct RequirementTests {
    static func parse(_ text: String) -> Result<Requirement, LocatedSyntaxError> {
        Requirement.parse(text, span: SourceSpan(file: "r.txt", line: 3, column: 1, offset: 100, length: text.utf8.count))
    }

    @Test func aFullRequirementKeepsEveryPartAndWhereItIs() throws {
        let text = "torch[cuda, dev] >= 2.4, <2.5 ; python_version >= \"3.9\""
        let requirement = try Self.parse(text).get()
        #expect(requirement.name == "torch")
        #expect(requirement.extras == ["cuda", "dev"])
        #expect(requirement.specifiers.description == ">=2.4,<2.5")
        #expect(requirement.marker?.description == "python_version >= \"3.9\"")
        #expect(requirement.nameSpan == SourceSpan(file: "r.txt", line: 3, column: 1, offset: 100, length: 5))
        #expect(requirement.extrasSpan?.offset == 105)
        #expect(requirement.specifierSpan?.offset == 100 + 17)
        #expect(requirement.specifierSpan?.length == ">= 2.4, <2.5".utf8.count)
        #expect(requirement.span.length == text.utf8.count)
        #expect(requirement.pinnedVersion == nil)
    }

    @Test func parenthesizedClausesSpanOnlyTheClauses() throws {
        let requirement = try Self.parse("torch (>=2.4,<2.5)").get()
        #expect(requirement.specifierSpan?.offset == 107)
        #expect(requirement.specifierSpan?.length == 10)
        #expect(requirement.specifiers.contains(PythonTestSupport.version("2.4.1")))
    }

    @Test func aPinKeepsItsLocalVersion() throws {
        let requirement = try Self.parse("torch==2.4.1+cu121").get()
        #expect(requirement.pinnedVersion?.description == "2.4.1+cu121")
        #expect(requirement.specifierSpan?.offset == 105)
    }

    @Test func aURLRequirementHasAURLAndAMarker() throws {
        let requirement = try Self.parse("pkg @ https://example.com/pkg-1.0.whl ; os_name == \"posix\"").get()
        #expect(requirement.url == "https://example.com/pkg-1.0.whl")
        #expect(requirement.marker != nil)
        #expect(requirement.specifiers.isUnconstrained)
        #expect(try Self.parse("pkg@file:///wheels/pkg-1.0.whl").get().url == "file:///wheels/pkg-1.0.whl")
    }

    @Test(arguments: [("Foo.Bar__baz", "foo-bar-baz"), ("torch", "torch"), ("Flask-SQLAlchemy", "flask-sqlalchemy"), ("a-_.b", "a-b")])
    func namesNormalizeAsPEP503Says(name: String, normalized: String) {
        #expect(Requirement.normalize(name) == normalized)
    }

    @Test(arguments: [
        ("-torch", "start and end"), ("==2.4", "expected a package name"), ("torch[cuda", "not closed"), ("torch >=", "needs a version"),
        ("torch==2.4 extra", "comma"), ("torch @ ", "needs a URL"), ("torch;", "needs a marker"),
        ("torch.", "start and end"), ("torch (>=2.4", "not closed"), ("torch ~=2", "two release numbers"),
        ("torch @ https://x/y.whl extra", "expected `;`"), ("torch; os_name = 'nt'", "marker operator"),
    ])
    func malformedRequirementsAreLocated(text: String, expected: String) {
        guard case .failure(let error) = Self.parse(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(error.message.contains(expected), "\(text): \(error.message)")
        #expect(error.span.offset >= 100 && error.span.offset + error.span.length <= 100 + text.utf8.count)
        #expect(error.finding.rule == "requirements-syntax" && error.finding.severity == .error)
    }

    @Test func aQuotedWordsPartsPointInsideTheQuotes() throws {
        let span = SourceSpan(file: "Dockerfile", line: 2, column: 17, offset: 40, length: 14)
        let requirement = try Requirement.parse("torch==2.4.1", span: span, raw: "\"torch==2.4.1\"").get()
        #expect(requirement.nameSpan == SourceSpan(file: "Dockerfile", line: 2, column: 18, offset: 41, length: 5))
        #expect(requirement.specifierSpan?.offset == 46)
        let unknown = try Requirement.parse("torch==2.4.1", span: SourceSpan(file: "D", line: 1, column: 1, offset: 0, length: 20)).get()
        #expect(unknown.nameSpan.length == 20)
    }
}
