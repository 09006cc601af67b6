import Foundation

/// The instants a cron expression fires at in one time zone, with Vixie/ISC cron's rules for
/// daylight-saving changes:
///
/// - An entry with fixed hours (the hour field does not start with `*`) follows the wall clock.
///   A local time that does not exist (spring forward) fires once, at the first valid instant
///   after the jump (the transition itself: 02:30 on the day New York skips 02:00-02:59 fires at
///   03:00 EDT), and several skipped times collapse into that one fire. A local time that occurs
///   twice (fall back) fires once, at its first occurrence.
/// - An entry whose hour field is `*` or `*/n` follows real time: skipped local minutes do not
///   fire, and a repeated hour fires in both of its occurrences, so `*/15 * * * *` keeps firing
///   every 15 minutes of real time.
///
/// Instants are whole minutes (seconds since 1970, UTC). Pure: it reads only the time zone
/// rules of `zone`, never the clock.
public struct ScheduleTimeline: Sendable {
    public let cron: CronExpression
    public let zone: TimeZone

    /// How far ahead `next` looks before it says an expression never fires (`0 0 30 2 *`):
    /// eight years cover every leap-year and weekday combination a 5-field expression can need.
    static let searchDays: Int64 = 8 * 366

    public init(cron: CronExpression, zone: TimeZone) {
        self.cron = cron
        self.zone = zone
    }

    /// The first fire strictly after `instant`, or nil when the expression never fires.
    public func next(after instant: Date) -> Date? {
        instants(after: instant, through: nil, limit: 1).first
    }

    /// The fires strictly after `start` and at or before `end` (no bound when nil), ascending,
    /// at most `limit` of them.
    public func instants(after start: Date, through end: Date?, limit: Int) -> [Date] {
        guard limit > 0 else { return [] }
        let startSecond = Int64(start.timeIntervalSince1970.rounded(.down))
        let endSecond = end.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
        if let endSecond, endSecond <= startSecond { return [] }
        // A fire can land up to a day from its civil date (offsets, a collapsed gap), so the
        // walk starts a day early and, once it has enough, takes one more day before sorting:
        // only a day next to a change of offset can hold a fire earlier than the day before's.
        var day = Self.floorDiv(startSecond + Int64(offset(at: startSecond)), 86_400) - 1
        let lastDay = endSecond.map { Self.floorDiv($0 + Int64(offset(at: $0)), 86_400) + 1 } ?? day + Self.searchDays
        var found = Set<Int64>()
        var extraDays = -1
        while day <= lastDay, extraDays != 0 {
            for second in fires(onDay: day) where second > startSecond && (endSecond.map { second <= $0 } ?? true) {
                found.insert(second)
            }
            if extraDays < 0, found.count >= limit { extraDays = 1 }
            if extraDays > 0 { extraDays -= 1 }
            day += 1
        }
        return found.sorted().prefix(limit).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The fire instants of one local civil day (days since 1970-01-01), unsorted.
    func fires(onDay day: Int64) -> [Int64] {
        let (_, month, dayOfMonth) = Self.civil(fromDays: day)
        let weekday = Int(((day % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
        guard cron.matchesDate(day: dayOfMonth, month: month, weekday: weekday) else { return [] }
        var result: [Int64] = []
        let hours = cron.hours.values
        let minutes = cron.minutes.values
        // Most days are far from any change of offset: then every local time is one instant.
        if let offset = steadyOffset(aroundDay: day) {
            for hour in hours {
                for minute in minutes {
                    result.append(day * 86_400 + Int64(hour * 3600 + minute * 60) - offset)
                }
            }
            return result
        }
        let pieces = OffsetPieces(self, aroundDay: day)
        for hour in hours {
            for minute in minutes {
                let mapped = pieces.instants(ofLocal: day * 86_400 + Int64(hour * 3600 + minute * 60))
                if cron.hourFollowsRealTime {
                    result += mapped.valid
                } else if let first = mapped.valid.first {
                    result.append(first)
                } else if let jump = mapped.gapEnd {
                    result.append(jump)
                }
            }
        }
        return result
    }

    /// The zone's offset when it is the same from two days before `day` to two days after
    /// (sampled every twelve hours: no zone's offset changes and changes back within twelve
    /// hours), else nil. The time zone calls are what a walk over days costs, so few of them.
    func steadyOffset(aroundDay day: Int64) -> Int64? {
        let first = Int64(offset(at: (day - 2) * 86_400))
        var second = (day - 2) * 86_400 + 12 * 3600
        while second <= (day + 3) * 86_400 {
            if Int64(offset(at: second)) != first { return nil }
            second += 12 * 3600
        }
        return first
    }

    func offset(at second: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second)))
    }

    /// `instant` as ISO 8601 with the zone's offset at that instant: `2026-03-08T03:00:00-04:00`.
    public func format(_ instant: Date) -> String {
        Self.format(instant, in: zone)
    }

    /// `instant` as ISO 8601 with `zone`'s offset at that instant (`+00:00` for UTC).
    public static func format(_ instant: Date, in zone: TimeZone) -> String {
        let second = Int64(instant.timeIntervalSince1970.rounded(.down))
        let offset = zone.secondsFromGMT(for: instant)
        let local = second + Int64(offset)
        let (year, month, day) = civil(fromDays: floorDiv(local, 86_400))
        let inDay = Int(local - floorDiv(local, 86_400) * 86_400)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let yearText = year >= 0 && year < 10_000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))"
            + "\(sign)\(two(magnitude / 3600)):\(two(magnitude / 60 % 60))"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        Int64(CivilTime.floorDivide(Int(a), Int(b)).quotient)
    }

    /// The proleptic Gregorian date of a day number (days since 1970-01-01), by ``CivilTime``.
    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        CivilTime.civil(fromDays: Int(days))
    }
}

/// The zone's offsets from two days before a civil day to two days after it, as pieces of
/// constant offset (each change found to the second), so mapping the day's local times to
/// instants costs no further time zone calls.
struct OffsetPieces {
    /// The instant each piece starts (the first piece has no start).
    private var starts: [Int64] = [.min]
    private var offsets: [Int64]

    /// Samples every hour (no zone changes its offset twice within an hour) and bisects each change.
    init(_ timeline: ScheduleTimeline, aroundDay day: Int64) {
        var previous = (day - 2) * 86_400
        offsets = [Int64(timeline.offset(at: previous))]
        var sample = previous + 3600
        while sample <= (day + 3) * 86_400 {
            let current = Int64(timeline.offset(at: sample))
            if let last = offsets.last, current != last {
                var low = previous
                var high = sample
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if Int64(timeline.offset(at: middle)) == last { low = middle } else { high = middle }
                }
                starts.append(high)
                offsets.append(current)
            }
            previous = sample
            sample += 3600
        }
    }

    /// The instants whose local time is `local` (seconds since 1970 read as a civil time): none
    /// in a gap (then `gapEnd` is the instant the gap ends), two in a repeated hour, ascending.
    func instants(ofLocal local: Int64) -> (valid: [Int64], gapEnd: Int64?) {
        var valid: [Int64] = []
        for index in offsets.indices {
            let instant = local - offsets[index]
            let end = index + 1 < starts.count ? starts[index + 1] : .max
            if instant >= starts[index] && instant < end { valid.append(instant) }
        }
        if !valid.isEmpty { return (valid, nil) }
        for index in offsets.indices.dropFirst() where offsets[index] > offsets[index - 1] {
            let change = starts[index]
            if local >= change + offsets[index - 1] && local < change + offsets[index] { return ([], change) }
        }
        return ([], nil)
    }
}
