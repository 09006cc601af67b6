import Foundation
import Testing
import FlowCore
import FlowSteps
import FlowTestSupport

/// Tag strategies as pure functions of the run's facts (a fixed instant, commit, git tag, branch).
@Suite struct PushTagStrategyTests {
    /// 2026-12-07 00:41:20 UTC.
    static let instant = Date(timeIntervalSince1970: 1_796_604_080)
    static func facts(tag: String? = nil, branch: String? = "main", version: String? = nil) -> TagFacts {
        TagFacts(now: instant, runID: "20261207-0041-7f3a", gitSHA: "ABCDEF0123456789abcdef0123456789abcdef01", gitTag: tag,
                 branch: branch, version: version)
    }

    func tags(_ words: [String], _ facts: TagFacts = facts()) throws -> [String] {
        try PushTagging.tags(words.map { TagStrategy(rawValue: $0).map(PushTags.Entry.strategy) ?? .literal($0) }, facts: facts)
    }

    @Test func timestampIsUTCWithoutColons() throws {
        #expect(TagFacts.timestamp(Self.instant) == "20261207T004120Z")
        #expect(try tags(["timestamp"]) == ["20261207T004120Z"])
    }

    @Test func gitSHAGivesTheShortShaAndItsShaPrefixedForm() throws {
        #expect(try tags(["git-sha"]) == ["abcdef0", "sha-abcdef0"])
        #expect(throws: TagProblem.self) { try PushTagging.tags([.strategy(.gitSHA)], facts: TagFacts(now: Self.instant, runID: "r")) }
    }

    @Test func semverRewritesBuildMetadataSinceTagsRefusePlus() throws {
        #expect(try tags(["semver"], Self.facts(version: "1.4.2+build.7")) == ["1.4.2_build.7"])
        #expect(try tags(["semver"], Self.facts(tag: "v2.0.0-rc.1+exp.sha.5114f85")) == ["2.0.0-rc.1_exp.sha.5114f85"])
        #expect(TagName.isValid("1.4.2_build.7"))
        #expect(!TagName.isValid("1.4.2+build.7"))
        // The version input wins over the git tag.
        #expect(try tags(["semver"], Self.facts(tag: "v9.9.9", version: "1.0.0")) == ["1.0.0"])
    }

    @Test func semverWithoutAVersionOrAGitTagSaysWhatWouldGiveOne() throws {
        #expect {
            try PushTagging.tags([.strategy(.semver)], facts: Self.facts())
        } throws: { error in
            "\(error)".contains("give the step a `version` input")
        }
        #expect(throws: TagProblem.self) { try PushTagging.tags([.strategy(.semver)], facts: Self.facts(version: "1.2")) }
        #expect(throws: TagProblem.self) { try PushTagging.tags([.strategy(.semver)], facts: Self.facts(tag: "release-7")) }
    }

    @Test func semanticGivesMajorMinorPatchAndLatestForAReleaseOnlyTheFullTagForAPreRelease() throws {
        #expect(try tags(["semantic"], Self.facts(tag: "v1.4.2")) == ["1.4.2", "1.4", "1", "latest"])
        #expect(try tags(["semantic"], Self.facts(tag: "v1.4.2-rc.1")) == ["1.4.2-rc.1"])
    }

    @Test func autoGivesTimestampGitTagLatestShortShaAndABranchOtherThanMain() throws {
        #expect(try tags(["auto"], Self.facts(tag: "v1.4.2", branch: "main"))
                == ["20261207T004120Z", "v1.4.2", "latest", "abcdef0"])
        #expect(try tags(["auto"], Self.facts(tag: nil, branch: "feature/fsdp+x"))
                == ["20261207T004120Z", "abcdef0", "feature-fsdp-x"])
        #expect(try tags(["auto"], Self.facts(tag: "nightly", branch: "master")) == ["20261207T004120Z", "nightly", "abcdef0"])
    }

    @Test func severalAtOnceKeepOrderAndDropRepeats() throws {
        #expect(try tags(["v1", "latest", "git-sha", "run-id", "semantic", "v1"], Self.facts(tag: "v3.1.0"))
                == ["v1", "latest", "abcdef0", "sha-abcdef0", "20261207-0041-7f3a", "3.1.0", "3.1", "3"])
    }

    @Test func aLiteralTagOutsideTheGrammarIsRefused() throws {
        for bad in ["1.0+meta", "a:b", ".hidden", "-x", String(repeating: "a", count: 129), ""] {
            #expect(throws: TagProblem.self, "\(bad)") { try PushTagging.tags([.literal(bad)], facts: Self.facts()) }
        }
    }

    @Test func theDefaultIsTheImagesOwnTagElseLatest() {
        #expect(PushTagging.defaultEntries(image: "localhost/flow/fsdp:dev") == [.literal("dev")])
        #expect(PushTagging.defaultEntries(image: "127.0.0.1:5000/fsdp") == [.literal("latest")])
    }

    @Test func imageNamesSplitIntoRegistryRepositoryAndTag() throws {
        let a = try #require(ImageReference("127.0.0.1:5000/team/fsdp:dev"))
        #expect(a.registry == "127.0.0.1:5000" && a.repository == "team/fsdp" && a.tag == "dev")
        let b = try #require(ImageReference("fsdp"))
        #expect(b.registry == nil && b.repository == "fsdp" && b.tag == nil)
        let c = try #require(ImageReference("localhost/flow/python:3.11-bookworm@sha256:abc"))
        #expect(c.registry == "localhost" && c.repository == "flow/python" && c.tag == "3.11-bookworm")
        #expect(ImageReference.isValidRepository("team/fsdp-image_2"))
        #expect(!ImageReference.isValidRepository("Team/fsdp"))
        #expect(!ImageReference.isValidRepository("team//fsdp"))
        let ecr = try #require(ECRRegistryHost("123456789012.dkr.ecr.us-west-2.amazonaws.com"))
        #expect(ecr.account == "123456789012" && ecr.region == "us-west-2")
        #expect(ECRRegistryHost("registry.example.com") == nil)
    }

    @Test func theTagsInputTakesAListAWordOrTheStrategyObject() throws {
        func validate(_ tags: String) -> String {
            let yaml = "name: p\nsteps:\n  push:\n    uses: push\n    with: { image: x, registry: r.example.com, tags: \(tags) }\n"
            let (_, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "p.yml", options: testValidationOptions(catalog: .builtins))
            return DiagnosticRenderer(color: false).text(diagnostics)
        }
        #expect(validate("[v1, latest, git-sha]") == "")
        #expect(validate("latest") == "")
        #expect(validate("{ strategy: git-sha }") == "")
        #expect(validate("{ strategy: [semver, latest], version: 1.2.3 }") == "")
        #expect(validate("{ strategy: git-sh }").contains("did you mean `git-sha`"))
        #expect(validate("{ stratgy: git-sha }").contains("stratgy"))
    }
}
