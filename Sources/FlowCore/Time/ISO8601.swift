import Foundation

/// ISO 8601 instants as flow prints and stores them in JSON: UTC, `2026-03-08T07:00:00.000Z`.
public enum ISO8601 {
    /// With milliseconds (event and run times).
    public static func string(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// Whole seconds (scheduled instants): `2026-03-08T07:00:00Z`.
    public static func seconds(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// An ISO 8601 / RFC 3339 instant with an offset or `Z`, with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
