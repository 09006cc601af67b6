/// Reading each family's tag grammar into facts.
extension BaseImageFacts {
    /// Fills the facts a (lower-cased) tag determines for this image's family.
    mutating func readTag(_ tag: String, path: [String]) {
        switch family {
        case .ngcPyTorch: readNGC(tag)
        case .pytorch: readPyTorch(tag)
        case .nvidiaCuda: readNvidiaCuda(tag)
        case .awsDLC: readDLC(tag, repository: path.last ?? "")
        case .python: readPython(tag)
        case .ubuntu: setOS(id: "ubuntu", version: firstToken(tag))
        case .debian: setOS(id: "debian", version: firstToken(tag))
        case .amazonlinux: setOS(id: "amzn", version: firstToken(tag))
        case .ubi: readUBI(tag, path: path)
        case .other: readOtherDistribution(tag, path: path)
        }
    }

    /// An untagged reference pulls `latest`, which names no release: only the family's constants.
    mutating func readUntagged(path: [String]) {
        switch family {
        case .ngcPyTorch, .nvidiaCuda:
            expectsGPU = true
        case .python:
            systemPythonExternallyManaged = false
        case .ubi:
            readUBI("", path: path)
        default:
            break
        }
    }

    private func firstToken(_ tag: String) -> String {
        String(tag.split(separator: "-", maxSplits: 1).first ?? Substring(tag))
    }

    /// `nvcr.io/nvidia/pytorch:24.07-py3[-igpu]`: the release's row in the NGC table.
    private mutating func readNGC(_ tag: String) {
        expectsGPU = true
        let release = String(tag.prefix(5))
        guard release.count == 5, let entry = KnowledgeTables.images.table.ngcPyTorch.first(where: { $0.release == release }) else { return }
        ngcRelease = release
        torch = StackVersion.parse(entry.torch)
        cuda = CudaVersion.parseDotted(entry.cuda)
        includesCudnn = true
        python = StackVersion.parse(entry.python)
        osPython = python
        pipConstraints = entry.pipConstraints ?? false
        unverified = Set(entry.unverified)
        setOS(id: "ubuntu", version: entry.ubuntu)
        if entry.unverified.contains("ubuntu") { unverified.formUnion(["glibc", "os"]) }
        // NVIDIA installs into /usr/local/lib/pythonX.Y/dist-packages; whether its 24.04-based
        // images keep Ubuntu's EXTERNALLY-MANAGED marker was not confirmed.
        systemPythonExternallyManaged = nil
    }

    /// `pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime`.
    private mutating func readPyTorch(_ tag: String) {
        let tokens = tag.split(separator: "-").map(String.init)
        guard let first = tokens.first, let version = StackVersion.parse(first), version.release.count >= 2 else { return }
        torch = version
        systemPythonExternallyManaged = false
        for token in tokens.dropFirst() {
            if token.hasPrefix("cudnn"), let major = Int(token.dropFirst(5)) {
                includesCudnn = true
                cudnnMajor = major
            } else if token.hasPrefix("cuda"), let cuda = CudaVersion.parseDotted(String(token.dropFirst(4))) {
                self.cuda = cuda
                cudaToolkit = StackVersion.parse(String(token.dropFirst(4)))
                expectsGPU = true
            } else if let flavor = Flavor(rawValue: token) {
                self.flavor = flavor
            }
        }
        if let cuda, let known = KnowledgeTables.images.table.pytorchImages.knownTags.first(where: {
            StackVersion.parse($0.torch) == version.publicVersion && CudaVersion.parseDotted($0.cuda) == cuda
        }) {
            python = known.python.flatMap(StackVersion.parse)
        }
    }

    /// `nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04`, `12.0.0-cudnn8-devel-ubuntu22.04`, `11.8.0-base-ubi8`.
    private mutating func readNvidiaCuda(_ tag: String) {
        expectsGPU = true
        let tokens = tag.split(separator: "-").map(String.init)
        guard let first = tokens.first else { return }
        cuda = CudaVersion.parseDotted(first)
        if cuda != nil { cudaToolkit = StackVersion.parse(first) }
        for token in tokens.dropFirst() {
            if token.hasPrefix("cudnn") {
                includesCudnn = true
                cudnnMajor = Int(token.dropFirst(5))
            } else if let flavor = Flavor(rawValue: token) {
                self.flavor = flavor
            } else if let (id, version) = Self.splitOSToken(token) {
                setOS(id: id, version: version)
            }
        }
    }

