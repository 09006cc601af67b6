/// The rules about the base image: its CUDA and glibc against the wheel, torch it already ships,
/// PEP 668, and the recommended base.
extension TorchRules.Context {
    // MARK: base-cuda

    func checkBaseCuda() -> [Finding] {
        guard let base, let baseSpan, let baseCuda = base.cuda, base.isVerified("cuda"),
              let wheel = stack.wheelCuda else { return [] }
        if wheel.source == .pypiDefault {
            guard let torch = stack.torch?.value, matrix.defaultCuda(torch: torch)?.verified == true else { return [] }
        }
        let needs = wheel.value
        let tooOld = needs.major > baseCuda.major || (needs.major == baseCuda.major && needs.major >= 12 && needs.minor > baseCuda.minor)
        guard tooOld else { return [] }
        let torchText = stack.torch.map { "torch \($0.value.text)" } ?? "the torch wheel"
        let origin = wheel.source == .pypiDefault ? " (the PyPI wheel's CUDA)" : ""
        let driver = needs.major >= 13 ? "580" : needs.major == 12 ? "525" : "450"
        var message = "\(torchText) brings the CUDA \(needs.dotted) runtime\(origin), but \(baseName) is CUDA \(baseCuda.dotted): hosts set up for this base may have a driver too old for CUDA \(needs.dotted) (CUDA \(needs.major).x needs driver ≥ \(driver)), and torch then fails with 'CUDA driver version is insufficient for CUDA runtime version' or torch.cuda.is_available() is False"
        var fix: Fix?
        if let torch = stack.torch?.value,
           let recommended = BaseImageRecommendation.recommend(torch: torch, cuda: needs, python: stack.python?.value, matrix: matrix) {
            message += ". Use \(recommended.image): \(recommended.reason)"
            fix = Fix("Use \(recommended.image) as the base image", edits: [
                TextEdit(file: baseSpan.file, offset: baseSpan.offset, length: baseSpan.length, replacement: recommended.image),
            ])
        } else {
            message += ". Use a base image with CUDA \(needs.dotted) or later"
        }
        return [finding("base-cuda", at: baseSpan, message + ".", fix: fix)]
    }

    // MARK: glibc

    func checkGlibc() -> [Finding] {
        guard let base, let baseSpan, let torchInstall = installs("torch").first else { return [] }
        // The torch pip installs: the pin, or (unpinned) the newest, whose floor no later torch lowers.
        let torch: StackVersion
        if let pinned = pinnedTorch {
            torch = pinned
        } else if torchInstall.specifier.isEmpty, let newest = matrix.newestRelease {
            torch = newest.line
        } else {
            return []
        }
        guard let floor = matrix.glibcFloor(torch: torch) else { return [] }
        let torchText = pinnedTorch.map { "torch \($0.publicVersion)" } ?? "torch (unpinned, so the newest)"
        if base.usesMusl {
            let message = "\(baseName) uses musl, and \(torchText) publishes only glibc (manylinux) wheels for Linux: pip fails with 'Could not find a version that satisfies the requirement torch'. Use a glibc base such as python:3.12-slim."
            return [finding("glibc", at: baseSpan, message)]
        }
        guard let glibc = base.glibc, base.isVerified("glibc"), glibc < floor else { return [] }
        let osName = base.os?.displayName ?? "the base OS"
        var message = "\(torchText) needs glibc \(floor) (its Linux wheels are manylinux_2_28), but \(osName) in \(baseName) has glibc \(glibc): pip finds no wheel ('from versions: none') or import fails with \"version 'GLIBC_\(floor)' not found (required by …/libtorch_python.so)\". Use Ubuntu 20.04 or later, Debian 10 or later, Amazon Linux 2023 or UBI 8 or later"
        if let pinned = pinnedTorch, floor > StackVersion([2, 17]), let last = matrix.releases.last(where: { (matrix.glibcFloor(torch: $0.line) ?? floor) <= glibc }) {
            message += ", or pin torch \(last.line) (the last release for glibc \(glibc)) instead of \(pinned.publicVersion)"
        }
        return [finding("glibc", at: baseSpan, message + ".")]
    }

