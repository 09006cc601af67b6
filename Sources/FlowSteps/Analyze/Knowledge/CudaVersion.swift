/// A CUDA major.minor, as PyTorch names its wheel builds (`cu121` is CUDA 12.1) and as images name
/// their toolkit (`12.1.1`; the patch is dropped, wheels are built per minor).
public struct CudaVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// Creates `major.minor`.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses a wheel tag: `cu121` → 12.1, `cu118` → 11.8, `cu92` → 9.2, `cu130` → 13.0.
    public static func parseWheelTag(_ tag: String) -> CudaVersion? {
        let lower = tag.lowercased()
        guard lower.hasPrefix("cu") else { return nil }
        let digits = lower.dropFirst(2)
        guard (2...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let minorDigit = digits.suffix(1)
        let majorDigits = digits.dropLast()
        guard let major = Int(majorDigits), let minor = Int(minorDigit), major > 0 else { return nil }
        return CudaVersion(major: major, minor: minor)
    }

    /// Parses a dotted version (`12.4`, `12.4.1`, `11.8.0`); nil without a minor.
    public static func parseDotted(_ text: String) -> CudaVersion? {
        guard let version = StackVersion.parse(text), version.release.count >= 2,
              version.major > 0, version.major < 100, version.minor < 10 else { return nil }
        return CudaVersion(major: version.major, minor: version.minor)
    }

    /// `cu121`.
    public var wheelTag: String { "cu\(major)\(minor)" }
    /// `12.1`.
    public var dotted: String { "\(major).\(minor)" }
    /// `https://download.pytorch.org/whl/cu121`.
    public var indexURL: String { "https://download.pytorch.org/whl/\(wheelTag)" }

    public var description: String { dotted }

    public static func < (a: CudaVersion, b: CudaVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }
}
