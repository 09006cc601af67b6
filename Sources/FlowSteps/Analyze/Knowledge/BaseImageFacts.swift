import Foundation

/// What is known about a base image from its reference alone: where it lives, which family it
/// belongs to, and what its tag and the knowledge tables say it contains (CUDA, cuDNN, flavour,
/// OS, glibc, Python, torch). A fact the reference does not determine stays nil.
public struct BaseImageFacts: Sendable, Hashable {
    /// The kinds of base image the torch rules know.
    public enum Family: String, Sendable, Hashable, CaseIterable {
        case ngcPyTorch = "ngc-pytorch"
        case pytorch
        case nvidiaCuda = "nvidia-cuda"
        case awsDLC = "aws-dlc"
        case python
        case ubuntu
        case debian
        case amazonlinux
        case ubi
        case other
    }

    /// CUDA image flavours: `base` (cudart only), `runtime` (all CUDA libraries), `devel` (+ nvcc).
    public enum Flavor: String, Sendable, Hashable {
        case base, runtime, devel
    }

    /// The reference as given.
    public var reference: String
    /// `nvcr.io`, `763104351884.dkr.ecr.us-west-2.amazonaws.com`, `localhost:5000`; nil for Docker Hub.
    public var registry: String?
    /// The path inside the registry, as written (`nvidia/cuda`, `python`, `library/python`).
    public var repository: String
    /// nil when the reference has no tag (Docker then pulls `latest`).
    public var tag: String?
    /// `sha256:…` when pinned by digest.
    public var digest: String?
    public var family: Family

    /// The CUDA toolkit major.minor the image carries.
    public var cuda: CudaVersion?
    /// The full toolkit version when the tag says it (`12.4.1`).
    public var cudaToolkit: StackVersion?
    /// The image carries cuDNN.
    public var includesCudnn: Bool = false
    /// cuDNN major when the tag says it (`8` in `cudnn8`).
    public var cudnnMajor: Int?
    public var flavor: Flavor?
    /// The operating system, with what the tables say about it.
    public var os: OperatingSystemFacts?
    /// The OS as the tag names it (`ubuntu`, `rhel`, `debian`), even when the tables do not know the release.
    public var osID: String?
    /// `22.04`, `bookworm`, `9`.
    public var osVersion: String?
    public var glibc: StackVersion?
    /// musl-based (Alpine): no torch wheels exist for it.
    public var usesMusl: Bool = false
    /// The Python the image ships ready to use (python images, NGC, DLC, pytorch/pytorch).
    public var python: StackVersion?
    /// The OS's `python3` package: what `apt-get install python3-pip` brings.
    public var osPython: StackVersion?
    /// The torch the image ships (`2.4.0a0+3bcc3cddb5` for NGC 24.07, `2.5.1` for pytorch/pytorch).
    public var torch: StackVersion?
    /// A CUDA image: a GPU is expected at run time.
    public var expectsGPU: Bool = false
    /// `pip install` into the image's system Python fails without `--break-system-packages`
    /// (PEP 668); nil when unknown.
    public var systemPythonExternallyManaged: Bool?
    /// `25.03` for `nvcr.io/nvidia/pytorch:25.03-py3`.
    public var ngcRelease: String?
    /// NGC 25.03 and later pin every package in `/etc/pip/constraint.txt`.
    public var pipConstraints: Bool = false
    /// Fields filled from a table entry that a source did not confirm (`cuda`, `python`, `glibc`).
    public var unverified: Set<String> = []

    /// Whether a field's value was confirmed (a nil field is never "verified").
    public func isVerified(_ field: String) -> Bool { !unverified.contains(field) }

    /// The reference as the recommendation compares it: Docker Hub's registry and `library/`
    /// dropped, no digest.
    public var normalizedName: String {
        var path = repository.lowercased()
        if registry == nil || Self.dockerHubRegistries.contains(registry?.lowercased() ?? ""), path.hasPrefix("library/") {
            path = String(path.dropFirst("library/".count))
        }
        let host = registry.map { Self.dockerHubRegistries.contains($0.lowercased()) ? "" : $0.lowercased() + "/" } ?? ""
        return host + path + (tag.map { ":" + $0 } ?? "")
    }

