import Testing
@testable import FlowSteps
import FlowTestSupport

@Suite struct SpecifierIntersectionTests {
    /// (left, right, whether some version satisfies both).
    static let table: [(String, String, Bool)] = [
        (">=2.4,<2.5", "==2.5.0", false), ("~=2.4.0", ">=2.4.3", true), ("==2.4.*", "!=2.4.*", false),
        ("==2.4.1", "==2.4.1+cu121", true), ("==2.4.1+cu118", "==2.4.1+cu121", false), ("==2.4.1+cu121", "<=2.4.1", true),
        ("==2.4.1+cu121", ">2.4.1", false), ("==2.4.1+cu121", "!=2.4.1", false), ("==2.4.1+cu121", ">=2.4,<2.5", true),
        (">=2.5", "<2.5", false), (">2.5", "<=2.5.post3", false), (">2.5", "<2.5.0.1", true), ("<2.5", ">=2.5.dev0", false),
        ("<2.5rc1", ">=2.5a1", true), ("==2.4", "==2.4.0", true), ("~=2.4", ">=3", false), ("~=2.4", "==2.9.1", true),
        ("!=2.4.1", "==2.4.*", true), ("==2.4.*", ">=2.5.dev0", false), ("==2.4.*", "<2.4.dev0", false), ("==2.4.*", "<2.4.0a1", true),
        ("===foo", "===FOO", true), ("===foo", ">=1", false), ("===1.0", ">=1.0", true), (">=1!0", "<2", false),
        ("", "==1", true), ("", "", true), (">1.0", "<1.0.post0.dev0", false), ("!=1.0", "==1.0+local", false),
        (">=2.0,!=2.1.*,<2.2", "==2.1.5", false), (">=2.0,!=2.1.*,<2.2", "==2.0.9", true), ("==2.4.1", "==2.4.1.post1", false),
        (">2.4.1", "==2.4.1.post1", false), (">=2.4.1", "==2.4.1.post1", true), ("<=2.4.1", "==2.4.1+cu121", true),
        ("==1.*", "==1.0.*", true), ("==1.0.*", "==1.1.*", false), ("~=1.4.5a4", "<1.4.5", false), ("~=1.4.5a4", "<1.4.5a9", true), ("~=1.4.5", "<1.4.5", false),
        ("<0.dev0", ">=0", false), ("<1.0a1", ">=1.0.dev0", true), (">=1,<2", "!=1.*", false),
    ]

    @Test func intersectionsFollowTheVersionOrder() {
        for (left, right, expected) in Self.table {
            let a = PythonTestSupport.specifiers(left)
            let b = PythonTestSupport.specifiers(right)
            #expect(a.intersects(b) == expected, "\(left) ∩ \(right)")
            #expect(b.intersects(a) == expected, "\(right) ∩ \(left)")
            #expect((a.clash(with: b) == nil) == expected)
        }
        #expect(Self.table.count >= 40)
    }

    @Test func aClashNamesTheTwoClausesThatExcludeEachOther() {
        let clash = PythonTestSupport.specifiers(">=2.4,<2.5").clash(with: PythonTestSupport.specifiers("==2.5.0"))
        #expect(clash == SpecifierClash(left: "<2.5", right: "==2.5.0"))
        let wildcard = PythonTestSupport.specifiers(">=2.0,!=2.1.*,<2.2").clash(with: PythonTestSupport.specifiers("==2.1.5"))
        #expect(wildcard == SpecifierClash(left: "!=2.1.*", right: "==2.1.5"))
        let whole = PythonTestSupport.specifiers(">=1,<2").clash(with: PythonTestSupport.specifiers("!=1.*"))
        #expect(whole == SpecifierClash(left: ">=1,<2", right: "!=1.*"))
        #expect(PythonTestSupport.specifiers(">=2,<1").selfClash == SpecifierClash(left: ">=2", right: "<1"))
        #expect(PythonTestSupport.specifiers(">=1").selfClash == nil)
    }

    /// Every clause's intervals hold exactly the versions its test accepts, over random versions
    /// and clauses built from a small alphabet so that they often meet.
    @Test func intervalsAndClauseTestsAgreeOnRandomVersions() {
        var random = SeededGenerator(seed: 440)
        let versions = (0..<250).map { _ in Self.randomVersion(&random) }
        for _ in 0..<250 {
            // `===` compares spellings, which a version value does not keep; its interval is the point.
            guard let clause = Self.randomClause(&random), clause.op != .arbitrary else { continue }
            let range = clause.range
            for version in versions where range.contains(version) != clause.matches(version) {
                Issue.record("\(clause) and \(version): range \(range.contains(version)), test \(clause.matches(version))")
            }
        }
    }

    /// When two random sets share a version from the sample, `intersects` says so, and
    /// whenever `intersects` says no, no sampled version satisfies both.
    @Test func intersectsNeverMissesASharedVersion() {
        var random = SeededGenerator(seed: 508)
        let versions = (0..<300).map { _ in Self.randomVersion(&random) }
        for _ in 0..<300 {
            let a = SpecifierSet((0..<Int.random(in: 1...2, using: &random)).compactMap { _ in Self.randomClause(&random) })
            let b = SpecifierSet((0..<Int.random(in: 1...2, using: &random)).compactMap { _ in Self.randomClause(&random) })
            let shared = versions.first { v in a.specifiers.allSatisfy { $0.matches(v) } && b.specifiers.allSatisfy { $0.matches(v) } }
            if let shared { #expect(a.intersects(b), "\(a) ∩ \(b) holds \(shared)") }
        }
    }

    static func randomVersion(_ random: inout SeededGenerator) -> PythonVersion {
        let release = (0..<Int.random(in: 1...3, using: &random)).map { _ in Int.random(in: 0...2, using: &random) }
        let pre: (kind: PythonVersion.PreReleaseKind, number: Int)? = Bool.random(using: &random) ? nil
            : (PythonVersion.PreReleaseKind.allCases.randomElement(using: &random) ?? .alpha, Int.random(in: 0...1, using: &random))
        let post = Int.random(in: 0...3, using: &random) == 0 ? Int.random(in: 0...1, using: &random) : nil
        let dev = Int.random(in: 0...3, using: &random) == 0 ? Int.random(in: 0...1, using: &random) : nil
        let locals: [[PythonVersion.LocalSegment]] = [[], [], [.text("cu121")], [.text("cu118")], [.number(1)]]
        return PythonVersion(epoch: Int.random(in: 0...8, using: &random) == 0 ? 1 : 0, release: release, pre: pre, post: post, dev: dev,
                             localSegments: locals.randomElement(using: &random) ?? [])
    }

    static func randomClause(_ random: inout SeededGenerator) -> VersionSpecifier? {
        let op = VersionSpecifier.Operator.allCases.randomElement(using: &random) ?? .equal
        var version = randomVersion(&random)
        if op != .equal && op != .notEqual && op != .arbitrary { version.localSegments = [] }
        if op == .compatible && version.release.count < 2 { version.release.append(0) }
        let wildcard = (op == .equal || op == .notEqual) && Bool.random(using: &random)
        if wildcard { version = PythonVersion(epoch: version.epoch, release: version.release) }
        return try? VersionSpecifier.parse(op.rawValue + version.description + (wildcard ? ".*" : "")).get()
    }
}
