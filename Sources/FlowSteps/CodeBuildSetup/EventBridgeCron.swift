import Foundation
import FlowCore

/// A schedule entry (a 5-field cron expression in a time zone) as EventBridge can fire it.
///
/// EventBridge *rules* take `cron(min hour dom month dow year)`: six fields, UTC only, one of
/// day-of-month and day-of-week `?` (so they cannot be OR-ed), day-of-week 1-7 = SUN-SAT.
/// - A UTC entry converts directly; when both day fields are restricted (cron ORs them), it
///   takes two rules, one per day field.
/// - A zone without daylight saving time shifts the times by its offset; when that moves a
///   time across midnight, the days move with it (day-of-week always can; day-of-month only
///   when no day leaves the month; months only when days do not cross a month's end).
/// - A zone with daylight saving time has two offsets a year, so no one UTC rule keeps the
///   local time: the answer says so with the two UTC times, and gives the EventBridge
///   *Scheduler* form (`cron(…)` in local time with `ScheduleExpressionTimezone`) instead.
public enum EventBridgeCron {
    /// What EventBridge can do with an entry.
    public enum Conversion: Sendable, Equatable {
        /// EventBridge rule expressions (UTC) that together fire at the entry's times; `note`
        /// says what to know (two rules, a shifted day).
        case rules([String], note: String?)
        /// No rule set can: why, and the EventBridge Scheduler alternative (nil when there is none).
        case inexpressible(reason: String, scheduler: SchedulerForm?)
    }

    /// An EventBridge Scheduler schedule: `ScheduleExpression` in local time plus `ScheduleExpressionTimezone`.
    public struct SchedulerForm: Sendable, Equatable, CustomStringConvertible {
        public var expression: String
        public var timezone: String
        public var description: String { "\(expression) with ScheduleExpressionTimezone=\(timezone)" }
    }

    /// Converts `cron` in `timezone`; `reference` is the instant whose time-zone rules apply
    /// (daylight saving time from then on; the CLI passes now).
    public static func convert(_ cron: CronExpression, timezone: TimeZone, reference: Date) -> Conversion {
        let local = Fields(cron)
        let zoneName = timezone.identifier
        let schedulerForms = local.expressions().map { SchedulerForm(expression: $0, timezone: zoneName) }
        let scheduler = schedulerForms.count == 1 ? schedulerForms.first : nil

        if let why = local.dayProblem() {
            return .inexpressible(reason: why, scheduler: nil)
        }
        if let transition = timezone.nextDaylightSavingTimeTransition(after: reference) {
            return .inexpressible(reason: dstReason(cron, local, timezone, reference: reference, transition: transition),
                                  scheduler: scheduler)
        }
        let offset = timezone.secondsFromGMT(for: reference) / 60
        if offset == 0 { return finish(local.expressions(), note: nil, local: local) }

        // A fixed offset: every local (hour, minute) becomes a UTC one, maybe on another day.
        var utc: [(hour: Int, minute: Int)] = []
        var shifts = Set<Int>()
        for h in local.hours { for m in local.minutes {
            let total = h * 60 + m - offset
            shifts.insert(total >= 1440 ? 1 : total < 0 ? -1 : 0)
            let wrapped = ((total % 1440) + 1440) % 1440
            utc.append((wrapped / 60, wrapped % 60))
        } }
        let name = "\(zoneName) (UTC\(offsetText(offset)), no daylight saving time)"
        let daysMatter = local.limitsDays
        guard shifts.count == 1 || !daysMatter, let shift = daysMatter ? shifts.first : 0 else {
            return .inexpressible(reason: "in \(name) some of the entry's times fall on the previous or next day in UTC and others do not; "
                                      + "one EventBridge rule has one set of days", scheduler: scheduler)
        }
        let hours = Set(utc.map(\.hour)).sorted(), minutes = Set(utc.map(\.minute)).sorted()
        guard hours.count * minutes.count == utc.count else {
            return .inexpressible(reason: "in \(name) the entry's times are not one set of hours times one set of minutes in UTC", scheduler: scheduler)
        }
        var shifted = local
        shifted.hours = hours
        shifted.minutes = minutes
        var note: String?
        if shift != 0 {
            let direction = shift > 0 ? "the next day" : "the previous day"
            if daysMatter {
                if let why = shifted.shiftDays(by: shift) {
                    return .inexpressible(reason: "in \(name) the times fall on \(direction) in UTC, and \(why)", scheduler: scheduler)
                }
                note = "the times fall on \(direction) in UTC, so the days are shifted too"
            }
        }
        return finish(shifted.expressions(), note: note, local: shifted)
    }

