import Foundation

/// ISO 8601 instants as flow prints and stores them in JSON: UTC, `2026-03-08T07:00:00.000Z`.
///
/// Written out with the proleptic Gregorian calendar's arithmetic (`CivilTime`) rather than
/// `ISO8601DateFormatter`: the formatter loads ICU's calendar and the zone database on first
/// use, a few milliseconds of every `flow run`'s start, for a format that never changes.
public enum ISO8601 {
    /// With milliseconds (event and run times).
    public static func string(_ date: Date) -> String {
        let time = CivilTime(date)
        return time.dateAndTime() + "." + CivilTime.digits(time.millisecond, 3) + "Z"
    }

    /// Whole seconds (scheduled instants): `2026-03-08T07:00:00Z`.
    public static func seconds(_ date: Date) -> String {
        CivilTime(date).dateAndTime() + "Z"
    }

    /// An ISO 8601 / RFC 3339 instant with an offset or `Z`, with or without fractional seconds:
    /// `2026-03-08T07:00:00Z`, `2026-03-08T07:00:00.5+01:00`. The `T` may be lower case.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var reader = DigitReader(bytes: bytes, at: 0)
        guard let whole = CivilTime.seconds(bytes, at: &reader.at, separators: "Tt") else { return nil }
        var fraction = 0.0
        if reader.expect(".") {
            var scale = 0.1
            let start = reader.at
            while let digit = reader.number(1) {
                fraction += Double(digit) * scale
                scale /= 10
            }
            guard reader.at > start else { return nil }
        }
        var offset = 0
        if reader.expect("Zz") {
            offset = 0
        } else if let sign = reader.expect("-") ? -1 : reader.expect("+") ? 1 : nil {
            guard let hours = reader.number(2), reader.expect(":"), let minutes = reader.number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard reader.at == bytes.count else { return nil }
        return Date(timeIntervalSince1970: Double(whole - offset) + fraction)
    }
}

/// A reading position in ASCII text, for the date and time parsers: each read that fits moves past
/// what it read; one that does not leaves the position where it was.
struct DigitReader {
    let bytes: [UInt8]
    var at: Int

    /// The next `count` bytes as a decimal number, if they are all digits.
    mutating func number(_ count: Int) -> Int? {
        guard let value = CivilTime.number(bytes, at, count) else { return nil }
        at += count
        return value
    }

    /// Whether the next byte is one of `characters` (ASCII).
    mutating func expect(_ characters: String) -> Bool {
        guard at < bytes.count, characters.utf8.contains(bytes[at]) else { return false }
        at += 1
        return true
    }
}

/// A UTC instant as calendar fields, by Howard Hinnant's days-from-civil algorithms.
public struct CivilTime: Equatable, Sendable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    public init(_ date: Date) {
        // To the nearest microsecond first, then down to the millisecond, as Foundation's
        // formatters read a Date: `x.231` stored as x.23099994 is still .231.
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let milliseconds = Int((microseconds / 1000).rounded(.down))
        let (days, inDay) = Self.floorDivide(milliseconds, 86_400_000)
        (year, month, day) = Self.civil(fromDays: days)
        hour = inDay / 3_600_000
        minute = inDay / 60_000 % 60
        second = inDay / 1000 % 60
        millisecond = inDay % 1000
    }

    /// `2026-03-08T07:00:00` (`separator` between the date and the time).
    public func dateAndTime(separator: String = "T") -> String {
        Self.digits(year, 4) + "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2) + separator
            + Self.digits(hour, 2) + ":" + Self.digits(minute, 2) + ":" + Self.digits(second, 2)
    }

    /// Reads `YYYY-MM-DD?HH:MM:SS` (`?` one of `separators`) from `bytes` at `at`, moving past
    /// it: seconds since 1970-01-01 (UTC), or nil when it is not a real date and time.
    public static func seconds(_ bytes: [UInt8], at: inout Int, separators: String) -> Int? {
        var r = DigitReader(bytes: bytes, at: at)
        guard let year = r.number(4), r.expect("-"), let month = r.number(2), r.expect("-"), let day = r.number(2), r.expect(separators),
              let hour = r.number(2), r.expect(":"), let minute = r.number(2), r.expect(":"), let second = r.number(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        at = r.at
        return days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// The `count` ASCII digits of `bytes` from `start` as a number; nil when any is not a digit.
    public static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start >= 0, start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + count)] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// `value` with leading zeros to `width` digits (a negative year keeps its sign).
    public static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Days since 1970-01-01 of a Gregorian date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400).quotient
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let quotient = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
        return (quotient, value - quotient * divisor)
    }
}
