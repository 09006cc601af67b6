/// The rules about what pip installs: the torch/vision/audio triple, Python wheels, CUDA indexes
/// and builds, unpinned and split installs, CPU wheels.
extension TorchRules.Context {
    /// The torch that torchvision/torchaudio must match: the pin, else a release torch the base
    /// ships (pytorch/pytorch, DLC; NGC's pre-release builds have no matching PyPI libraries).
    var tripleTorch: StackVersion? {
        if let pinned = pinnedTorch { return pinned }
        if stack.torchFromBase, let base, base.family == .pytorch || base.family == .awsDLC,
           let torch = base.torch, torch.preRelease == nil {
            return torch
        }
        return nil
    }

    // MARK: torch-triple

    func checkTriple() -> [Finding] {
        guard let torch = tripleTorch else { return [] }
        var findings: [Finding] = []
        for install in installs("torchvision") {
            if let finding = tripleFinding(install, library: "torchvision", torch: torch) { findings.append(finding) }
        }
        for install in installs("torchaudio") {
            if let finding = tripleFinding(install, library: "torchaudio", torch: torch) { findings.append(finding) }
        }
        return findings
    }

    private func tripleFinding(_ install: ImageFacts.PackageInstall, library: String, torch: StackVersion) -> Finding? {
        guard let pinnedText = install.pinnedVersion, let pinned = StackVersion.parse(pinnedText) else { return nil }
        let isVision = library == "torchvision"
        let matches = isVision ? matrix.visionMatches(torch: torch, vision: pinned) : matrix.audioMatches(torch: torch, audio: pinned)
        let stableABIAudio = !isVision && (matrix.audioStableABIFrom.map { torch.line >= $0.torch.line } ?? false)
        // A +cuXYZ on the library that differs from the torch pin's: its metadata requires torch==X+cuABC.
        let localClash = !stableABIAudio && pinned.local != nil && torch.local != nil
            && pinned.local?.lowercased() != torch.local?.lowercased()
        guard matches == false || localClash else { return nil }

        let companions = matrix.companions(for: torch)
        var expected = isVision ? companions?.vision : companions?.audio
        if expected == nil, matches != false, localClash {
            expected = pinned.publicVersion
        }
        let suffix: String? = pinned.local != nil ? (torch.local ?? pinned.local) : nil
        let expectedText = expected.map { $0.publicVersion.text + (suffix.map { "+" + $0 } ?? "") }
        let torchText = torch.text
        // torch from the base image (no pin): pip does not fail, it swaps the base's torch for the one the library requires.
        let fromBase = pinnedTorch == nil
        var message: String
        if matches == false {
            let builtFor = isVision ? matrix.torch(forVision: pinned) : matrix.torch(forAudio: pinned)
            let wants = builtFor.map { "\(library) \(pinned.publicVersion) requires torch==\($0)" } ?? "\(library) \(pinned.publicVersion) is built for another torch"
            let replaced = "pip uninstalls it and installs " + (builtFor.map { "torch \($0)" } ?? "the torch \(library) \(pinned.publicVersion) requires")
                + " from PyPI: a second multi-GB layer, and a torch the base's CUDA and cuDNN were not chosen for"
            if fromBase {
                message = "\(wants), but \(baseName) ships torch \(torchText): \(replaced)"
            } else {
                message = "\(wants), but torch is pinned to \(torchText): pip fails with 'Cannot install torch==\(torchText) and \(library)==\(pinnedText) because these package versions have conflicting dependencies' (ResolutionImpossible)"
            }
            if !isVision, stableABIAudio {
                message = "torchaudio \(pinned.publicVersion) does not work with torch \(torchText): from torch 2.11 on use torchaudio 2.11 (stable ABI), which works with every later torch; "
                    + (fromBase ? "otherwise \(replaced)" : "pip fails with ResolutionImpossible otherwise")
            }
        } else {
            let local = pinned.local ?? ""
            message = "\(library)==\(pinnedText) is the \(local) build and requires torch==\(torch.publicVersion.text)+\(local), but torch is pinned to \(torchText): pip fails with ResolutionImpossible"
        }
        var fix: Fix?
        if let expectedText, let specifierSpan = install.specifierSpan {
            message += ". Pin \(library)==\(expectedText) to go with torch \(torchText)."
            let edit = TextEdit(file: specifierSpan.file, offset: specifierSpan.offset, length: specifierSpan.length,
                                replacement: "==" + expectedText)
            fix = Fix("Pin \(library)==\(expectedText)", edits: [edit])
        } else if let release = matrix.release(for: torch), let any = release.patches.first {
            let line = isVision ? any.vision.line : any.audio.line
            message += ". torch \(torch.line) goes with \(library) \(line).x."
        } else {
            message += "."
        }
        return finding("torch-triple", at: pinSpan(install), message, fix: fix)
    }