    private static func finish(_ expressions: [String], note: String?, local: Fields) -> Conversion {
        guard expressions.count == 2 else { return .rules(expressions, note: note) }
        let both = "cron fires when EITHER day field matches and EventBridge cannot OR them, so it takes one rule per day field; "
            + "on a day both match, both rules fire (two builds at the same time)"
        return .rules(expressions, note: [both, note].compactMap { $0 }.joined(separator: "; "))
    }

    static func offsetText(_ minutes: Int) -> String {
        let sign = minutes < 0 ? "−" : "+"
        let a = abs(minutes)
        return a % 60 == 0 ? "\(sign)\(a / 60)" : "\(sign)\(a / 60):\(String(format: "%02d", a % 60))"
    }

    private static func dstReason(_ cron: CronExpression, _ local: Fields, _ zone: TimeZone, reference: Date, transition: Date) -> String {
        // The two offsets: now, and just after the next change.
        let now = zone.secondsFromGMT(for: reference) / 60
        let then = zone.secondsFromGMT(for: transition.addingTimeInterval(3600)) / 60
        let (standard, summer) = (min(now, then), max(now, then))
        let following = zone.nextDaylightSavingTimeTransition(after: transition.addingTimeInterval(3600)) ?? transition
        let month: (Date) -> String = { date in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][calendar.component(.month, from: date) - 1]
        }
        // Which change starts summer time, which ends it.
        let (toSummer, toStandard) = then > now ? (transition, following) : (following, transition)
        var text = "\(zone.identifier) is UTC\(offsetText(standard)) in winter and UTC\(offsetText(summer)) in summer"
        if let h = local.hours.first, let m = local.minutes.first {
            let clock = { (minutes: Int) -> String in
                let t = ((minutes % 1440) + 1440) % 1440
                return String(format: "%02d:%02d", t / 60, t % 60)
            }
            text += ": \(clock(h * 60 + m)) local is \(clock(h * 60 + m - standard)) UTC from \(month(toStandard)) to \(month(toSummer))"
                + " and \(clock(h * 60 + m - summer)) UTC from \(month(toSummer)) to \(month(toStandard))"
        }
        return text + "; an EventBridge rule is UTC only, so no one rule keeps the local time. Use EventBridge Scheduler with "
            + "ScheduleExpressionTimezone=\(zone.identifier), or two rules, each enabled for its part of the year"
    }
}

/// The five cron fields as value sets, and their EventBridge text.
struct EventBridgeFields {
    var minutes: [Int]
    var hours: [Int]
    var daysOfMonth: [Int]
    var months: [Int]
    /// 0-6, 0 = Sunday.
    var daysOfWeek: [Int]
    var dayOfMonthRestricted: Bool
    var dayOfWeekRestricted: Bool
    var monthRestricted: Bool { months.count < 12 }
    /// Whether the entry fires on some days only (not every day of every month).
    var limitsDays: Bool { !domFull || !dowFull || monthRestricted }
    var domFull: Bool { daysOfMonth.count == 31 }
    var dowFull: Bool { daysOfWeek.count == 7 }

    init(_ cron: CronExpression) {
        minutes = cron.minutes.values
        hours = cron.hours.values
        daysOfMonth = cron.daysOfMonth.values
        months = cron.months.values
        daysOfWeek = cron.daysOfWeek.values
        dayOfMonthRestricted = cron.dayOfMonthRestricted
        dayOfWeekRestricted = cron.dayOfWeekRestricted
    }

    /// Why the day fields cannot be written with one of them `?`: cron ANDs them when neither
    /// or only one is restricted and both still select a subset (`*/2` counts as unrestricted).
    func dayProblem() -> String? {
        if dayOfMonthRestricted && dayOfWeekRestricted { return nil }
        if !domFull && !dowFull {
            return "the entry fires only on days that match BOTH its day of month and its day of week (a field starting with `*` counts as unrestricted in cron), "
                + "and EventBridge needs one of them to be `?`"
        }
        return nil
    }

