/// A parsed 5-field cron expression, as written in a workflow's `schedule:` entries.
///
/// The semantics are those of Vixie cron / cronie (crontab(5)):
///
/// - Five fields separated by one or more spaces or tabs (leading and trailing ones are ignored):
///   minute (0-59), hour (0-23), day of month (1-31), month (1-12 or `jan`-`dec`),
///   day of week (0-7 or `sun`-`sat`; 0 and 7 are both Sunday).
/// - Each field is a `,`-separated list of items. An item is `*`, a value, or a range `a-b`,
///   optionally followed by a step `/n` (`0-23/2`, `*/15`). A step after a single value means
///   "from that value to the field's maximum": `5/15` is `5-59/15` (cronie). For the day of week the
///   maximum is 7, so `1/2` is 1,3,5,7 — Monday, Wednesday, Friday and Sunday — as in cronie.
/// - Names are three letters in any case. crontab(5) allows names only as single values, but
///   flow, like cronie's parser, also accepts them in ranges and lists (`mon-fri`, `jan,jul`,
///   `fri-7`). Steps are always numbers.
/// - Macros, in any case: `@yearly`/`@annually` (`0 0 1 1 *`), `@monthly` (`0 0 1 * *`),
///   `@weekly` (`0 0 * * 0`), `@daily`/`@midnight` (`0 0 * * *`), `@hourly` (`0 * * * *`).
///   `@reboot` is rejected: a schedule fires at clock times.
/// - Stricter than cron: a step larger than the field's span (`*/60` in the minute field) is an
///   error, because it selects only the start value and is almost always a mistake.
/// - A cron expression is one line; line breaks and non-ASCII whitespace are errors.
///
/// Day matching follows Vixie cron exactly. A day field is *restricted* when its text does not
/// start with `*`; note that `*/2` starts with `*` and so counts as unrestricted, as in Vixie cron.
/// When both day fields are restricted, a day matches if EITHER matches (`0 0 1,15 * 1` fires on
/// the 1st, the 15th and every Monday). Otherwise BOTH must match; with a plain `*` that means
/// only the other field counts, and with `*/2 * 1` it means odd days that are also Mondays.
///
/// Equality compares the source text too: `@daily` and `0 0 * * *` select the same times but are
/// different values. `description` is the source text.
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The text as it was given to `parse`.
    public let source: String

    public let minutes: CronField
    public let hours: CronField
    public let daysOfMonth: CronField
    public let months: CronField
    /// Days of the week, normalised to 0-6 with 0 = Sunday (a `7` in the source becomes 0).
    public let daysOfWeek: CronField

    private let domRestricted: Bool
    private let dowRestricted: Bool

    /// Whether the hour field starts with `*` (`*`, `*/2`): such an entry follows real time across
    /// a DST change (see ``ScheduleTimeline``); an entry with fixed hours follows the wall clock.
    public let hourFollowsRealTime: Bool

    init(source: String, minutes: CronField, hours: CronField, daysOfMonth: CronField,
         months: CronField, daysOfWeek: CronField, dayOfMonthRestricted: Bool, dayOfWeekRestricted: Bool,
         hourFollowsRealTime: Bool) {
        self.source = source
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.daysOfWeek = daysOfWeek
        self.domRestricted = dayOfMonthRestricted
        self.dowRestricted = dayOfWeekRestricted
        self.hourFollowsRealTime = hourFollowsRealTime
    }

    /// Parses `text`; the error's position is relative to `text` (line 1, 1-based column counted
    /// in Unicode scalars).
    public static func parse(_ text: String) throws(CronError) -> CronExpression {
        try CronParser(text).parse()
    }

    /// Whether the day-of-month field does not start with `*` (so `*/2` is not restricted).
    public var dayOfMonthRestricted: Bool { domRestricted }

    /// Whether the day-of-week field does not start with `*` (so `*/2` is not restricted).
    public var dayOfWeekRestricted: Bool { dowRestricted }

    /// Whether a civil date-time matches: `minute` 0-59, `hour` 0-23, `day` 1-31, `month` 1-12,
    /// `weekday` 0-6 with 0 = Sunday (7 is also accepted as Sunday). Out-of-range values never match.
    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour) else { return false }
        return matchesDate(day: day, month: month, weekday: weekday)
    }

    /// Whether a civil date matches the day-of-month, month and day-of-week fields (the day rule
    /// above), whatever the minute and hour.
    public func matchesDate(day: Int, month: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dayMatches = daysOfMonth.contains(day)
        let weekdayMatches = daysOfWeek.contains(weekday == 7 ? 0 : weekday)
        if domRestricted && dowRestricted {
            return dayMatches || weekdayMatches
        }
        return dayMatches && weekdayMatches
    }

    public var description: String { source }
}

/// The set of values one cron field allows (a bit set over 0-63).
public struct CronField: Hashable, Sendable {
    let bits: UInt64

    init(bits: UInt64) {
        self.bits = bits
    }

    public func contains(_ v: Int) -> Bool {
        v >= 0 && v < 64 && bits & (1 << UInt64(v)) != 0
    }

    /// The allowed values in ascending order.
    public var values: [Int] {
        (0..<64).filter(contains)
    }
}

/// Why a cron expression could not be parsed.
public struct CronError: Error, Hashable, Sendable {
    /// What is wrong, e.g. "minute `60` is out of range 0-59".
    public var message: String
    /// Where, relative to the parsed text: line 1, 1-based column in Unicode scalars.
    public var position: TextPosition
    /// An optional suggestion for fixing it.
    public var hint: String?

    public init(message: String, position: TextPosition, hint: String? = nil) {
        self.message = message
        self.position = position
        self.hint = hint
    }
}
