/// The PyTorch compatibility matrix (`Resources/torch_releases.json`): for each release line, the
/// Pythons it has wheels for, its Linux CUDA builds, the CUDA of the PyPI wheel, and the
/// torchvision/torchaudio of each patch release. Unknown stays nil; nothing is guessed.
public struct TorchMatrix: Sendable {
    /// One release line (`2.4`) of torch.
    public struct Release: Sendable, Hashable {
        public var line: StackVersion
        /// `2024-07`.
        public var released: String
        public var pythonMin: StackVersion
        public var pythonMax: StackVersion
        /// Pythons with wheels marked experimental (`3.13` for 2.5).
        public var pythonExperimental: [StackVersion]
        public var stableCuda: [CudaVersion]
        public var experimentalCuda: [CudaVersion]
        /// Builds outside the published matrix that exist all the same (cu129 for 2.9-2.12).
        public var otherCuda: [CudaVersion]
        /// Builds that may or may not exist; no finding is built on them either way.
        public var unconfirmedCuda: [CudaVersion]
        /// The CUDA of the wheel `pip install torch` takes from PyPI.
        public var pypiDefaultCuda: CudaVersion?
        /// Field names whose value could not be confirmed (`pypiDefaultCuda`).
        public var unverified: Set<String>
        public var patches: [Patch]
        public var sources: [String]

        /// Every CUDA build that exists: stable, experimental and other.
        public var cudaBuilds: [CudaVersion] { (stableCuda + experimentalCuda + otherCuda).sorted() }

        /// Whether the named field was confirmed from a source.
        public func isVerified(_ field: String) -> Bool { !unverified.contains(field) }
    }

    /// One patch release and the domain libraries built for it.
    public struct Patch: Sendable, Hashable {
        public var torch: StackVersion
        public var vision: StackVersion
        public var audio: StackVersion
    }

    /// How a Python version stands with a torch release.
    public enum PythonSupport: String, Sendable, Hashable {
        case supported, experimental, unsupported
    }

    /// How a CUDA build stands with a torch release.
    public enum BuildStatus: String, Sendable, Hashable {
        case stable, experimental, other
        /// Maybe built; say nothing.
        case unconfirmed
        /// Not built for this release.
        case absent
    }

    public var tableVersion: Int
    public var updated: String
    public var releases: [Release]
    /// torch from which torchaudio is ABI-stable (2.11), and the first such torchaudio.
    public var audioStableABIFrom: (torch: StackVersion, audio: StackVersion)?
    /// (first torch line, glibc floor), ascending.
    public var glibcFloors: [(torch: StackVersion, glibc: StackVersion)]

    /// The matrix decoded from the embedded table, once.
    public static let shared = TorchMatrix(table: KnowledgeTables.torch.table)

    init(table: TorchReleasesTable) {
        tableVersion = table.version
        updated = table.updated
        releases = table.releases.compactMap(Self.release(from:)).sorted { $0.line < $1.line }
        if let abi = table.torchaudioStableABI, let torch = StackVersion.parse(abi.fromTorch),
           let audio = StackVersion.parse(abi.fromAudio) {
            audioStableABIFrom = (torch, audio)
        } else {
            audioStableABIFrom = nil
        }
        glibcFloors = table.glibcFloors.compactMap { floor in
            guard let torch = StackVersion.parse(floor.fromTorch), let glibc = StackVersion.parse(floor.glibc) else { return nil }
            return (torch, glibc)
        }.sorted { $0.torch < $1.torch }
    }

    private static func release(from entry: TorchReleasesTable.Release) -> Release? {
        guard let line = StackVersion.parse(entry.line), let pythonMin = StackVersion.parse(entry.python.min),
              let pythonMax = StackVersion.parse(entry.python.max) else { return nil }
        let patches: [Patch] = entry.patches.compactMap { patch in
            guard let torch = StackVersion.parse(patch.torch), let vision = StackVersion.parse(patch.vision),
                  let audio = StackVersion.parse(patch.audio) else { return nil }
            return Patch(torch: torch, vision: vision, audio: audio)
        }
        return Release(
            line: line, released: entry.released, pythonMin: pythonMin, pythonMax: pythonMax,
            pythonExperimental: entry.python.experimental.compactMap(StackVersion.parse),
            stableCuda: entry.cuda.stable.compactMap(CudaVersion.parseWheelTag),
            experimentalCuda: entry.cuda.experimental.compactMap(CudaVersion.parseWheelTag),
            otherCuda: entry.cuda.other.compactMap(CudaVersion.parseWheelTag),
            unconfirmedCuda: entry.cuda.unconfirmed.compactMap(CudaVersion.parseWheelTag),
            pypiDefaultCuda: entry.pypiDefaultCuda.flatMap(CudaVersion.parseWheelTag),
            unverified: Set(entry.unverified), patches: patches, sources: entry.sources)
    }

    /// The release line of a torch version (`2.4` for `2.4.1+cu121` and for NGC's `2.4.0a0+3bcc3cd`).
    public func release(for torch: StackVersion) -> Release? {
        releases.first { $0.line.sameLine(as: torch) }
    }

    /// The newest release line in the table.
    public var newestRelease: Release? { releases.last }

