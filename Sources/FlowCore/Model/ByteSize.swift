/// A size in bytes as written in a pipeline: `512KiB`, `10MiB`, `1GiB`, or a plain number of
/// bytes. `K`, `KB` and `KiB` all mean 1,024 (as in Docker's `max-size` and most people's
/// reading of "10MB" for a log); `M…` 1,024², `G…` 1,024³.
public struct ByteSize: Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// Accepted values of `log-limit` (the log writer keeps half of it in memory).
    public static let logLimitRange = 1024...(64 << 20)

    static let units: [(suffixes: [String], factor: Int)] = [
        (["GiB", "GB", "G", "g", "gb"], 1 << 30),
        (["MiB", "MB", "M", "m", "mb"], 1 << 20),
        (["KiB", "KB", "K", "k", "kb"], 1 << 10),
        (["B", "b", ""], 1),
    ]

    /// Parses `text`; the error is a message for a diagnostic.
    public static func parse(_ text: String) -> Result<ByteSize, ByteSizeError> {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = String(text.dropFirst(digits.count).drop { $0 == " " })
        guard !digits.isEmpty, let number = Int(digits) else { return .failure(.malformed(text)) }
        guard let factor = units.first(where: { $0.suffixes.contains(unit) })?.factor else { return .failure(.malformed(text)) }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: factor)
        guard !overflow else { return .failure(.malformed(text)) }
        return .success(ByteSize(bytes: bytes))
    }

    /// The largest whole unit: `10MiB`, `512KiB`, `1500B`.
    public var description: String {
        for (suffixes, factor) in Self.units where factor > 1 && bytes % factor == 0 {
            return "\(bytes / factor)\(suffixes[0])"
        }
        return "\(bytes)B"
    }
}

public enum ByteSizeError: Error, Hashable, Sendable {
    case malformed(String)

    /// The message for the value of `what` (`` `log-limit` ``, "input `max-size`").
    public func message(for what: String) -> String {
        switch self {
        case .malformed(let t): return Messages.byteSizeMalformed(what, t)
        }
    }
}