    // MARK: torch-python

    func checkPython() -> [Finding] {
        guard let torch = pinnedTorch, let install = installs("torch").first(where: { $0.pinnedVersion != nil }),
              let python = stack.python, let release = matrix.release(for: torch) else { return [] }
        // Only a Python the image really has: the input, or the one the base image ships.
        switch python.source {
        case .override, .baseImage: break
        default: return []
        }
        guard matrix.pythonSupport(torch: torch, python: python.value) == .unsupported else { return [] }
        let range = "\(release.pythonMin.majorMinor)–\(release.pythonMax.majorMinor)"
        var message = "torch \(torch.publicVersion) has no wheel for Python \(python.value.majorMinor) (\(python.source.phrase)); it has wheels for Python \(range): pip fails with 'Could not find a version that satisfies the requirement torch==\(install.pinnedVersion ?? torch.text)'"
        if let newer = matrix.firstRelease(supporting: python.value), newer.line > torch.line {
            message += ". Pin torch \(newer.line) or later"
        } else if let newest = matrix.newestRelease, newest.line < torch.line || python.value.line > newest.pythonMax.line {
            message += ". No torch in the table supports Python \(python.value.majorMinor) yet"
        } else {
            message += ". Pin an older torch"
        }
        let cuda = stack.cpuWheel?.value == true ? nil : (stack.wheelCuda?.value ?? stack.cuda?.value)
        if case .baseImage = python.source, let base, base.family == .python, !base.usesMusl {
            // The image is a python image: the same kind with a Python torch has wheels for.
            message += ", or use a base with a supported Python: python:\(release.pythonMax.majorMinor)-slim"
        } else if let recommended = BaseImageRecommendation.recommend(torch: torch, cuda: cuda, python: release.pythonMax, matrix: matrix) {
            message += ", or use a base with a supported Python: \(recommended.image)"
        }
        return [finding("torch-python", at: pinSpan(install), message + ".")]
    }

    // MARK: cuda-index

    func checkCudaIndex() -> [Finding] {
        let indexes = facts.indexURLs.compactMap { PyTorchIndex.parse($0.text) }
        var findings: [Finding] = []
        var reported: Set<String> = []
        // A torchvision/torchaudio pin that torch-triple re-pins to the torch pin's +local: adding
        // the index of its own +local would only lead pip to ResolutionImpossible.
        let torchLocal = pinnedTorch?.local?.lowercased()
        let repinned = Set(checkTriple().map(\.span))
        for install in facts.packages where ["torch", "torchvision", "torchaudio"].contains(install.name) {
            guard let pinned = install.pinnedVersion, let local = StackVersion.parse(pinned)?.local?.lowercased() else { continue }
            if install.name != "torch", let torchLocal, torchLocal != local, repinned.contains(pinSpan(install)) { continue }
            let indexURL: String
            if let cuda = CudaVersion.parseWheelTag(local) {
                indexURL = cuda.indexURL
            } else if local == "cpu" {
                indexURL = "https://download.pytorch.org/whl/cpu"
            } else {
                continue
            }
            if indexes.contains(where: { $0.serves(localVersion: local) }) { continue }
            // One finding (one edit) per requirements file or pip command and local version.
            let container = install.pipInstall.map { "run#\($0)" } ?? "file:\(install.span.file)"
            guard reported.insert(container + "|" + local).inserted else { continue }
            let message = "\(install.name)==\(pinned) exists only on \(indexURL); PyPI has no +\(local) builds, so pip fails with 'Could not find a version that satisfies the requirement \(install.name)==\(pinned)' ('No matching distribution found'). Add --extra-index-url \(indexURL)."
            var fix: Fix?
            if let pipIndex = install.pipInstall {
                if pipIndex >= 0, pipIndex < facts.pipInstalls.count {
                    let command = facts.pipInstalls[pipIndex].commandSpan
                    fix = Fix("Add --extra-index-url \(indexURL) to the pip install", edits: [
                        TextEdit(file: command.file, offset: command.offset + command.length, length: 0,
                                 replacement: " --extra-index-url \(indexURL)"),
                    ])
                }
            } else {
                fix = Fix("Add --extra-index-url \(indexURL) as the first line of \(install.span.file)", edits: [
                    TextEdit(file: install.span.file, offset: 0, length: 0, replacement: "--extra-index-url \(indexURL)\n"),
                ])
            }
            findings.append(finding("cuda-index", at: pinSpan(install), message, fix: fix))
        }
        return findings
    }