    /// The EventBridge expressions: one, or two when both day fields are restricted (cron's OR).
    func expressions() -> [String] {
        let min = Self.text(minutes, range: 0...59), hour = Self.text(hours, range: 0...23)
        let month = Self.text(months, range: 1...12)
        let dom = Self.text(daysOfMonth, range: 1...31)
        let dow = Self.text(daysOfWeek.map { $0 + 1 }, range: 1...7, steps: false)
        let rule = { (d: String, w: String) in "cron(\(min) \(hour) \(d) \(month) \(w) *)" }
        if dayOfMonthRestricted && dayOfWeekRestricted { return [rule(dom, "?"), rule("?", dow)] }
        if !dowFull { return [rule("?", dow)] }
        return [rule(dom, "?")]
    }

    /// Moves the days by one (the UTC time is on the next or previous day); why not, if it cannot.
    mutating func shiftDays(by shift: Int) -> String? {
        daysOfWeek = daysOfWeek.map { (($0 + shift) % 7 + 7) % 7 }.sorted()
        let usesDayOfMonth = !domFull || dayOfMonthRestricted
        if usesDayOfMonth {
            if shift > 0 && daysOfMonth.contains(where: { $0 >= 28 }) {
                return "day of month \(daysOfMonth.filter { $0 >= 28 }.map(String.init).joined(separator: ",")) may be the last of its month, "
                    + "so the UTC day would be the 1st of the next month: EventBridge cannot say that"
            }
            if shift < 0 && daysOfMonth.contains(1) {
                return "the 1st of the month is the last day of the previous month in UTC: EventBridge's `L` cannot be tied to the previous month's number"
            }
            daysOfMonth = daysOfMonth.map { $0 + shift }
        } else if monthRestricted {
            return "the first or last day of the entry's months moves into another month; EventBridge cannot say that"
        }
        return nil
    }

    /// `*`, a step (`*/n`, `a/n`; not in day-of-week, where EventBridge allows no `/`), or a
    /// list of values and ranges.
    static func text(_ values: [Int], range: ClosedRange<Int>, steps: Bool = true) -> String {
        if values.count == range.count { return "*" }
        if steps && values.count >= 3 {
            let step = values[1] - values[0]
            if step > 1, zip(values, values.dropFirst()).allSatisfy({ $1 - $0 == step }), values.last! + step > range.upperBound {
                return values[0] == range.lowerBound ? "*/\(step)" : "\(values[0])/\(step)"
            }
        }
        var parts: [String] = []
        var i = 0
        while i < values.count {
            var j = i
            while j + 1 < values.count && values[j + 1] == values[j] + 1 { j += 1 }
            parts.append(j - i >= 2 ? "\(values[i])-\(values[j])" : (i...j).map { String(values[$0]) }.joined(separator: ","))
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

extension EventBridgeCron {
    typealias Fields = EventBridgeFields
}

extension EventBridgeCron {
    /// The text `flow codebuild schedule` prints: per entry, its location, cron and zone, then
    /// the rules (one per line, indented) or why there are none and the Scheduler form.
    public static func describe(_ entries: [ScheduleEntry], reference: Date) -> String {
        var out = ""
        for entry in entries {
            let zoneName = entry.timezone?.value ?? "UTC"
            out += "\(entry.location): \"\(entry.cron.text)\" (\(zoneName))\n"
            guard let cron = try? CronExpression.parse(entry.cron.text), let zone = TimeZone(identifier: zoneName) else {
                out += "  invalid entry (see flow validate)\n"
                continue
            }
            switch convert(cron, timezone: zone, reference: reference) {
            case .rules(let rules, let note):
                for rule in rules { out += "  \(rule)\n" }
                if let note { out += "  note: \(note)\n" }
            case .inexpressible(let reason, let scheduler):
                out += "  no EventBridge rule: \(reason)\n"
                if let scheduler { out += "  EventBridge Scheduler: \(scheduler)\n" }
            }
        }
        return out
    }
}
