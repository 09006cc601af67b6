import Testing
import FlowCore

private func parse(_ text: String) throws -> CronExpression {
    try CronExpression.parse(text)
}

private func parseError(_ text: String) -> CronError? {
    do {
        _ = try CronExpression.parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite("CronExpression: valid expressions")
struct CronExpressionValidTests {
    @Test func dailyAtTwo() throws {
        let e = try parse("0 2 * * *")
        #expect(e.minutes.values == [0])
        #expect(e.hours.values == [2])
        #expect(e.daysOfMonth.values == Array(1...31))
        #expect(e.months.values == Array(1...12))
        #expect(e.daysOfWeek.values == Array(0...6))
        #expect(!e.dayOfMonthRestricted)
        #expect(!e.dayOfWeekRestricted)
        #expect(e.source == "0 2 * * *")
        #expect(e.description == "0 2 * * *")
    }

    @Test func listsAndBothDayFields() throws {
        let e = try parse("30 4 1,15 * 5")
        #expect(e.minutes.values == [30])
        #expect(e.hours.values == [4])
        #expect(e.daysOfMonth.values == [1, 15])
        #expect(e.months.values == Array(1...12))
        #expect(e.daysOfWeek.values == [5])
        #expect(e.dayOfMonthRestricted)
        #expect(e.dayOfWeekRestricted)
    }

    @Test(arguments: [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"), ("@DAILY", "0 0 * * *"), ("  @Weekly\t", "0 0 * * 0"),
    ])
    func macroExpandsTo(_ macro: String, _ fields: String) throws {
        let m = try parse(macro)
        let f = try parse(fields)
        #expect(m.source == macro)
        #expect(m.minutes == f.minutes)
        #expect(m.hours == f.hours)
        #expect(m.daysOfMonth == f.daysOfMonth)
        #expect(m.months == f.months)
        #expect(m.daysOfWeek == f.daysOfWeek)
        #expect(m.dayOfMonthRestricted == f.dayOfMonthRestricted)
        #expect(m.dayOfWeekRestricted == f.dayOfWeekRestricted)
    }

    @Test func weeklyMacroMatchesSundayMidnightOnly() throws {
        let e = try parse("@weekly")
        #expect(e.dayOfWeekRestricted && !e.dayOfMonthRestricted)
        #expect(e.matches(minute: 0, hour: 0, day: 7, month: 6, weekday: 0))
        #expect(!e.matches(minute: 0, hour: 0, day: 8, month: 6, weekday: 1))
        #expect(!e.matches(minute: 1, hour: 0, day: 7, month: 6, weekday: 0))
    }

    @Test(arguments: ["jan", "JAN", "Jan", "jAn"])
    func monthNamesInAnyCase(_ name: String) throws {
        #expect(try parse("0 0 1 \(name) *").months.values == [1])
    }

    @Test(arguments: [("sun", 0), ("MON", 1), ("Tue", 2), ("wed", 3), ("thu", 4), ("FRI", 5), ("sat", 6)])
    func dayNamesInAnyCase(_ name: String, _ value: Int) throws {
        #expect(try parse("0 0 * * \(name)").daysOfWeek.values == [value])
    }

    @Test func allMonthNames() throws {
        let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        #expect(try parse("0 0 1 \(names.joined(separator: ",")) *").months.values == Array(1...12))
        #expect(try parse("0 0 1 DEC *").months.values == [12])
    }

    @Test func nameRangesAndListsAreAccepted() throws {
        #expect(try parse("0 9 * * mon-fri").daysOfWeek.values == [1, 2, 3, 4, 5])
        #expect(try parse("0 9 * * MON-Fri").daysOfWeek.values == [1, 2, 3, 4, 5])
        #expect(try parse("0 9 * jan,jul *").months.values == [1, 7])
        #expect(try parse("0 9 * jun-aug *").months.values == [6, 7, 8])
        #expect(try parse("0 9 * * sat,sun").daysOfWeek.values == [0, 6])
        #expect(try parse("0 9 * * fri-7").daysOfWeek.values == [0, 5, 6])
        #expect(try parse("0 9 * * 1-fri").daysOfWeek.values == [1, 2, 3, 4, 5])
        #expect(try parse("0 9 * jan-dec/3 *").months.values == [1, 4, 7, 10])
    }

    @Test func sevenIsSunday() throws {
        let e = try parse("0 0 * * 7")
        #expect(e.daysOfWeek.values == [0])
        #expect(e.dayOfWeekRestricted)
        #expect(e.matches(minute: 0, hour: 0, day: 5, month: 1, weekday: 0))
        #expect(e.matches(minute: 0, hour: 0, day: 5, month: 1, weekday: 7))
        #expect(!e.matches(minute: 0, hour: 0, day: 6, month: 1, weekday: 1))
        #expect(try parse("0 0 * * 5-7").daysOfWeek.values == [0, 5, 6])
        #expect(try parse("0 0 * * 0,7").daysOfWeek.values == [0])
        #expect(try parse("0 0 * * 0-7").daysOfWeek.values == Array(0...6))
        #expect(try parse("0 0 * * *").daysOfWeek.values == Array(0...6))
    }

    @Test func ranges() throws {
        #expect(try parse("0-4 * * * *").minutes.values == [0, 1, 2, 3, 4])
        #expect(try parse("* 9-17 * * *").hours.values == Array(9...17))
        #expect(try parse("* * 3-3 * *").daysOfMonth.values == [3])
        #expect(try parse("* * * 1-12 *").months.values == Array(1...12))
        #expect(try parse("0-59 * * * *").minutes.values == Array(0...59))
    }

    @Test func steps() throws {
        #expect(try parse("*/15 * * * *").minutes.values == [0, 15, 30, 45])
        #expect(try parse("5/15 * * * *").minutes.values == [5, 20, 35, 50])
        #expect(try parse("0 0-23/2 * * *").hours.values == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22])
        #expect(try parse("1-10/3 * * * *").minutes.values == [1, 4, 7, 10])
        #expect(try parse("*/59 * * * *").minutes.values == [0, 59])
        #expect(try parse("0 0 */10 * *").daysOfMonth.values == [1, 11, 21, 31])
        #expect(try parse("0 0 1 */4 *").months.values == [1, 5, 9])
        #expect(try parse("0 0 * * */2").daysOfWeek.values == [0, 2, 4, 6])
        #expect(try parse("0 */1 * * *").hours.values == Array(0...23))
        #expect(try parse("0 0 * * */7").daysOfWeek.values == [0])
    }

    @Test func startStepOnDayOfWeekRunsToSevenLikeCronie() throws {
        // `1/2` is `1-7/2` = 1,3,5,7 and 7 is Sunday.
        #expect(try parse("0 0 * * 1/2").daysOfWeek.values == [0, 1, 3, 5])
        #expect(try parse("0 0 * * mon/2").daysOfWeek.values == [0, 1, 3, 5])
    }

    @Test func listsMixItems() throws {
        #expect(try parse("1,15 * * * *").minutes.values == [1, 15])
        #expect(try parse("0,10-12,*/20,45/7 * * * *").minutes.values == [0, 10, 11, 12, 20, 40, 45, 52, 59])
        #expect(try parse("5,5,5 * * * *").minutes.values == [5])
        let star = try parse("0 0 1,* * *")
        #expect(star.daysOfMonth.values == Array(1...31))
        #expect(star.dayOfMonthRestricted, "restricted because the field does not start with `*`")
    }

    @Test func leadingZerosAndWhitespace() throws {
        #expect(try parse("05 007 * * *").minutes.values == [5])
        #expect(try parse("05 007 * * *").hours.values == [7])
        let e = try parse("  0\t2   *\t\t* *  ")
        #expect(e.minutes.values == [0])
        #expect(e.hours.values == [2])
        #expect(e.source == "  0\t2   *\t\t* *  ")
    }

    @Test func equalityIncludesSource() throws {
        #expect(try parse("0 2 * * *") == parse("0 2 * * *"))
        #expect(try parse("0 0 * * *") != parse("@daily"))
        #expect(try Set([parse("0 2 * * *"), parse("0 2 * * *"), parse("0 3 * * *")]).count == 2)
    }

    @Test(arguments: ["* * * * *", "*/7 1-5,9 */3 feb-nov sun-thu", "59 23 31 12 7", "@hourly", "0,59 0,23 1,31 1,12 0,7"])
    func valuesStayWithinFieldRanges(_ text: String) throws {
        let e = try parse(text)
        #expect(e.minutes.values.allSatisfy { (0...59).contains($0) })
        #expect(e.hours.values.allSatisfy { (0...23).contains($0) })
        #expect(e.daysOfMonth.values.allSatisfy { (1...31).contains($0) })
        #expect(e.months.values.allSatisfy { (1...12).contains($0) })
        #expect(e.daysOfWeek.values.allSatisfy { (0...6).contains($0) })
        #expect(!e.minutes.values.isEmpty && !e.daysOfWeek.values.isEmpty)
    }

    @Test func fieldContains() throws {
        let e = try parse("*/20 * * * *")
        #expect(e.minutes.contains(40))
        #expect(!e.minutes.contains(41))
        #expect(!e.minutes.contains(-1))
        #expect(!e.minutes.contains(64))
        #expect(!e.minutes.contains(Int.max))
        #expect(!e.minutes.contains(Int.min))
    }
}

@Suite("CronExpression: matching")
struct CronExpressionMatchTests {
    @Test func bothDayFieldsRestrictedMeansEither() throws {
        let e = try parse("0 0 1,15 * 1")  // the 1st, the 15th, and every Monday
        #expect(e.matches(minute: 0, hour: 0, day: 1, month: 3, weekday: 4))   // 1st, a Thursday
        #expect(e.matches(minute: 0, hour: 0, day: 15, month: 3, weekday: 6))  // 15th, a Saturday
        #expect(e.matches(minute: 0, hour: 0, day: 3, month: 3, weekday: 1))   // a Monday, the 3rd
        #expect(!e.matches(minute: 0, hour: 0, day: 4, month: 3, weekday: 2))  // neither
    }

    @Test func starDayOfWeekMeansOnlyDayOfMonthCounts() throws {
        let e = try parse("0 0 13 * *")
        #expect(e.dayOfMonthRestricted && !e.dayOfWeekRestricted)
        for weekday in 0...6 {
            #expect(e.matches(minute: 0, hour: 0, day: 13, month: 5, weekday: weekday))
            #expect(!e.matches(minute: 0, hour: 0, day: 14, month: 5, weekday: weekday))
        }
    }

    @Test func starDayOfMonthMeansOnlyDayOfWeekCounts() throws {
        let e = try parse("0 0 * * fri")
        #expect(!e.dayOfMonthRestricted && e.dayOfWeekRestricted)
        for day in 1...31 {
            #expect(e.matches(minute: 0, hour: 0, day: day, month: 5, weekday: 5))
            #expect(!e.matches(minute: 0, hour: 0, day: day, month: 5, weekday: 4))
        }
    }

    @Test func starStepCountsAsUnrestrictedSoBothMustMatch() throws {
        // Vixie: `*/2` starts with `*`, so the OR rule does not apply; both fields must match.
        let e = try parse("0 0 */2 * 1")
        #expect(!e.dayOfMonthRestricted)
        #expect(e.dayOfWeekRestricted)
        #expect(e.daysOfMonth.values == Array(stride(from: 1, through: 31, by: 2)))
        #expect(e.matches(minute: 0, hour: 0, day: 3, month: 1, weekday: 1))   // odd day and Monday
        #expect(!e.matches(minute: 0, hour: 0, day: 2, month: 1, weekday: 1))  // Monday, even day
        #expect(!e.matches(minute: 0, hour: 0, day: 3, month: 1, weekday: 2))  // odd day, Tuesday

        let w = try parse("0 0 1 * */2")
        #expect(w.dayOfMonthRestricted && !w.dayOfWeekRestricted)
        #expect(w.matches(minute: 0, hour: 0, day: 1, month: 1, weekday: 0))
        #expect(!w.matches(minute: 0, hour: 0, day: 1, month: 1, weekday: 1))
        #expect(!w.matches(minute: 0, hour: 0, day: 2, month: 1, weekday: 0))
    }

    @Test func bothStarMatchesEveryDay() throws {
        let e = try parse("30 12 * * *")
        #expect(e.matches(minute: 30, hour: 12, day: 29, month: 2, weekday: 3))
        #expect(!e.matches(minute: 31, hour: 12, day: 29, month: 2, weekday: 3))
        #expect(!e.matches(minute: 30, hour: 13, day: 29, month: 2, weekday: 3))
    }

    @Test func minuteHourAndMonthMustAllMatch() throws {
        let e = try parse("15 6 * mar *")
        #expect(e.matches(minute: 15, hour: 6, day: 10, month: 3, weekday: 2))
        #expect(!e.matches(minute: 16, hour: 6, day: 10, month: 3, weekday: 2))
        #expect(!e.matches(minute: 15, hour: 7, day: 10, month: 3, weekday: 2))
        #expect(!e.matches(minute: 15, hour: 6, day: 10, month: 4, weekday: 2))
    }

    @Test func outOfRangeInputsNeverMatch() throws {
        let e = try parse("* * * * *")
        #expect(!e.matches(minute: 60, hour: 0, day: 1, month: 1, weekday: 0))
        #expect(!e.matches(minute: -1, hour: 0, day: 1, month: 1, weekday: 0))
        #expect(!e.matches(minute: 0, hour: 24, day: 1, month: 1, weekday: 0))
        #expect(!e.matches(minute: 0, hour: 0, day: 32, month: 1, weekday: 0))
        #expect(!e.matches(minute: 0, hour: 0, day: 1, month: 13, weekday: 0))
        #expect(!e.matches(minute: 0, hour: 0, day: 1, month: 1, weekday: 8))
        #expect(!e.matches(minute: Int.max, hour: Int.min, day: 1, month: 1, weekday: 0))
    }
}

/// One rejected input with the exact message, column and hint it must produce.
struct InvalidCron: Sendable, CustomTestStringConvertible {
    var text: String
    var message: String
    var column: Int
    var hint: String?

    init(_ text: String, _ message: String, column: Int, hint: String? = nil) {
        self.text = text
        self.message = message
        self.column = column
        self.hint = hint
    }

    var testDescription: String { "`\(text.debugDescription)`" }
}

private let fieldsMessage = "expected 5 fields (minute hour day-of-month month day-of-week)"

@Suite("CronExpression: errors")
struct CronExpressionErrorTests {
    static let cases: [InvalidCron] = [
        // Whole expression
        InvalidCron("", "empty cron expression; \(fieldsMessage)", column: 1,
                    hint: "for example `0 2 * * *` runs every day at 02:00; macros such as `@daily` work too"),
        InvalidCron("   \t ", "empty cron expression; \(fieldsMessage)", column: 1,
                    hint: "for example `0 2 * * *` runs every day at 02:00; macros such as `@daily` work too"),
        InvalidCron("0 2 * *", "\(fieldsMessage), found 4", column: 8,
                    hint: "every field is required; use `*` for a field that matches any value"),
        InvalidCron(" 5  ", "\(fieldsMessage), found 1", column: 3,
                    hint: "every field is required; use `*` for a field that matches any value"),
        InvalidCron("daily", "\(fieldsMessage), found 1", column: 6, hint: "did you mean `@daily`?"),
        InvalidCron("0 0 2 * * *", "\(fieldsMessage), found 6", column: 11,
                    hint: "flow uses 5-field cron; drop the seconds field"),
        InvalidCron("0 0 12 * * ?", "\(fieldsMessage), found 6", column: 12,
                    hint: "flow uses 5-field cron; drop the seconds field"),
        InvalidCron("0 0 12 * * ? 2025", "\(fieldsMessage), found 7", column: 12,
                    hint: "flow uses 5-field cron; drop the seconds and year fields"),
        InvalidCron("0 2 * * * /usr/bin/backup --full", "\(fieldsMessage), found 7", column: 11,
                    hint: "a schedule has only the five time fields; remove `/usr/bin/backup --full`"),
        InvalidCron("0 2 * * *\n", "a cron expression must be on one line; found a line break", column: 10,
                    hint: "remove the line break and write all five fields on one line"),
        InvalidCron("0 2\r\n* * *", "a cron expression must be on one line; found a line break", column: 4,
                    hint: "remove the line break and write all five fields on one line"),
        InvalidCron("0\u{A0}2 * * *", "unexpected U+00A0 (no-break space)", column: 2,
                    hint: "separate fields with plain spaces or tabs"),

        // Macros
        InvalidCron("@reboot", "`@reboot` is not supported by flow schedules", column: 1,
                    hint: "a schedule fires at clock times; use a macro such as `@daily` or five cron fields"),
        InvalidCron("  @REBOOT", "`@reboot` is not supported by flow schedules", column: 3,
                    hint: "a schedule fires at clock times; use a macro such as `@daily` or five cron fields"),
        InvalidCron("@fortnightly", "unknown macro `@fortnightly`", column: 1,
                    hint: "use one of `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`"),
        InvalidCron("@", "unknown macro `@`", column: 1,
                    hint: "use one of `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`"),
        InvalidCron("@every 5m", "unknown macro `@every`", column: 1,
                    hint: "`@every` is not cron syntax; use a step, e.g. `*/5 * * * *` for every 5 minutes"),
        InvalidCron("@daily 0 2", "unexpected `0 2` after `@daily`", column: 8,
                    hint: "a macro stands for all five fields; write either `@daily` alone or five fields"),

        // Out of range, including huge numbers
        InvalidCron("60 * * * *", "minute `60` is out of range 0-59", column: 1),
        InvalidCron("0 24 * * *", "hour `24` is out of range 0-23", column: 3, hint: "midnight is hour `0`"),
        InvalidCron("0 0 0 * *", "day-of-month `0` is out of range 1-31", column: 5,
                    hint: "days of the month start at 1"),
        InvalidCron("0 0 32 * *", "day-of-month `32` is out of range 1-31", column: 5,
                    hint: "days of the month are 1-31"),
        InvalidCron("0 0 * 13 *", "month `13` is out of range 1-12", column: 7, hint: "months are 1-12 or jan-dec"),
        InvalidCron("0 0 * 0 *", "month `0` is out of range 1-12", column: 7, hint: "months are 1-12 or jan-dec"),
        InvalidCron("0 0 * * 8", "day-of-week `8` is out of range 0-7", column: 9,
                    hint: "days of the week are 0-7 (0 and 7 are Sunday) or sun-sat"),
        InvalidCron("99999999999999999999 * * * *", "minute `99999999999999999999` is out of range 0-59", column: 1),
        InvalidCron("0 1-99999999999999999999 * * *", "hour `99999999999999999999` is out of range 0-23", column: 5,
                    hint: "hours are 0-23"),
        InvalidCron("0,5,61 * * * *", "minute `61` is out of range 0-59", column: 5),

        // Steps
        InvalidCron("*/0 * * * *", "step must be at least 1", column: 3,
                    hint: "`*/1` is the same as `*`; for every n-th value write e.g. `*/5`"),
        InvalidCron("0 0-23/00 * * *", "step must be at least 1", column: 8,
                    hint: "`*/1` is the same as `*`; for every n-th value write e.g. `*/5`"),
        InvalidCron("*/60 * * * *", "step `60` is larger than the minute range 0-59", column: 3,
                    hint: "`*/60` would select only 0; write `0` instead"),
        InvalidCron("0 */99999999999999999999 * * *", "step `99999999999999999999` is larger than the hour range 0-23",
                    column: 5, hint: "`*/99999999999999999999` would select only 0; write `0` instead"),
        InvalidCron("*/ * * * *", "missing step after `/` in minute", column: 2, hint: "write a step such as `*/5`"),
        InvalidCron("*/,5 * * * *", "missing step after `/` in minute", column: 2, hint: "write a step such as `*/5`"),
        InvalidCron("/5 * * * *", "missing value before `/` in minute", column: 1,
                    hint: "write `*/n` to step through the whole range, or `start/n`, e.g. `*/5` or `5/15`"),
        InvalidCron("*/abc * * * *", "step `abc` in minute is not a number", column: 3,
                    hint: "a step is a whole number, e.g. `*/5`"),
        InvalidCron("0 0 * * */mon", "step `mon` in day-of-week is not a number", column: 11,
                    hint: "a step is a whole number, e.g. `*/5`"),
        InvalidCron("*/5/2 * * * *", "unexpected `/` after `*/5` in minute", column: 4,
                    hint: "an item takes one step, e.g. `*/5` or `0-30/10`"),

        // Ranges
        InvalidCron("5-1 * * * *", "range `5-1` goes backwards", column: 1,
                    hint: "ranges do not wrap around; split it: `5-59,0-1`"),
        InvalidCron("0 22-2 * * *", "range `22-2` goes backwards", column: 3,
                    hint: "ranges do not wrap around; split it: `22-23,0-2`"),
        InvalidCron("0 0 * nov-feb *", "range `nov-feb` goes backwards", column: 7,
                    hint: "ranges do not wrap around; split it: `11-12,1-2`"),
        InvalidCron("0 0 * * fri-sun", "range `fri-sun` goes backwards", column: 9,
                    hint: "write Sunday as `7` at the end of a range, e.g. `5-7`"),
        InvalidCron("0 0 * * fri-tue", "range `fri-tue` goes backwards", column: 9,
                    hint: "ranges do not wrap around; split it: `5-7,1-2`"),
        InvalidCron("- * * * *", "range in minute is missing its start value", column: 1,
                    hint: "a range is written `start-end`, e.g. `1-5`"),
        InvalidCron("0 -1 * * *", "range in hour is missing its start value", column: 3,
                    hint: "values cannot be negative; a range is written `start-end`, e.g. `1-5`"),
        InvalidCron("1- * * * *", "range `1-` is missing its end value", column: 2,
                    hint: "a range is written `start-end`, e.g. `1-5`"),
        InvalidCron("1-/2 * * * *", "range `1-` is missing its end value", column: 2,
                    hint: "a range is written `start-end`, e.g. `1-5`"),
        InvalidCron("1-2-3 * * * *", "unexpected `-` after `1-2` in minute", column: 4,
                    hint: "a range has one `-`; list several ranges with `,`, e.g. `1-5,10-15`"),
        InvalidCron("*-5 * * * *", "unexpected `-` after `*` in minute", column: 2,
                    hint: "`*` already covers the whole range; write `*` or a range such as `1-5`"),

        // Lists
        InvalidCron(",, * * * *", "empty item in the minute list", column: 1,
                    hint: "remove the extra `,` or put a value there"),
        InvalidCron("1, * * * *", "empty item in the minute list", column: 2,
                    hint: "remove the extra `,` or put a value there"),
        InvalidCron("0 1,,2 * * *", "empty item in the hour list", column: 5,
                    hint: "remove the extra `,` or put a value there"),
        InvalidCron("0 0 ,1 * *", "empty item in the day-of-month list", column: 5,
                    hint: "remove the extra `,` or put a value there"),

        // Names
        InvalidCron("0 0 * jun3 *", "unknown month name `jun3`", column: 7, hint: "use the three-letter name `jun`"),
        InvalidCron("0 0 * june *", "unknown month name `june`", column: 7, hint: "use the three-letter name `jun`"),
        InvalidCron("0 0 * * monday", "unknown day-of-week name `monday`", column: 9,
                    hint: "use the three-letter name `mon`"),
        InvalidCron("0 0 * xyz *", "unknown month name `xyz`", column: 7,
                    hint: "month names are jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec"),
        InvalidCron("0 0 * * foo", "unknown day-of-week name `foo`", column: 9,
                    hint: "day-of-week names are sun, mon, tue, wed, thu, fri, sat"),
        InvalidCron("0 0 * mon *", "unknown month name `mon`", column: 7,
                    hint: "`mon` is a day-of-week name; the fields are minute hour day-of-month month day-of-week"),
        InvalidCron("0 jan * * *", "hour `jan` is not a number", column: 3,
                    hint: "`jan` is a month name; the fields are minute hour day-of-month month day-of-week"),
        InvalidCron("abc * * * *", "minute `abc` is not a number", column: 1, hint: "write a number 0-59"),
        InvalidCron("0 0 * jan-xyz *", "unknown month name `xyz`", column: 11,
                    hint: "month names are jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec"),

        // Other cron dialects
        InvalidCron("0 0 ? * *", "unexpected `?` in day-of-month", column: 5, hint: "`?` is EventBridge syntax; use `*`"),
        InvalidCron("0 0 * * ?", "unexpected `?` in day-of-week", column: 9, hint: "`?` is EventBridge syntax; use `*`"),
        InvalidCron("0 0 L * *", "day-of-month `L` is not a number", column: 5,
                    hint: "`L`, `W` and `#` are Quartz syntax, which cron does not support; list the days explicitly"),
        InvalidCron("0 0 15W * *", "unexpected `W` in day-of-month", column: 7,
                    hint: "`L`, `W` and `#` are Quartz syntax, which cron does not support; list the days explicitly"),
        InvalidCron("0 0 * * 5L", "unexpected `L` in day-of-week", column: 10,
                    hint: "`L`, `W` and `#` are Quartz syntax, which cron does not support; list the days explicitly"),
        InvalidCron("0 0 * * mon#2", "unexpected `#` in day-of-week", column: 12,
                    hint: "`L`, `W` and `#` are Quartz syntax, which cron does not support; list the days explicitly"),
        InvalidCron("H * * * *", "minute `H` is not a number", column: 1, hint: "`H` is Jenkins syntax; choose a fixed value"),

        // Stray characters and Unicode
        InvalidCron("*5 * * * *", "unexpected `5` after `*` in minute", column: 2, hint: "did you mean `*/5`?"),
        InvalidCron("** * * * *", "unexpected `*` after `*` in minute", column: 2,
                    hint: "`*` stands alone or before a step, e.g. `*/5`; separate list items with `,`"),
        InvalidCron("5* * * * *", "unexpected `*` after `5` in minute", column: 2,
                    hint: "`*` stands alone or before a step, e.g. `*/5`; separate list items with `,`"),
        InvalidCron("1.5 * * * *", "unexpected `.` in minute", column: 2),
        InvalidCron("0 0 * * 1;2", "unexpected `;` in day-of-week", column: 10),
        InvalidCron("\u{FF10} * * * *", "unexpected `\u{FF10}` in minute", column: 1,
                    hint: "write numbers with the ASCII digits 0-9"),
        InvalidCron("é * * * *", "unexpected `é` in minute", column: 1),
        InvalidCron("0 e\u{301} * * *", "unexpected U+0301 (combining acute accent) in hour", column: 4),
        InvalidCron("⏰ * * * *", "unexpected `⏰` in minute", column: 1),
        InvalidCron("0 0 * * 👍🏽", "unexpected `👍` in day-of-week", column: 9),
        InvalidCron("0 0 * * mon 👍🏽", "\(fieldsMessage), found 6", column: 13,
                    hint: "a schedule has only the five time fields; remove `👍🏽`"),
        InvalidCron("0\u{0} * * * *", "unexpected U+0000 in minute", column: 2),
        InvalidCron("0\u{200B}2 * * * *", "unexpected U+200B (zero width space) in minute", column: 2),
    ]

    @Test(arguments: cases)
    func rejects(_ c: InvalidCron) {
        guard let error = parseError(c.text) else {
            Issue.record("expected `\(c.text.debugDescription)` to be rejected")
            return
        }
        #expect(error.message == c.message)
        #expect(error.position == TextPosition(line: 1, column: c.column))
        #expect(error.hint == c.hint)
    }

    @Test func typedErrorCanBeCaughtAndCompared() {
        #expect(throws: CronError(message: "minute `60` is out of range 0-59", position: TextPosition(line: 1, column: 1))) {
            try CronExpression.parse("60 * * * *")
        }
    }

    /// Deterministic pseudo-random inputs over the cron alphabet and some awkward characters:
    /// parsing must never crash, and every error must point inside the text (or just past it).
    @Test func randomInputsNeverCrashAndPointInsideTheText() {
        let alphabet = Array("0123456789*/-,  \tjanmonSUN@?L#W\u{A0}é9999999999\n".unicodeScalars)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var accepted = 0
        for _ in 0..<3000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<(next() % 24) { scalars.append(alphabet[next() % alphabet.count]) }
            let text = String(scalars)
            do {
                let e = try CronExpression.parse(text)
                accepted += 1
                #expect(!e.minutes.values.isEmpty)
                #expect(e.daysOfWeek.values.allSatisfy { (0...6).contains($0) })
            } catch {
                #expect(error.position.line == 1)
                #expect((1...text.unicodeScalars.count + 1).contains(error.position.column), "\(text.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted < 3000)
    }

    @Test func fieldShapedRandomInputsNeverCrash() {
        let pieces = ["*", "*/", "0", "7", "59", "60", "-", ",", "/", "mon", "jan", "x", "", "99999999999999999999"]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<2000 {
            let fields = (0..<5).map { _ in (0..<(1 + next() % 3)).map { _ in pieces[next() % pieces.count] }.joined() }
            let text = fields.joined(separator: " ")
            if let error = parseError(text) {
                #expect((1...text.unicodeScalars.count + 1).contains(error.position.column), "\(text)")
            }
        }
    }
}
