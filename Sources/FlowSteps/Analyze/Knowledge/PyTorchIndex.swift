/// What a package index or find-links URL says about the torch build it serves:
/// `https://download.pytorch.org/whl/cu121` serves CUDA 12.1 wheels, `/whl/cpu` CPU wheels,
/// `/whl/nightly/cu128` nightlies, `/whl/torch_stable.html` every variant (old find-links page).
public struct PyTorchIndex: Sendable, Hashable {
    /// The kind of wheels the index serves.
    public enum Variant: Sendable, Hashable {
        case cuda(CudaVersion)
        case cpu
        case rocm(String)
        case xpu
        /// `torch_stable.html` and the bare `/whl/`: all variants, chosen by the `+local` pin.
        case all
    }

    public var variant: Variant
    /// `/whl/nightly/…` or `/whl/test/…`.
    public var isPrerelease: Bool

    /// Parses a URL on `download.pytorch.org/whl`; nil for any other URL.
    public static func parse(_ url: String) -> PyTorchIndex? {
        guard url.utf8.count <= 2048 else { return nil }
        let lower = url.lowercased()
        guard let host = lower.range(of: "download.pytorch.org/whl") else { return nil }
        let path = lower[host.upperBound...]
        let components = path.split(separator: "/", omittingEmptySubsequences: true).prefix(6)
        var prerelease = false
        for component in components {
            let word = String(component)
            if word == "nightly" || word == "test" { prerelease = true; continue }
            if word == "cpu" || word == "cpu-cxx11-abi" { return PyTorchIndex(variant: .cpu, isPrerelease: prerelease) }
            if word == "xpu" { return PyTorchIndex(variant: .xpu, isPrerelease: prerelease) }
            if word.hasPrefix("rocm") { return PyTorchIndex(variant: .rocm(String(word.dropFirst(4))), isPrerelease: prerelease) }
            if let cuda = CudaVersion.parseWheelTag(word) { return PyTorchIndex(variant: .cuda(cuda), isPrerelease: prerelease) }
            if word.hasPrefix("torch_stable") || word.hasSuffix(".html") { return PyTorchIndex(variant: .all, isPrerelease: prerelease) }
            // A package directory (`/whl/torch/`) or a wheel file: the variant is in the file name, if anywhere.
            if let cuda = Self.cudaInWheelName(word) { return PyTorchIndex(variant: .cuda(cuda), isPrerelease: prerelease) }
            return PyTorchIndex(variant: .all, isPrerelease: prerelease)
        }
        return PyTorchIndex(variant: .all, isPrerelease: prerelease)
    }

    /// `torch-2.4.1%2Bcu121-…whl` → 12.1.
    static func cudaInWheelName(_ word: String) -> CudaVersion? {
        guard word.hasSuffix(".whl") else { return nil }
        for separator in ["%2bcu", "+cu"] {
            if let range = word.range(of: separator) {
                let digits = word[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
                return CudaVersion.parseWheelTag("cu" + digits)
            }
        }
        return nil
    }

    /// Whether a pin with this local version (`cu121`, `cpu`) can be found on this index.
    public func serves(localVersion local: String) -> Bool {
        switch variant {
        case .all: return true
        case .cpu: return local.lowercased() == "cpu"
        case .xpu: return local.lowercased() == "xpu"
        case .rocm(let version): return local.lowercased() == "rocm" + version
        case .cuda(let cuda): return CudaVersion.parseWheelTag(local) == cuda
        }
    }
}
