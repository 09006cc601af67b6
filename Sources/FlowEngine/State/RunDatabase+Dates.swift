import Foundation
import GRDB
import FlowCore

/// Dates as the database holds them.
extension RunDatabase {
    /// A date as GRDB stores one ("yyyy-MM-dd HH:mm:ss.SSS" in UTC, milliseconds truncated),
    /// without GRDB's `DateFormatter`, which loads ICU's calendar and the zone database (more
    /// than the rest of a transition, and a large part of a short run's start). Every stored
    /// date goes through here: bound arguments, and records through ``StoredDates``.
    static func storedDate(_ date: Date) -> String {
        let c = CivilTime(date)
        return c.dateAndTime(separator: " ") + "." + CivilTime.digits(c.millisecond, 3)
    }

    /// A stored date read back: `yyyy-MM-dd HH:mm:ss[.SSS]` (UTC) by flow's own arithmetic;
    /// any other form GRDB reads (a number, an ISO 8601 variant) through GRDB.
    static func readStoredDate(_ value: DatabaseValue) -> Date? {
        if case .string(let text) = value.storage, let date = parseStoredDate(text) { return date }
        return Date.fromDatabaseValue(value)
    }

    static func parseStoredDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var at = 0
        guard let seconds = CivilTime.seconds(bytes, at: &at, separators: " ") else { return nil }
        var milliseconds = 0
        if at < bytes.count {
            guard bytes[at] == UInt8(ascii: "."), bytes.count == at + 4, let fraction = CivilTime.number(bytes, at + 1, 3) else { return nil }
            milliseconds = fraction
        } else if at != bytes.count {
            return nil
        }
        return Date(timeIntervalSince1970: Double(seconds * 1000 + milliseconds) / 1000)
    }
}

/// Dates in records as ``RunDatabase/storedDate(_:)`` writes them and reads them back
/// (`yyyy-MM-dd HH:mm:ss.SSS`, UTC: GRDB's own format), rather than through GRDB's
/// `DateFormatter` and `Calendar`, which load ICU's calendar and the zone database on first use.
public protocol StoredDates: FetchableRecord, EncodableRecord {}

extension StoredDates {
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom(RunDatabase.readStoredDate)
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { RunDatabase.storedDate($0) }
    }
}
