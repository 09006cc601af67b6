/// What the knowledge tables say about one operating system release: its glibc, the version of
/// its `python3` package, and whether that Python is marked externally managed (PEP 668).
public struct OperatingSystemFacts: Sendable, Hashable {
    /// `ubuntu`, `debian`, `rhel` (also for UBI, Rocky, Alma), `centos`, `amzn`.
    public var id: String
    /// `22.04`, `12`, `9`, `2023`.
    public var version: String
    public var codename: String?
    public var glibc: StackVersion
    /// The distribution's `python3` (not necessarily installed in the image).
    public var python: StackVersion
    /// The distribution marks its Python externally managed: `pip install` outside a venv fails
    /// with `error: externally-managed-environment` unless told `--break-system-packages`.
    public var externallyManaged: Bool
    /// Fields a source did not confirm.
    public var unverified: Set<String>

    /// `Ubuntu 22.04`.
    public var displayName: String {
        let names = ["ubuntu": "Ubuntu", "debian": "Debian", "rhel": "RHEL", "centos": "CentOS", "amzn": "Amazon Linux"]
        return "\(names[id] ?? id) \(version)"
    }

    /// Every operating system in the table.
    public static let all: [OperatingSystemFacts] = KnowledgeTables.images.table.operatingSystems.compactMap { entry in
        guard let glibc = StackVersion.parse(entry.glibc), let python = StackVersion.parse(entry.python) else { return nil }
        return OperatingSystemFacts(id: entry.id, version: entry.version, codename: entry.codename, glibc: glibc,
                                    python: python, externallyManaged: entry.externallyManaged,
                                    unverified: Set(entry.unverified ?? []))
    }

    static let aliases: [String: String] = KnowledgeTables.images.table.osAliases

    /// Looks up `ubuntu 22.04`, `debian bookworm`, `debian 12.5`, `rockylinux 9.3`, `amzn 2023.6`.
    /// The version may be a codename; a dotted version falls back to its major when the table
    /// keys the OS by major (Debian, RHEL, Amazon Linux). nil when the table does not know it.
    public static func lookup(id rawID: String, version rawVersion: String) -> OperatingSystemFacts? {
        let lowerID = rawID.lowercased()
        let id = aliases[lowerID] ?? lowerID
        let version = rawVersion.lowercased()
        let candidates = all.filter { $0.id == id }
        if let exact = candidates.first(where: { $0.version == version || $0.codename == version }) { return exact }
        guard let major = version.split(separator: ".").first.map(String.init), major != version else { return nil }
        // Ubuntu is keyed by YY.MM: 22.04.5 names 22.04, but 22 alone names nothing.
        if id == "ubuntu" {
            let parts = version.split(separator: ".")
            guard parts.count >= 2 else { return nil }
            return candidates.first { $0.version == "\(parts[0]).\(parts[1])" }
        }
        return candidates.first { $0.version == major }
    }

    /// Whether the named field was confirmed from a source.
    public func isVerified(_ field: String) -> Bool { !unverified.contains(field) }
}
