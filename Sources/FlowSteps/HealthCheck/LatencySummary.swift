import Foundation

/// Request times of one check's try: nearest-rank percentiles in milliseconds.
struct LatencySummary: Sendable, Equatable {
    var count: Int
    var p50: Double
    var p95: Double
    var max: Double

    init?(_ milliseconds: [Double]) {
        guard !milliseconds.isEmpty else { return nil }
        let sorted = milliseconds.sorted()
        count = sorted.count
        p50 = Self.percentile(50, sorted)
        p95 = Self.percentile(95, sorted)
        max = sorted.last!
    }

    /// The nearest-rank percentile: the smallest value with at least `p`% of the values at or below it.
    static func percentile(_ p: Double, _ sorted: [Double]) -> Double {
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }

    /// `12 ms`, `0.4 ms`.
    static func text(_ milliseconds: Double) -> String {
        milliseconds >= 10 ? "\(Int(milliseconds.rounded())) ms" : String(format: "%.1f ms", milliseconds)
    }
}
