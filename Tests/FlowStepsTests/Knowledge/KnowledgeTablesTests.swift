import Testing
@testable import FlowSteps

@Suite struct KnowledgeTablesTests {
    let matrix = TorchMatrix.shared

    @Test func bothTablesDecodeWithVersionDateAndSources() {
        #expect(KnowledgeTables.loadErrors.isEmpty, "\(KnowledgeTables.loadErrors)")
        let torch = KnowledgeTables.torch.table
        let images = KnowledgeTables.images.table
        #expect(torch.version >= 1 && !torch.updated.isEmpty && !torch.sources.isEmpty)
        #expect(images.version >= 1 && !images.updated.isEmpty && !images.sources.isEmpty)
    }

    @Test func everyReleaseDecodedAndEveryReleaseHasVisionAndAudioForEachPatch() {
        #expect(matrix.releases.count == KnowledgeTables.torch.table.releases.count)
        for release in matrix.releases {
            #expect(!release.patches.isEmpty, "\(release.line)")
            #expect(release.patches.count == KnowledgeTables.torch.table.releases.first { $0.line == release.line.text }?.patches.count)
            for patch in release.patches {
                #expect(patch.torch.sameLine(as: release.line), "\(patch.torch) under \(release.line)")
                #expect(patch.vision.major == 0)
                #expect(patch.audio.major == 2)
            }
        }
    }

    @Test func visionIsMinorPlus15AndAudioIsTorchExceptDocumentedCases() {
        for release in matrix.releases {
            for patch in release.patches {
                if patch.torch.line == StackVersion([2, 0]) {
                    // torch 2.0.x ↔ vision 0.15.(x+1), audio 2.0.(x+1).
                    #expect(patch.vision.minor == 15)
                    #expect(patch.vision.patch == (patch.torch.patch ?? 0) + 1)
                    #expect(patch.audio.patch == (patch.torch.patch ?? 0) + 1)
                    continue
                }
                #expect(patch.vision.minor == patch.torch.minor + 15, "\(patch.torch) → \(patch.vision)")
                #expect(patch.vision.patch == patch.torch.patch, "\(patch.torch) → \(patch.vision)")
                if patch.torch.line >= StackVersion([2, 11]) {
                    #expect(patch.audio.line == StackVersion([2, 11]), "\(patch.torch): torchaudio 2.11 (stable ABI)")
                } else {
                    #expect(patch.audio == patch.torch, "\(patch.torch) → audio \(patch.audio)")
                }
            }
        }
    }

    @Test func pythonRangesAreSane() {
        var previous: TorchMatrix.Release?
        for release in matrix.releases {
            #expect(release.pythonMin.major == 3 && release.pythonMax.major == 3)
            #expect(release.pythonMin <= release.pythonMax, "\(release.line)")
            for experimental in release.pythonExperimental {
                #expect(experimental > release.pythonMax, "\(release.line): experimental \(experimental) above the range")
            }
            if let previous {
                #expect(previous.line < release.line)
                #expect(previous.pythonMin <= release.pythonMin, "Python floors never go down")
                #expect(previous.pythonMax <= release.pythonMax, "Python ceilings never go down")
            }
            previous = release
        }
    }

    @Test func cudaBuildsAreSaneAndTheDefaultIsABuild() {
        for release in matrix.releases {
            #expect(!release.stableCuda.isEmpty, "\(release.line)")
            let all = release.stableCuda + release.experimentalCuda + release.otherCuda + release.unconfirmedCuda
            #expect(Set(all).count == all.count, "\(release.line): a build listed twice")
            if let cuda = release.pypiDefaultCuda {
                #expect(release.cudaBuilds.contains(cuda), "\(release.line): default \(cuda) is not a build")
            }
            for field in release.unverified {
                #expect(["pypiDefaultCuda", "python", "cuda", "patches"].contains(field), "\(release.line): unknown field \(field)")
            }
        }
    }

    @Test func glibcFloorIs228FromTorch26And217Before() {
        #expect(matrix.glibcFloor(torch: StackVersion([2, 5, 1])) == StackVersion([2, 17]))
        #expect(matrix.glibcFloor(torch: StackVersion([2, 6, 0])) == StackVersion([2, 28]))
        #expect(matrix.glibcFloor(torch: StackVersion([2, 14, 0])) == StackVersion([2, 28]))
    }

    @Test func ngcReleasesAreOrderedUniqueAndParse() {
        let rows = KnowledgeTables.images.table.ngcPyTorch
        #expect(rows.count >= 40)
        #expect(rows.map(\.release) == rows.map(\.release).sorted())
        #expect(Set(rows.map(\.release)).count == rows.count)
        for row in rows {
            #expect(StackVersion.parse(row.torch) != nil, "\(row.release)")
            #expect(CudaVersion.parseDotted(row.cuda) != nil, "\(row.release)")
            #expect(["20.04", "22.04", "24.04"].contains(row.ubuntu), "\(row.release)")
            #expect(OperatingSystemFacts.lookup(id: "ubuntu", version: row.ubuntu)?.python.line == StackVersion.parse(row.python)?.line,
                    "\(row.release): NGC uses the Ubuntu Python")
        }
        // 23.xx to 26.xx at least.
        #expect(rows.contains { $0.release.hasPrefix("23.") } && rows.contains { $0.release.hasPrefix("25.") })
    }

    @Test func pytorchTagsAndCudaTagsAreBuildsOfTheirRelease() {
        for tag in KnowledgeTables.images.table.pytorchImages.knownTags {
            guard let torch = StackVersion.parse(tag.torch), let cuda = CudaVersion.parseDotted(tag.cuda) else {
                Issue.record("unparsable tag \(tag.torch) \(tag.cuda)")
                continue
            }
            if matrix.release(for: torch) != nil {
                #expect(matrix.buildStatus(torch: torch, cuda: cuda) != .absent, "\(tag.torch)-cuda\(tag.cuda) is not a torch build")
            }
        }
        for tag in KnowledgeTables.images.table.nvidiaCudaRuntimeTags {
            let facts = BaseImageFacts.parse("nvidia/cuda:\(tag.tag)")
            #expect(facts.cuda == CudaVersion.parseDotted(tag.cuda))
            #expect(facts.flavor == .runtime && facts.includesCudnn)
        }
    }

    @Test func operatingSystemsLookUpByVersionCodenameAndAlias() {
        #expect(OperatingSystemFacts.lookup(id: "ubuntu", version: "24.04")?.externallyManaged == true)
        #expect(OperatingSystemFacts.lookup(id: "ubuntu", version: "noble")?.glibc == StackVersion([2, 39]))
        #expect(OperatingSystemFacts.lookup(id: "ubuntu", version: "22.04.5")?.python == StackVersion([3, 10]))
        #expect(OperatingSystemFacts.lookup(id: "ubuntu", version: "22") == nil)
        #expect(OperatingSystemFacts.lookup(id: "debian", version: "bookworm")?.externallyManaged == true)
        #expect(OperatingSystemFacts.lookup(id: "debian", version: "11.9")?.externallyManaged == false)
        #expect(OperatingSystemFacts.lookup(id: "rockylinux", version: "9.3")?.glibc == StackVersion([2, 34]))
        #expect(OperatingSystemFacts.lookup(id: "amzn", version: "2")?.glibc == StackVersion([2, 26]))
        #expect(OperatingSystemFacts.lookup(id: "centos", version: "7")?.glibc == StackVersion([2, 17]))
        #expect(OperatingSystemFacts.lookup(id: "plan9", version: "4") == nil)
    }
}
