import Testing
@testable import FlowSteps

@Suite struct TorchMatrixTests {
    let matrix = TorchMatrix.shared

    func v(_ text: String) -> StackVersion {
        StackVersion.parse(text) ?? StackVersion([0])
    }

    @Test func releaseAndCompanionsForAPatch() throws {
        #expect(matrix.release(for: v("2.4.1+cu121"))?.line == StackVersion([2, 4]))
        #expect(matrix.release(for: v("2.4.0a0+3bcc3cd"))?.line == StackVersion([2, 4]), "NGC pre-releases belong to their line")
        #expect(matrix.release(for: v("1.13.1")) == nil)
        let companions = try #require(matrix.companions(for: v("2.4.1")))
        #expect(companions.vision == v("0.19.1") && companions.audio == v("2.4.1"))
        #expect(matrix.companions(for: v("2.0.1"))?.vision == v("0.15.2"))
        #expect(matrix.companions(for: v("2.12.1"))?.audio == v("2.11.0"))
        #expect(matrix.companions(for: v("2.4.2")) == nil, "an unlisted patch has no companions")
    }

    @Test func visionMatching() {
        #expect(matrix.visionMatches(torch: v("2.4.1"), vision: v("0.19.1")) == true)
        #expect(matrix.visionMatches(torch: v("2.4.1+cu121"), vision: v("0.19.1+cu121")) == true)
        #expect(matrix.visionMatches(torch: v("2.4.1"), vision: v("0.19.0")) == false)
        #expect(matrix.visionMatches(torch: v("2.2.1"), vision: v("0.16.1")) == false)
        #expect(matrix.visionMatches(torch: v("2.4.2"), vision: v("0.19.2")) == nil, "unlisted patch, same line: unknown")
        #expect(matrix.visionMatches(torch: v("2.4.2"), vision: v("0.18.0")) == false, "unlisted patch, wrong line")
        #expect(matrix.visionMatches(torch: v("3.0.0"), vision: v("0.30.0")) == nil)
    }

    @Test func audioMatchingWithTheStableABIFrom211() {
        #expect(matrix.audioMatches(torch: v("2.4.1"), audio: v("2.4.1")) == true)
        #expect(matrix.audioMatches(torch: v("2.4.1"), audio: v("2.4.0")) == false)
        #expect(matrix.audioMatches(torch: v("2.13.0"), audio: v("2.11.0")) == true)
        #expect(matrix.audioMatches(torch: v("2.13.0"), audio: v("2.11.1")) == true)
        #expect(matrix.audioMatches(torch: v("2.13.0"), audio: v("2.10.0")) == false)
        #expect(matrix.audioMatches(torch: v("2.11.0"), audio: v("2.11.0")) == true)
        #expect(matrix.isValidTriple(torch: v("2.5.1"), vision: v("0.20.1"), audio: v("2.5.1")))
        #expect(!matrix.isValidTriple(torch: v("2.5.1"), vision: v("0.19.1"), audio: nil))
        #expect(matrix.isValidTriple(torch: v("9.9.9"), vision: v("0.1.0"), audio: v("0.1.0")), "unknown counts as valid")
    }

    @Test func pythonSupport() {
        #expect(matrix.pythonSupport(torch: v("2.1.2"), python: v("3.12")) == .unsupported)
        #expect(matrix.pythonSupport(torch: v("2.2.0"), python: v("3.12")) == .experimental)
        #expect(matrix.pythonSupport(torch: v("2.4.1"), python: v("3.12.3")) == .supported)
        #expect(matrix.pythonSupport(torch: v("2.9.0"), python: v("3.9")) == .unsupported)
        #expect(matrix.pythonSupport(torch: v("1.13.0"), python: v("3.9")) == nil)
        #expect(matrix.firstRelease(supporting: v("3.13"))?.line == StackVersion([2, 6]))
    }

    @Test func cudaBuildsStatusAndDefault() {
        let cu = { (tag: String) in CudaVersion.parseWheelTag(tag) ?? CudaVersion(major: 0, minor: 0) }
        #expect(matrix.cudaBuilds(torch: v("2.5.1")) == [cu("cu118"), cu("cu121"), cu("cu124")])
        #expect(matrix.buildStatus(torch: v("2.6.0"), cuda: cu("cu121")) == .absent)
        #expect(matrix.buildStatus(torch: v("2.6.0"), cuda: cu("cu126")) == .experimental)
        #expect(matrix.buildStatus(torch: v("2.11.0"), cuda: cu("cu129")) == .other)
        #expect(matrix.buildStatus(torch: v("2.13.0"), cuda: cu("cu129")) == .unconfirmed)
        #expect(matrix.buildStatus(torch: v("1.0.0"), cuda: cu("cu100")) == nil)
        #expect(matrix.defaultCuda(torch: v("2.5.1"))?.cuda == cu("cu124"))
        #expect(matrix.defaultCuda(torch: v("2.5.1"))?.verified == true)
        #expect(matrix.defaultCuda(torch: v("2.6.0"))?.verified == false)
        #expect(matrix.defaultCuda(torch: v("2.14.0"))?.cuda == cu("cu132"))
    }
}
