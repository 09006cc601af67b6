/// The torch / CUDA / Python rules of `analyze`: they read only `ImageFacts` (what the Dockerfile
/// and requirements parsers gathered) and the knowledge tables, and report what will break with
/// fixes as byte-offset edits on the spans `ImageFacts` gives.
public enum TorchRules {
    /// Every rule, with its default severity.
    public static let descriptors: [RuleDescriptor] = [
        RuleDescriptor("torch-triple", .error, "torchvision/torchaudio pins that do not go with the torch pin (pip fails with ResolutionImpossible)."),
        RuleDescriptor("torch-python", .error, "The torch pin has no wheel for the image's Python."),
        RuleDescriptor("cuda-index", .error, "A +cuXYZ/+cpu pin without the download.pytorch.org index that serves it (PyPI has no local versions)."),
        RuleDescriptor("cuda-build", .error, "A CUDA build (from the pin or the index) that this torch release was never built for."),
        RuleDescriptor("base-cuda", .error, "The base image's CUDA is older than the CUDA the torch wheel needs."),
        RuleDescriptor("glibc", .error, "torch 2.6 and later need glibc 2.28; the base image's glibc is older (or musl)."),
        RuleDescriptor("cpu-wheel", .warning, "A CPU-only torch wheel in an image whose base expects a GPU."),
        RuleDescriptor("torch-reinstalled", .warning, "The base image ships torch and the image installs torch again, replacing the base's build."),
        RuleDescriptor("torch-unpinned", .warning, "torch installed with no version and no index: the build takes whatever PyPI has that day."),
        RuleDescriptor("torch-split-install", .warning, "torch, torchvision and torchaudio installed by different pip commands (a later one may upgrade torch)."),
        RuleDescriptor("pep668", .error, "pip install into an externally-managed system Python (PEP 668) without --break-system-packages, --user or a venv."),
        RuleDescriptor("base-recommendation", .note, "The recommended base image for the resolved torch/CUDA/Python stack, and why."),
    ]

    /// The descriptor of a rule id.
    public static func descriptor(_ id: String) -> RuleDescriptor? { descriptors.first { $0.id == id } }

    /// Runs every rule over the facts; findings sorted by file, position and rule.
    public static func check(_ facts: ImageFacts, matrix: TorchMatrix = .shared) -> [Finding] {
        let context = Context(facts: facts, matrix: matrix)
        var findings: [Finding] = []
        findings += context.checkTriple()
        findings += context.checkPython()
        findings += context.checkCudaIndex()
        findings += context.checkCudaBuild()
        findings += context.checkBaseCuda()
        findings += context.checkGlibc()
        findings += context.checkCPUWheel()
        findings += context.checkReinstalled()
        findings += context.checkUnpinned()
        findings += context.checkSplitInstall()
        findings += context.checkPEP668()
        findings += context.checkRecommendation()
        return findings.sorted {
            ($0.span.file, $0.span.offset, $0.rule) < ($1.span.file, $1.span.offset, $1.rule)
        }
    }

    /// What every rule needs: the facts, the resolved stack, the parsed base image, the tables.
    struct Context {
        let facts: ImageFacts
        let matrix: TorchMatrix
        let stack: ResolvedStack
        let base: BaseImageFacts?
        let baseSpan: SourceSpan?

        init(facts: ImageFacts, matrix: TorchMatrix) {
            self.facts = facts
            self.matrix = matrix
            stack = ResolvedStack.resolve(facts, matrix: matrix)
            base = stack.base
            baseSpan = facts.baseImage?.span
        }

        /// Installs of one package (`torch`, `torchvision`, `torchaudio`).
        func installs(_ name: String) -> [ImageFacts.PackageInstall] {
            facts.packages.filter { $0.name == name }
        }

        /// The torch version the image pins (or the input overrides); not the base image's.
        var pinnedTorch: StackVersion? {
            guard let torch = stack.torch else { return nil }
            switch torch.source {
            case .override, .pin: return torch.value
            default: return nil
            }
        }

        /// The base image's name for messages (`nvidia/cuda:11.8.0-runtime-ubuntu22.04`).
        var baseName: String { facts.baseImage?.text ?? "the base image" }

        /// Makes a finding with the rule's default severity.
        func finding(_ rule: String, at span: SourceSpan, _ message: String, fix: Fix? = nil) -> Finding {
            Finding(rule: rule, severity: TorchRules.descriptor(rule)?.severity ?? .error, span: span, message: message, fix: fix)
        }

        /// The span a pin's finding points at: the version specifier, else the whole requirement.
        func pinSpan(_ install: ImageFacts.PackageInstall) -> SourceSpan {
            install.specifierSpan ?? install.span
        }
    }
}