    static let dockerHubRegistries: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]

    /// The longest reference `parse` reads; a longer one is kept as text, family `other`.
    static let maximumReferenceLength = 1024

    init(reference: String, registry: String?, repository: String, tag: String?, digest: String?, family: Family) {
        self.reference = reference
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
        self.family = family
    }

    public static func == (a: BaseImageFacts, b: BaseImageFacts) -> Bool { a.reference == b.reference }
    public func hash(into hasher: inout Hasher) { hasher.combine(reference) }

}

extension BaseImageFacts {
    /// Splits an image reference (`[registry[:port]/]path[:tag][@digest]`) and reads what its
    /// family and tag say. Never fails: an unknown image is family `other` with nothing known.
    public static func parse(_ reference: String) -> BaseImageFacts {
        let text = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= maximumReferenceLength else {
            return BaseImageFacts(reference: reference, registry: nil, repository: text, tag: nil, digest: nil, family: .other)
        }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry: String?
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            registry = first
            components.removeFirst()
        }
        var tag: String?
        if var last = components.last, let colon = last.lastIndex(of: ":") {
            tag = String(last[last.index(after: colon)...])
            last = String(last[..<colon])
            components[components.count - 1] = last
        }
        if tag?.isEmpty == true { tag = nil }
        let repository = components.joined(separator: "/")
        var facts = BaseImageFacts(reference: reference, registry: registry, repository: repository, tag: tag,
                                   digest: digest, family: .other)
        facts.family = family(registry: registry, path: components.map { $0.lowercased() })
        // A tag that still holds a variable (`${CUDA}`) says nothing.
        if let tag, !tag.contains("$") {
            facts.readTag(tag.lowercased(), path: components.map { $0.lowercased() })
        } else if tag == nil {
            facts.readUntagged(path: components.map { $0.lowercased() })
        }
        return facts
    }

    /// The family from the registry and the repository path (mirrors keep the path's tail).
    static func family(registry: String?, path: [String]) -> Family {
        let last = path.last ?? ""
        let tail2 = path.suffix(2).joined(separator: "/")
        if tail2 == "nvidia/pytorch" { return .ngcPyTorch }
        if tail2 == "pytorch/pytorch" { return .pytorch }
        if tail2 == "nvidia/cuda" { return .nvidiaCuda }
        if isDLCRegistry(registry: registry, path: path) { return .awsDLC }
        if path.contains(where: isUBIComponent) { return .ubi }
        let official = path.count <= 1 || path[path.count - 2] == "library"
        guard official else { return .other }
        switch last {
        case "python": return .python
        case "ubuntu": return .ubuntu
        case "debian": return .debian
        case "amazonlinux": return .amazonlinux
        default: return .other
        }
    }

    /// `<account>.dkr.ecr.<region>.amazonaws.com[.cn]` with one of the DLC accounts, or
    /// `public.ecr.aws/deep-learning-containers/…`.
    static func isDLCRegistry(registry: String?, path: [String]) -> Bool {
        guard let host = registry?.lowercased() else { return false }
        if host == "public.ecr.aws" { return path.first == "deep-learning-containers" }
        guard host.contains(".dkr.ecr."), host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn") else { return false }
        let account = host.split(separator: ".").first.map(String.init) ?? ""
        return dlcAccounts.contains(account)
    }

    static let dlcAccounts: Set<String> = Set((KnowledgeTables.images.table.dlc?.accounts ?? [:]).keys)

    /// `ubi8`, `ubi9`, `ubi10`.
    static func isUBIComponent(_ component: String) -> Bool {
        component.hasPrefix("ubi") && component.count > 3 && component.dropFirst(3).allSatisfy { $0.isASCII && $0.isNumber }
    }
}
