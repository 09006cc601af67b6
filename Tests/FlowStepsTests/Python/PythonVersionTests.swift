import Testing
@testable import FlowSteps

@Suite struct PythonVersionTests {
    /// PEP 440, "Summary of permitted suffixes and relative ordering", plus local labels.
    @Test func versionsSortInPEP440Order() {
        let ordered = [
            "1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
            "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
            "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
        ].map(PythonTestSupport.version)
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a))
        }
        #expect(ordered.shuffled().sorted() == ordered)
    }

    /// PEP 440, "Normalization": each spelling and its normal form.
    @Test(arguments: [
        ("1.1RC1", "1.1rc1"), ("00", "0"), ("09000", "9000"), ("1.0+foo0100", "1.0+foo0100"),
        ("1.1.a1", "1.1a1"), ("1.1-a1", "1.1a1"), ("1.1_a1", "1.1a1"), ("1.0a.1", "1.0a1"),
        ("1.1alpha1", "1.1a1"), ("1.1beta2", "1.1b2"), ("1.1c3", "1.1rc3"), ("1.1pre4", "1.1rc4"), ("1.1preview5", "1.1rc5"),
        ("1.2a", "1.2a0"), ("1.2-post2", "1.2.post2"), ("1.2post2", "1.2.post2"), ("1.2.post.2", "1.2.post2"), ("1.2_post_2", "1.2.post2"),
        ("1.0-r4", "1.0.post4"), ("1.0rev4", "1.0.post4"), ("1.2.post", "1.2.post0"), ("1.0-1", "1.0.post1"),
        ("1.2-dev2", "1.2.dev2"), ("1.0-dev-1", "1.0.dev1"), ("1.2dev2", "1.2.dev2"), ("1.2.dev", "1.2.dev0"),
        ("1.0+ubuntu-1", "1.0+ubuntu.1"), ("1.0+Ubuntu_1", "1.0+ubuntu.1"), ("v1.0", "1.0"), ("V1.0", "1.0"), (" 1.0\n", "1.0"),
        ("0!1.0", "1.0"), ("1!2.0", "1!2.0"), ("2.4.1+cu121", "2.4.1+cu121"), ("1.0+01", "1.0+1"),
        ("1.0RC1-post2.DEV3+Local.7", "1.0rc1.post2.dev3+local.7"),
    ])
    func spellingsNormalizeAsPEP440Says(spelling: String, normal: String) {
        #expect(PythonVersion.parse(spelling)?.description == normal)
    }

    @Test(arguments: ["", "1.0-", "1.0+", "1.0+a..b", "1.0.", "a1.0", "1.0 2", "1.0a1a2", "1.0++a", "1,0", "1.0.*",
                      "1!", "1.0-dev-", "١.٠", String(repeating: "9", count: 40)])
    func invalidTextDoesNotParse(text: String) {
        #expect(PythonVersion.parse(text) == nil)
    }

    @Test func equalVersionsIgnoreTrailingZerosAndSpelling() {
        #expect(PythonTestSupport.version("1.0") == PythonTestSupport.version("1.0.0.0"))
        #expect(PythonTestSupport.version("1.0alpha1") == PythonTestSupport.version("1.0a1"))
        #expect(Set([PythonTestSupport.version("2.4"), PythonTestSupport.version("2.4.0")]).count == 1)
        #expect(PythonTestSupport.version("1!0.1") > PythonTestSupport.version("2024.1"))
    }

    @Test func publicVersionAndLocalSplitALocalVersion() {
        let version = PythonTestSupport.version("2.4.1+cu121")
        #expect(version.local == "cu121")
        #expect(version.publicVersion.description == "2.4.1")
        #expect(version.publicVersion.local == nil)
        #expect(version.baseVersion.description == "2.4.1")
        #expect(PythonTestSupport.version("2.4.1rc1.post2").baseVersion.description == "2.4.1")
    }

    @Test func localSegmentsCompareNumbersAboveText() {
        #expect(PythonTestSupport.version("1.0+abc") < PythonTestSupport.version("1.0+1"))
        #expect(PythonTestSupport.version("1.0+1") < PythonTestSupport.version("1.0+1.a"))
        #expect(PythonTestSupport.version("1.0+9") < PythonTestSupport.version("1.0+10"))
        #expect(PythonTestSupport.version("1.0+cu118") < PythonTestSupport.version("1.0+cu121"))
    }

    @Test func preAndDevFlagsFollowTheSegments() {
        #expect(PythonTestSupport.version("1.0a1").isPrerelease)
        #expect(PythonTestSupport.version("1.0.dev1").isPrerelease)
        #expect(PythonTestSupport.version("1.0.post1.dev1").isPrerelease)
        #expect(!PythonTestSupport.version("1.0.post1").isPrerelease)
        #expect(PythonTestSupport.version("1.0.post1").isPostRelease)
    }
}
