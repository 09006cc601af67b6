import Testing
@testable import FlowSteps

@Suite struct StackVersionTests {
    @Test func parsesReleasePreReleaseAndLocal() throws {
        let ngc = try #require(StackVersion.parse("2.4.0a0+3bcc3cddb5"))
        #expect(ngc.release == [2, 4, 0] && ngc.preRelease == "a0" && ngc.local == "3bcc3cddb5")
        let pinned = try #require(StackVersion.parse("2.4.1+cu121"))
        #expect(pinned.release == [2, 4, 1] && pinned.preRelease == nil && pinned.local == "cu121")
        #expect(pinned.publicVersion.text == "2.4.1")
        #expect(StackVersion.parse("v3.12")?.release == [3, 12])
        #expect(StackVersion.parse("2.6.0.dev20241114")?.preRelease == "dev20241114")
        #expect(StackVersion.parse("2.11.0a0+a6c236b9fd.nv26.03.46836102")?.local == "a6c236b9fd.nv26.03.46836102")
    }

    @Test func rejectsNonVersions() {
        for text in ["", "latest", "+cu121", "2.4.1+", "x2.4", String(repeating: "1.", count: 200), "2.4.1 rc1!", "99999999999.1"] {
            #expect(StackVersion.parse(text) == nil, "\(text)")
        }
    }

    @Test func ordersByReleaseThenPreRelease() throws {
        let a = try #require(StackVersion.parse("2.4.0a0"))
        let b = try #require(StackVersion.parse("2.4.0"))
        let c = try #require(StackVersion.parse("2.4.1"))
        let d = try #require(StackVersion.parse("2.10"))
        #expect(a < b && b < c && c < d)
        #expect(StackVersion.parse("2.4") == StackVersion.parse("2.4.0"))
        #expect(StackVersion([3, 9]) < StackVersion([3, 10]))
        #expect(StackVersion.parse("2.4.1+cu121")?.line == StackVersion([2, 4]))
    }

    @Test func cudaVersionsFromWheelTagsAndDottedText() {
        #expect(CudaVersion.parseWheelTag("cu121") == CudaVersion(major: 12, minor: 1))
        #expect(CudaVersion.parseWheelTag("cu118") == CudaVersion(major: 11, minor: 8))
        #expect(CudaVersion.parseWheelTag("cu92") == CudaVersion(major: 9, minor: 2))
        #expect(CudaVersion.parseWheelTag("CU130")?.dotted == "13.0")
        #expect(CudaVersion.parseWheelTag("cpu") == nil)
        #expect(CudaVersion.parseWheelTag("cu1") == nil)
        #expect(CudaVersion.parseWheelTag("cu12345") == nil)
        #expect(CudaVersion.parseDotted("12.4.1") == CudaVersion(major: 12, minor: 4))
        #expect(CudaVersion.parseDotted("12") == nil)
        #expect(CudaVersion(major: 13, minor: 2).wheelTag == "cu132")
        #expect(CudaVersion(major: 12, minor: 8).indexURL == "https://download.pytorch.org/whl/cu128")
    }

    @Test func pytorchIndexURLsNameTheirVariant() {
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/cu121")?.variant == .cuda(CudaVersion(major: 12, minor: 1)))
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/nightly/cu128")?.isPrerelease == true)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/cpu")?.variant == .cpu)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/torch_stable.html")?.variant == .all)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/cu113/torch_stable.html")?.variant == .cuda(CudaVersion(major: 11, minor: 3)))
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/rocm6.2")?.variant == .rocm("6.2"))
        #expect(PyTorchIndex.parse("https://pypi.org/simple") == nil)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/cu124")?.serves(localVersion: "cu124") == true)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/cu124")?.serves(localVersion: "cu121") == false)
        #expect(PyTorchIndex.parse("https://download.pytorch.org/whl/torch_stable.html")?.serves(localVersion: "cu121") == true)
    }
}