    // MARK: cuda-build

    func checkCudaBuild() -> [Finding] {
        guard let torch = pinnedTorch, let wheel = stack.wheelCuda, let release = matrix.release(for: torch) else { return [] }
        let span: SourceSpan
        switch wheel.source {
        case .localVersion(let s), .index(let s): span = s
        default: return []
        }
        guard matrix.buildStatus(torch: torch, cuda: wheel.value) == .absent else { return [] }
        let builds = release.cudaBuilds.map(\.wheelTag).joined(separator: ", ")
        let nearest = release.cudaBuilds.first { $0 >= wheel.value } ?? release.cudaBuilds.last
        var message = "torch \(torch.publicVersion) was never built for CUDA \(wheel.value.dotted) (\(wheel.value.wheelTag)); its Linux builds are \(builds): pip fails with 'No matching distribution found for torch==\(torch.publicVersion)+\(wheel.value.wheelTag)'"
        if let nearest { message += ". Use \(nearest.wheelTag) (\(nearest.indexURL)) or a torch release built for \(wheel.value.wheelTag)" }
        return [finding("cuda-build", at: span, message + ".")]
    }

    // MARK: torch-unpinned

    func checkUnpinned() -> [Finding] {
        guard !ResolvedStack.hasPyTorchIndex(facts) else { return [] }
        return installs("torch").filter { $0.specifier.isEmpty && $0.pinnedVersion == nil }.map { install in
            var message = "torch is installed with no version and no index: each build takes whatever PyPI has that day (a new torch, a new default CUDA, new torchvision/torchaudio requirements)"
            if let newest = matrix.newestRelease, let patch = newest.patches.last {
                message += ". Pin it, e.g. torch==\(patch.torch) with torchvision==\(patch.vision)"
            }
            return finding("torch-unpinned", at: install.span, message + ".")
        }
    }

    // MARK: torch-split-install

    func checkSplitInstall() -> [Finding] {
        let family = facts.packages.filter { ["torch", "torchvision", "torchaudio"].contains($0.name) && $0.pipInstall != nil }
        guard let anchor = family.first(where: { $0.name == "torch" }) ?? family.first, let anchorCommand = anchor.pipInstall else { return [] }
        return family.filter { $0.pipInstall != anchorCommand && $0.name != anchor.name }.map { install in
            let message = "\(install.name) is installed by a different pip command than \(anchor.name): the later install re-resolves torch on its own and may replace it ('torchvision 0.19.1 requires torch==2.4.1, but you have torch 2.5.1 which is incompatible'). Install torch, torchvision and torchaudio in one pip install."
            return finding("torch-split-install", at: install.span, message)
        }
    }

    // MARK: cpu-wheel

    func checkCPUWheel() -> [Finding] {
        guard let cpu = stack.cpuWheel, cpu.value, let base, base.expectsGPU else { return [] }
        let span: SourceSpan
        switch cpu.source {
        case .localVersion(let s), .index(let s): span = s
        default: return []
        }
        let cuda = base.cuda.map { " (CUDA \($0.dotted))" } ?? ""
        var message = "This installs a CPU-only torch, but \(baseName)\(cuda) is a GPU image: torch.cuda.is_available() is False and CUDA code fails with 'Torch not compiled with CUDA enabled'"
        if let cudaVersion = base.cuda {
            let cpuBase = stack.torch.flatMap { BaseImageRecommendation.recommend(torch: $0.value, cuda: nil, python: stack.python?.value, matrix: matrix)?.image }
            message += ". Install the \(cudaVersion.wheelTag) build from \(cudaVersion.indexURL), or use a CPU base such as \(cpuBase ?? "python:3.12-slim")"
        }
        return [finding("cpu-wheel", at: span, message + ".")]
    }
}
