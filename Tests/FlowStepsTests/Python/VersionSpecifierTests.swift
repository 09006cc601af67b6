import Testing
@testable import FlowSteps

@Suite struct VersionSpecifierTests {
    /// (specifiers, version, accepted without pre-releases allowed, accepted with them).
    static let containment: [(String, String, Bool, Bool)] = [
        // PEP 440, compatible release.
        ("~=2.2", "2.3", true, true), ("~=2.2", "3.0", false, false), ("~=2.2", "2.2", true, true),
        ("~=1.4.5", "1.4.5", true, true), ("~=1.4.5", "1.4.9", true, true), ("~=1.4.5", "1.5.0", false, false),
        ("~=2.2.post3", "2.3", true, true), ("~=2.2.post3", "2.2", false, false),
        ("~=1.4.5a4", "1.4.5a4", true, true), ("~=1.4.5a4", "1.4.5", true, true), ("~=1.4.5.0", "1.4.6", false, false),
        ("~=2.4.0", "2.4.3", true, true), ("~=2.4.0", "2.5.0", false, false),
        // PEP 440, version matching, zero padding, prefix matching.
        ("==1.1", "1.1.post1", false, false), ("==1.1.post1", "1.1.post1", true, true), ("==1.1.*", "1.1.post1", true, true),
        ("==1.1", "1.1.0", true, true), ("==1.1.0", "1.1", true, true), ("==1.1a1", "1.1", false, false),
        ("==1.1.dev1", "1.1.dev1", true, true), ("!=1.1", "1.1.post1", true, true), ("!=1.1.*", "1.1.post1", false, false),
        ("==1.1.*", "1.1a1", false, true), ("==2.4.*", "2.4", true, true), ("==2.4.*", "2.4.99", true, true),
        ("==2.4.*", "2.5", false, false), ("==2.4.*", "2.40", false, false), ("==2.*", "2.0", true, true),
        ("==2.4.0.*", "2.4", true, true), ("==1!2.4", "2.4", false, false),
        // Local versions.
        ("==2.4.1", "2.4.1+cu121", true, true), ("==2.4.1+cu121", "2.4.1+cu121", true, true),
        ("==2.4.1+cu121", "2.4.1", false, false), ("==2.4.1+cu121", "2.4.1+cu118", false, false),
        ("==2.4.1+CU-121", "2.4.1+cu.121", true, true), ("!=2.4.1", "2.4.1+cu121", false, false),
        ("!=2.4.1+cu121", "2.4.1+cu118", true, true), (">=2.4.1", "2.4.1+cu121", true, true),
        ("<=2.4.1", "2.4.1+cu121", true, true), (">2.4.1", "2.4.1+cu121", false, false), ("<2.4.1", "2.4.1+cu121", false, false),
        ("==2.4.*", "2.4.1+cu121", true, true),
        // Exclusive comparisons and their pre/post-release exclusions.
        (">1.7", "1.7.1", true, true), (">1.7", "1.7.0.post1", false, false), (">1.7", "1.7+local", false, false),
        (">1.7.post2", "1.7.1", true, true), (">1.7.post2", "1.7.0.post3", true, true), (">1.7.post2", "1.7.post2+x", false, false),
        ("<3.1", "3.1.dev0", false, false), ("<3.1", "3.1a1", false, false), ("<3.1", "3.0", true, true),
        ("<3.1", "3.0.dev1", false, true), ("<3.1rc1", "3.1a1", true, true), ("<2.5.post2", "2.5.post1", true, true),
        ("<2.5.post2", "2.5a1", false, false), (">2.4a1", "2.4a1.post1", false, false), (">2.4a1", "2.4a2", true, true),
        ("<=2.4", "2.4.post1", false, false),
        // Pre-release policy.
        (">=2.5.0rc1", "2.5.0rc2", true, true), (">=2.4", "2.5.0rc1", false, true), ("!=2.5rc1", "2.5rc2", false, true),
        ("", "2.0a1", false, true), ("", "2.0", true, true),
        // Epochs and arbitrary equality.
        (">=1.0", "1!0.1", true, true), ("<2", "1!1.0", false, false), ("===1.0", "1.0", true, true),
        ("===1.0", "1.0.0", false, false), ("===foobar", "1.0", false, false),
        // Several clauses.
        (">=2.0,!=2.1.*,<2.2", "2.0.5", true, true), (">=2.0,!=2.1.*,<2.2", "2.1.5", false, false),
        (">=2.4,<2.5", "2.4.1+cu121", true, true), (">=2.4,<2.5", "2.5.0", false, false),
    ]

    @Test func containmentFollowsPEP440() {
        for (spec, candidate, plain, withPrereleases) in Self.containment {
            let set = PythonTestSupport.specifiers(spec)
            let version = PythonTestSupport.version(candidate)
            #expect(set.contains(version) == plain, "\(spec) contains \(candidate)")
            #expect(set.contains(version, prereleases: true) == withPrereleases, "\(spec) contains \(candidate) (pre-releases allowed)")
        }
        #expect(Self.containment.count >= 40)
    }

    @Test func theIntervalsAgreeWithTheClauseTestOnTheTable() {
        // `===` compares spellings (`===1.0` rejects `1.0.0`); its interval is the point 1.0.
        for (spec, candidate, _, withPrereleases) in Self.containment where !spec.hasPrefix("===") {
            let set = PythonTestSupport.specifiers(spec)
            #expect(set.range.contains(PythonTestSupport.version(candidate)) == withPrereleases, "\(spec) range holds \(candidate)")
        }
    }

    @Test(arguments: [
        (">=2.4", "`>=`"), ("~=2", "two release numbers"), (">=2.4.*", "only with `==` and `!=`"), ("==2.4a1.*", "release numbers"),
        (">=2.4+cu121", "local version"), ("2.4", "comparison operator"), (">=", "needs a version"), (">=2.4,", "expected a version clause"),
        ("==2.4 2.5", "comma"), (">=two", "not a PEP 440 version"), ("=>2.4", "comparison operator"),
    ])
    func malformedClausesSayWhatIsWrong(text: String, expected: String) {
        switch SpecifierSet.parse(text) {
        case .success(let set):
            #expect(text == ">=2.4" && set.description == ">=2.4")
        case .failure(let error):
            #expect(error.message.contains(expected), "\(text): \(error.message)")
            #expect(error.offset >= 0 && error.offset + error.length <= text.utf8.count)
        }
    }

    @Test func descriptionsAreNormalized() {
        #expect(PythonTestSupport.specifiers(" >= 2.4.0RC1 , < 2.5 ,== 2.4.* ").description == ">=2.4.0rc1,<2.5,==2.4.*")
        #expect(PythonTestSupport.specifiers("===Weird-1").description == "===Weird-1")
        #expect(PythonTestSupport.specifiers("==2.4.1+CU121").pinnedVersion?.description == "2.4.1+cu121")
        #expect(PythonTestSupport.specifiers("==2.4.*").pinnedVersion == nil)
        #expect(PythonTestSupport.specifiers(">=2.4").pinnedVersion == nil)
    }
}