    /// The patch release, when the table lists it (local part ignored).
    public func patch(for torch: StackVersion) -> Patch? {
        guard torch.preRelease == nil, let release = release(for: torch) else { return nil }
        return release.patches.first { StackVersion.compareRelease($0.torch.release, torch.release) == 0 }
    }

    /// The torchvision and torchaudio to pin next to this torch; nil when the patch is not listed.
    public func companions(for torch: StackVersion) -> (vision: StackVersion, audio: StackVersion)? {
        guard let patch = patch(for: torch) else { return nil }
        return (patch.vision, patch.audio)
    }

    /// The torch a torchvision release was built for (local parts ignored); nil when unlisted.
    public func torch(forVision vision: StackVersion) -> StackVersion? {
        for release in releases {
            if let patch = release.patches.first(where: { StackVersion.compareRelease($0.vision.release, vision.release) == 0 }) {
                return patch.torch
            }
        }
        return nil
    }

    /// The torch a torchaudio release before the stable ABI was built for; nil when unlisted or ABI-stable.
    public func torch(forAudio audio: StackVersion) -> StackVersion? {
        if let abi = audioStableABIFrom, audio.line >= abi.audio.line { return nil }
        for release in releases {
            if let patch = release.patches.first(where: { StackVersion.compareRelease($0.audio.release, audio.release) == 0 }) {
                return patch.torch
            }
        }
        return nil
    }

    /// Whether torchvision goes with torch: nil when the table cannot tell (an unlisted release
    /// line, or an unlisted patch whose line matches).
    public func visionMatches(torch: StackVersion, vision: StackVersion) -> Bool? {
        guard torch.preRelease == nil, let release = release(for: torch) else { return nil }
        if let patch = patch(for: torch) {
            return StackVersion.compareRelease(patch.vision.release, vision.release) == 0
        }
        // An unlisted patch: its vision is on the same line as every listed patch's.
        guard let any = release.patches.first else { return nil }
        return any.vision.sameLine(as: vision) ? nil : false
    }

    /// Whether torchaudio goes with torch: torchaudio 2.11 and later work with every torch from
    /// 2.11 on; before, torchaudio works only with its own torch. nil when the table cannot tell.
    public func audioMatches(torch: StackVersion, audio: StackVersion) -> Bool? {
        guard torch.preRelease == nil, let release = release(for: torch) else { return nil }
        if let abi = audioStableABIFrom, torch.line >= abi.torch.line {
            return audio.line >= abi.audio.line && audio.line <= torch.line
        }
        if let patch = patch(for: torch) {
            return StackVersion.compareRelease(patch.audio.release, audio.release) == 0
        }
        guard let any = release.patches.first else { return nil }
        return any.audio.sameLine(as: audio) ? nil : false
    }

    /// Whether (torch, torchvision, torchaudio) install together; a nil library is not checked.
    /// Unknown combinations count as valid (never guess).
    public func isValidTriple(torch: StackVersion, vision: StackVersion?, audio: StackVersion?) -> Bool {
        if let vision, visionMatches(torch: torch, vision: vision) == false { return false }
        if let audio, audioMatches(torch: torch, audio: audio) == false { return false }
        return true
    }

    /// Whether torch has wheels for this Python (major.minor compared); nil for an unknown release.
    public func pythonSupport(torch: StackVersion, python: StackVersion) -> PythonSupport? {
        guard let release = release(for: torch) else { return nil }
        let line = python.line
        if line >= release.pythonMin.line && line <= release.pythonMax.line { return .supported }
        if release.pythonExperimental.contains(where: { $0.sameLine(as: line) }) { return .experimental }
        return .unsupported
    }

    /// The oldest release line with wheels for this Python (for "bump torch to …").
    public func firstRelease(supporting python: StackVersion) -> Release? {
        releases.first { pythonSupport(torch: $0.line, python: python) == .supported }
    }

    /// The CUDA builds of a torch release (stable, experimental and other), ascending.
    public func cudaBuilds(torch: StackVersion) -> [CudaVersion] {
        release(for: torch)?.cudaBuilds ?? []
    }

    /// How a CUDA build stands with a torch release; nil for an unknown release.
    public func buildStatus(torch: StackVersion, cuda: CudaVersion) -> BuildStatus? {
        guard let release = release(for: torch) else { return nil }
        if release.stableCuda.contains(cuda) { return .stable }
        if release.experimentalCuda.contains(cuda) { return .experimental }
        if release.otherCuda.contains(cuda) { return .other }
        if release.unconfirmedCuda.contains(cuda) { return .unconfirmed }
        return .absent
    }

    /// The CUDA of the PyPI wheel, and whether a source confirmed it.
    public func defaultCuda(torch: StackVersion) -> (cuda: CudaVersion, verified: Bool)? {
        guard let release = release(for: torch), let cuda = release.pypiDefaultCuda else { return nil }
        return (cuda, release.isVerified("pypiDefaultCuda"))
    }

    /// The oldest glibc that can load this torch's Linux wheels.
    public func glibcFloor(torch: StackVersion) -> StackVersion? {
        glibcFloors.last { torch.line >= $0.torch.line }?.glibc
    }
}
