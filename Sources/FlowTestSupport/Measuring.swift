import Foundation

extension Duration {
    /// The duration in seconds, as a `Double` (for measurements and reports).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`, …) in KiB; 0 where it cannot be read.
public func processStatusKiB(_ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
    return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
}