    /// `pytorch-training:2.8.0-gpu-py312-cu129-ubuntu22.04-ec2`; the `base` repository's version
    /// is its CUDA toolkit.
    private mutating func readDLC(_ tag: String, repository: String) {
        let tokens = tag.split(separator: "-").map(String.init)
        guard let first = tokens.first, let version = StackVersion.parse(first) else { return }
        if repository.contains("pytorch") {
            torch = version
        } else if repository == "base" {
            cudaToolkit = version
            cuda = CudaVersion.parseDotted(first)
        }
        for token in tokens.dropFirst() {
            if token == "gpu" {
                expectsGPU = true
            } else if token == "cpu" {
                expectsGPU = false
            } else if token.hasPrefix("py"), let python = Self.compactPython(String(token.dropFirst(2))) {
                self.python = python
            } else if let cuda = CudaVersion.parseWheelTag(token) {
                self.cuda = cuda
                expectsGPU = true
            } else if let (id, osVersion) = Self.splitOSToken(token) {
                setOS(id: id, version: osVersion)
            }
        }
        // The DLC's Python is not the distribution's; whether pip needs a venv there is unknown.
        systemPythonExternallyManaged = nil
    }

    /// `python:3.12-slim-bookworm`, `3.11-alpine3.19`, `3.12`.
    private mutating func readPython(_ tag: String) {
        systemPythonExternallyManaged = false
        let tokens = tag.split(separator: "-").map(String.init)
        if let first = tokens.first, let version = StackVersion.parse(first), version.release.count >= 2 {
            python = version.line
        }
        osID = "debian"
        for token in tokens {
            if token.hasPrefix("alpine") {
                usesMusl = true
                osID = "alpine"
                osVersion = token.count > 6 ? String(token.dropFirst(6)) : nil
            } else if token.hasPrefix("windowsservercore") || token.hasPrefix("nanoserver") {
                osID = "windows"
            } else if let os = OperatingSystemFacts.lookup(id: "debian", version: token), os.codename == token {
                setOS(id: "debian", version: token)
            }
        }
        // The image's Python is its own build in /usr/local, not the distribution's.
        systemPythonExternallyManaged = false
    }

    /// `registry.access.redhat.com/ubi9/ubi:9.4`, `ubi8/python-311`, `redhat/ubi9-minimal`.
    private mutating func readUBI(_ tag: String, path: [String]) {
        if let component = path.first(where: Self.isUBIComponent) {
            setOS(id: "rhel", version: String(component.dropFirst(3)))
        }
        for component in path where component.hasPrefix("python-") {
            let digits = String(component.dropFirst("python-".count))
            if let python = Self.compactPython(digits) {
                self.python = python
                systemPythonExternallyManaged = false
            }
        }
    }

    /// `centos:7`, `centos:centos7`, `rockylinux:9.3`, `almalinux:8`, `quay.io/centos/centos:stream9`.
    private mutating func readOtherDistribution(_ tag: String, path: [String]) {
        let last = path.last ?? ""
        let official = path.count <= 1 || path[path.count - 2] == "library" || path[path.count - 2] == last
        guard official, ["centos", "rockylinux", "almalinux", "oraclelinux"].contains(last) else { return }
        var version = firstToken(tag)
        for prefix in ["centos", "stream"] where version.hasPrefix(prefix) { version = String(version.dropFirst(prefix.count)) }
        guard !version.isEmpty else { return }
        setOS(id: last == "centos" ? "centos" : "rhel", version: version)
    }

    /// Names the OS and copies what the tables know about it (glibc, python3, PEP 668).
    mutating func setOS(id: String, version: String) {
        guard !version.isEmpty else { return }
        osID = id
        osVersion = version
        guard let known = OperatingSystemFacts.lookup(id: id, version: version) else { return }
        os = known
        glibc = known.glibc
        if !known.isVerified("glibc") { unverified.insert("glibc") }
        if osPython == nil {
            osPython = known.python
            if !known.isVerified("python") { unverified.insert("osPython") }
        }
        if family == .nvidiaCuda || family == .ubuntu || family == .debian || family == .amazonlinux || family == .ubi || family == .other {
            if systemPythonExternallyManaged == nil { systemPythonExternallyManaged = known.externallyManaged }
        }
    }

    /// `ubuntu22.04` → (ubuntu, 22.04), `ubi8` → (rhel, 8), `rockylinux9` → (rhel, 9), `centos7` → (centos, 7).
    static func splitOSToken(_ token: String) -> (String, String)? {
        let letters = token.prefix(while: { $0.isLetter })
        let version = token.dropFirst(letters.count)
        guard !letters.isEmpty, let firstDigit = version.first, firstDigit.isNumber else { return nil }
        switch String(letters) {
        case "ubuntu": return ("ubuntu", String(version))
        case "ubi", "rockylinux", "rhel", "oraclelinux", "almalinux": return ("rhel", String(version))
        case "centos": return ("centos", String(version))
        case "debian": return ("debian", String(version))
        case "al": return ("amzn", String(version))
        case "amzn", "amazonlinux": return ("amzn", String(version))
        default: return nil
        }
    }

    /// `312` → 3.12, `38` → 3.8, `310` → 3.10.
    static func compactPython(_ digits: String) -> StackVersion? {
        guard (2...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let major = Int(digits.prefix(1)), let minor = Int(digits.dropFirst()) else { return nil }
        return StackVersion([major, minor])
    }
}
