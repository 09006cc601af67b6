/// The base image to use for a (torch, CUDA, Python) stack, and why (DOMAIN §2 "Choosing a base"):
/// an exact `pytorch/pytorch:T-cudaC-cudnn9-runtime` when that tag is known to exist, else
/// `nvidia/cuda:<C>.<patch>-cudnn-runtime-ubuntu22.04` plus a Python, and `python:<P>-slim` for a
/// CPU-only stack. pip wheels bundle the CUDA runtime, cuDNN and NCCL, so a runtime image is enough;
/// `devel` is only needed to compile extensions.
public enum BaseImageRecommendation {
    /// Recommends a base for torch with the given CUDA (nil: CPU only) and Python. A CUDA that torch
    /// has no build for is replaced by torch's PyPI default (the reason says so). nil when the
    /// tables know no image for the stack.
    public static func recommend(torch: StackVersion, cuda: CudaVersion?, python: StackVersion?,
                                 matrix: TorchMatrix = .shared) -> (image: String, reason: String)? {
        let release = matrix.release(for: torch)
        guard let cuda else {
            var python = python?.line ?? release?.pythonMax.line
            if let wanted = python, let release, matrix.pythonSupport(torch: torch, python: wanted) == .unsupported {
                python = release.pythonMax.line
            }
            guard let python else { return nil }
            return ("python:\(python.majorMinor)-slim",
                    "a CPU-only torch needs no CUDA libraries, and this image has Python \(python.majorMinor) on Debian (glibc ≥ 2.28, pip works without a venv)")
        }
        var target = cuda
        var adjusted = ""
        if let status = matrix.buildStatus(torch: torch, cuda: cuda), status == .absent,
           let fallback = matrix.defaultCuda(torch: torch)?.cuda ?? release?.stableCuda.last {
            target = fallback
            adjusted = "torch \(torch.publicVersion) has no \(cuda.wheelTag) build, so this uses its \(fallback.wheelTag) build; "
        }
        if let tag = knownPyTorchTag(torch: torch.publicVersion, cuda: target) {
            let image = "pytorch/pytorch:\(tag.torch)-cuda\(target.dotted)-cudnn\(tag.cudnn)-runtime"
            let pythonNote = tag.python.map { " (Python \($0))" } ?? ""
            return (image, adjusted + "it ships torch \(tag.torch) built for CUDA \(target.dotted) with cuDNN \(tag.cudnn)\(pythonNote): nothing to install for torch, and the CUDA runtime matches the wheel")
        }
        if let tag = nvidiaCudaTag(for: target) {
            let image = "nvidia/cuda:\(tag)"
            let facts = BaseImageFacts.parse(image)
            let osName = facts.os?.displayName ?? "Linux"
            var wanted = python?.line
            if let asked = wanted, let release, matrix.pythonSupport(torch: torch, python: asked) == .unsupported {
                wanted = release.pythonMax.line
                adjusted += "torch \(torch.publicVersion) has no wheels for Python \(asked.majorMinor), so this uses Python \(release.pythonMax.majorMinor); "
            }
            var pythonPart: String
            if let wanted, let osPython = facts.osPython, osPython.line == wanted {
                pythonPart = "apt-get install python3-pip gives Python \(wanted.majorMinor), as wanted"
            } else {
                let osPythonText = facts.osPython.map { " (\(osName)'s python3 is \($0.majorMinor))" } ?? ""
                pythonPart = "it has no Python: install Python \(wanted?.majorMinor ?? "3")\(osPythonText), e.g. with uv"
            }
            if facts.systemPythonExternallyManaged == true { pythonPart += " into a venv (PEP 668)" }
            let glibc = facts.glibc.map { ", glibc \($0)" } ?? ""
            return (image, adjusted + "it is the CUDA \(target.dotted) runtime with cuDNN on \(osName)\(glibc); \(pythonPart), then pip install torch==\(torch.publicVersion) from \(target.indexURL)")
        }
        return nil
    }

    /// Resolves the stack from the analyzer's facts and recommends for it; nil when torch is not resolved.
    public static func recommend(for facts: ImageFacts, matrix: TorchMatrix = .shared) -> (image: String, reason: String)? {
        recommend(for: ResolvedStack.resolve(facts, matrix: matrix), matrix: matrix)
    }

    /// Recommends for an already resolved stack; nil when torch is not resolved.
    public static func recommend(for stack: ResolvedStack, matrix: TorchMatrix = .shared) -> (image: String, reason: String)? {
        guard let torch = stack.torch?.value else { return nil }
        let cuda: CudaVersion? = stack.cpuWheel?.value == true ? nil : stack.cuda?.value
        return recommend(torch: torch, cuda: cuda, python: stack.python?.value, matrix: matrix)
    }

    /// A `pytorch/pytorch` tag known to exist for this torch patch and CUDA.
    static func knownPyTorchTag(torch: StackVersion, cuda: CudaVersion) -> (torch: String, cudnn: String, python: String?)? {
        guard torch.preRelease == nil, torch.release.count >= 3 else { return nil }
        for tag in KnowledgeTables.images.table.pytorchImages.knownTags {
            guard let version = StackVersion.parse(tag.torch), version == torch,
                  CudaVersion.parseDotted(tag.cuda) == cuda else { continue }
            return (tag.torch, tag.cudnn, tag.python)
        }
        return nil
    }

    /// The `nvidia/cuda` cuDNN runtime tag known for this CUDA minor.
    static func nvidiaCudaTag(for cuda: CudaVersion) -> String? {
        KnowledgeTables.images.table.nvidiaCudaRuntimeTags.first { CudaVersion.parseDotted($0.cuda) == cuda }?.tag
    }
}
