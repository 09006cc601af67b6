/// The torch / CUDA / Python an image ends up with, each with where that answer came from, as far
/// as the Dockerfile, its requirements and the base image say. Unknown stays nil.
public struct ResolvedStack: Sendable, Hashable {
    /// Where a resolved value came from.
    public enum Source: Sendable, Hashable {
        /// The step's `torch` / `cuda` / `python` input.
        case override
        /// A `torch==…` pin.
        case pin(SourceSpan)
        /// The `+cuXYZ` / `+cpu` local version of the torch pin.
        case localVersion(SourceSpan)
        /// A `download.pytorch.org/whl/cuXYZ` (or `/cpu`) index option.
        case index(SourceSpan)
        /// What the base image ships or its tag says.
        case baseImage(SourceSpan)
        /// The CUDA of the PyPI wheel for that torch.
        case pypiDefault
        /// The base OS's `python3` package (the image has no Python of its own).
        case osPython(SourceSpan)

        /// A few words for messages: "the torch pin", "the base image".
        public var phrase: String {
            switch self {
            case .override: return "the step's input"
            case .pin: return "the torch pin"
            case .localVersion: return "the torch pin's local version"
            case .index: return "the package index"
            case .baseImage: return "the base image"
            case .pypiDefault: return "the PyPI wheel's default"
            case .osPython: return "the base OS's python3 package"
            }
        }
    }

    /// A value and where it came from.
    public struct Resolved<Value: Sendable & Hashable>: Sendable, Hashable {
        public var value: Value
        public var source: Source

        public init(_ value: Value, _ source: Source) {
            self.value = value
            self.source = source
        }
    }

    /// The torch version (`2.4.1+cu121`, or NGC's `2.4.0a0+3bcc3cddb5`).
    public var torch: Resolved<StackVersion>?
    /// The CUDA the stack targets: the wheel's, else the base image's, else the PyPI default.
    public var cuda: Resolved<CudaVersion>?
    /// The CUDA of the torch wheel pip installs (nil when pip does not install torch or it is a CPU wheel).
    public var wheelCuda: Resolved<CudaVersion>?
    /// The torch pip installs is a CPU build (`+cpu`, the `/whl/cpu` index).
    public var cpuWheel: Resolved<Bool>?
    public var python: Resolved<StackVersion>?
    /// The base image as parsed, when the Dockerfile names one.
    public var base: BaseImageFacts?
    /// The `torch` requirement pip installs, when there is one.
    public var torchInstall: ImageFacts.PackageInstall?

    /// Whether torch comes from the base image rather than from pip.
    public var torchFromBase: Bool {
        if case .baseImage = torch?.source { return true }
        return false
    }
}

extension ResolvedStack {
    /// Resolves torch, CUDA and Python from what the analyzer gathered:
    /// - torch: the `torch` input, else an exact `torch==` pin, else what the base image ships;
    /// - CUDA: the `cuda` input, else the pin's `+cuXYZ`, else a `download.pytorch.org/whl/cuXYZ`
    ///   index, else the base image's CUDA, else the PyPI default for that torch;
    /// - Python: the `python` input, else the base image's Python, else its OS's `python3`.
    public static func resolve(_ facts: ImageFacts, matrix: TorchMatrix = .shared) -> ResolvedStack {
        var stack = ResolvedStack()
        let baseSpan = facts.baseImage?.span
        if let located = facts.baseImage { stack.base = BaseImageFacts.parse(located.text) }
        let torchInstall = facts.packages.first { $0.name == "torch" }
        stack.torchInstall = torchInstall

        if let text = facts.torchOverride, let version = StackVersion.parse(text) {
            stack.torch = Resolved(version, .override)
        } else if let install = torchInstall, let pinned = install.pinnedVersion, let version = StackVersion.parse(pinned) {
            stack.torch = Resolved(version, .pin(install.specifierSpan ?? install.span))
        } else if torchInstall == nil, let shipped = stack.base?.torch, let baseSpan {
            stack.torch = Resolved(shipped, .baseImage(baseSpan))
        }

        // The wheel pip installs: its local version, else the index it comes from.
        if let install = torchInstall {
            let pinSpan = install.specifierSpan ?? install.span
            if let pinned = install.pinnedVersion, let local = StackVersion.parse(pinned)?.local?.lowercased() {
                if local == "cpu" {
                    stack.cpuWheel = Resolved(true, .localVersion(pinSpan))
                } else if let cuda = CudaVersion.parseWheelTag(local) {
                    stack.wheelCuda = Resolved(cuda, .localVersion(pinSpan))
                }
            }
            if stack.wheelCuda == nil, stack.cpuWheel == nil, let (index, span) = torchIndex(facts, for: install) {
                switch index.variant {
                case .cuda(let cuda): stack.wheelCuda = Resolved(cuda, .index(span))
                case .cpu: stack.cpuWheel = Resolved(true, .index(span))
                default: break
                }
            }
            if stack.wheelCuda == nil, stack.cpuWheel == nil, !hasPyTorchIndex(facts),
               let torch = stack.torch?.value, let (cuda, _) = matrix.defaultCuda(torch: torch) {
                stack.wheelCuda = Resolved(cuda, .pypiDefault)
            }
        }

        if let text = facts.cudaOverride, let cuda = CudaVersion.parseDotted(text) ?? CudaVersion.parseWheelTag(text) {
            stack.cuda = Resolved(cuda, .override)
        } else if let wheel = stack.wheelCuda, wheel.source != .pypiDefault {
            stack.cuda = wheel
        } else if stack.cpuWheel == nil, let cuda = stack.base?.cuda, let baseSpan {
            stack.cuda = Resolved(cuda, .baseImage(baseSpan))
        } else if let wheel = stack.wheelCuda {
            stack.cuda = wheel
        }

        if let text = facts.pythonOverride, let python = StackVersion.parse(text) {
            stack.python = Resolved(python.line, .override)
        } else if let python = stack.base?.python, let baseSpan {
            stack.python = Resolved(python.line, .baseImage(baseSpan))
        } else if let python = stack.base?.osPython, let baseSpan {
            stack.python = Resolved(python.line, .osPython(baseSpan))
        }
        return stack
    }

    /// The `download.pytorch.org` index that serves this install: one given to the same
    /// `pip install`, else one in the requirements files (`pipInstall == nil`), else any.
    static func torchIndex(_ facts: ImageFacts, for install: ImageFacts.PackageInstall) -> (PyTorchIndex, SourceSpan)? {
        let indexes = facts.indexURLs.compactMap { located in PyTorchIndex.parse(located.text).map { ($0, located.span) } }
        guard !indexes.isEmpty else { return nil }
        if let pipIndex = install.pipInstall, pipIndex >= 0, pipIndex < facts.pipInstalls.count {
            let command = facts.pipInstalls[pipIndex].commandSpan
            let nextCommand = facts.pipInstalls.map(\.commandSpan)
                .filter { $0.file == command.file && $0.offset > command.offset }
                .map(\.offset).min() ?? Int.max
            if let same = indexes.first(where: {
                $0.1.file == command.file && $0.1.offset >= command.offset && $0.1.offset < nextCommand
            }) {
                return same
            }
        }
        if let sameFile = indexes.first(where: { $0.1.file == install.span.file }) { return sameFile }
        return indexes.first
    }

    /// Whether any index option points at `download.pytorch.org`.
    static func hasPyTorchIndex(_ facts: ImageFacts) -> Bool {
        facts.indexURLs.contains { PyTorchIndex.parse($0.text) != nil }
    }
}