    // MARK: torch-reinstalled

    func checkReinstalled() -> [Finding] {
        guard let base, let shipped = base.torch,
              [.ngcPyTorch, .pytorch, .awsDLC].contains(base.family) else { return [] }
        return installs("torch").map { install in
            var message = "\(baseName) already ships torch \(shipped)"
            if base.family == .ngcPyTorch {
                message += " built by NVIDIA (with its own torchvision, apex and Transformer Engine built against it); installing torch again replaces it with a PyPI build and breaks those extensions"
                if base.pipConstraints {
                    message += ", and since 25.03 the image pins every package in /etc/pip/constraint.txt, so pip refuses a different torch until that file is edited"
                }
            } else {
                message += "; installing torch again keeps it only when the version (with its +local part) matches exactly, otherwise pip downloads another build over it: a second multi-GB layer, and a torch the base's CUDA and cuDNN were not chosen for"
            }
            message += ". Remove the torch requirement and use the base's torch, or pick a base without torch."
            let fix = install.removal.map { Fix("Remove the torch requirement", edits: [$0]) }
            return finding("torch-reinstalled", at: install.span, message, fix: fix)
        }
    }

    // MARK: pep668

    func checkPEP668() -> [Finding] {
        guard let base, base.systemPythonExternallyManaged == true else { return [] }
        let osName = base.os?.displayName ?? "the base OS"
        return facts.pipInstalls.filter { !$0.breakSystemPackages && !$0.outsideSystemPython }.map { pip in
            let message = "\(osName) (\(baseName)) marks its system Python externally managed (PEP 668): this pip install fails with 'error: externally-managed-environment'. Create a venv (python3 -m venv /opt/venv and use /opt/venv/bin/pip), or pass --break-system-packages (or set ENV PIP_BREAK_SYSTEM_PACKAGES=1)."
            let command = pip.commandSpan
            let fix = Fix("Add --break-system-packages to the pip install", edits: [
                TextEdit(file: command.file, offset: command.offset + command.length, length: 0, replacement: " --break-system-packages"),
            ])
            return finding("pep668", at: command, message, fix: fix)
        }
    }

    // MARK: base-recommendation

    func checkRecommendation() -> [Finding] {
        guard let base, let baseSpan, pinnedTorch != nil,
              let recommended = BaseImageRecommendation.recommend(for: stack, matrix: matrix) else { return [] }
        let recommendedBase = BaseImageFacts.parse(recommended.image)
        guard recommendedBase.normalizedName != base.normalizedName, !Self.isAsGood(base, as: recommendedBase) else { return [] }
        let message = "Recommended base image for this stack: \(recommended.image); \(recommended.reason)."
        return [finding("base-recommendation", at: baseSpan, message)]
    }

    /// Whether the base already is what the recommendation asks for, in another spelling: a
    /// `python` image with the same Python (`python:3.12-slim-bookworm` for `python:3.12-slim`), an
    /// `nvidia/cuda` runtime or base image with the same CUDA (another OS or patch: pip's wheels
    /// bring cuDNN, so `-cudnn` does not matter either), or an AWS DLC with that CUDA (DOMAIN §2:
    /// on AWS the DLC is the first choice with `pytorch/pytorch`).
    static func isAsGood(_ base: BaseImageFacts, as recommended: BaseImageFacts) -> Bool {
        switch (base.family, recommended.family) {
        case (.python, .python):
            guard let python = base.python, let wanted = recommended.python else { return false }
            return !base.usesMusl && python.line == wanted.line
        case (.nvidiaCuda, .nvidiaCuda):
            guard let cuda = base.cuda, cuda == recommended.cuda else { return false }
            return base.flavor == .runtime || base.flavor == .base
        case (.awsDLC, .pytorch), (.awsDLC, .nvidiaCuda):
            guard let cuda = base.cuda, cuda == recommended.cuda else { return false }
            return base.expectsGPU
        default:
            return false
        }
    }
}
