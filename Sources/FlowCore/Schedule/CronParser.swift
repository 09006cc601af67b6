/// The five cron fields, with their value ranges as written (day of week 0-7) and names.
enum CronFieldKind: Int, CaseIterable, Sendable {
    case minute, hour, dayOfMonth, month, dayOfWeek

    var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    var range: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    var rangeText: String { "\(range.lowerBound)-\(range.upperBound)" }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    var names: [String]? {
        switch self {
        case .month: Self.monthNames
        case .dayOfWeek: Self.dayNames
        default: nil
        }
    }

    /// The value of a three-letter name (any case), or nil.
    func value(ofName word: String) -> Int? {
        guard let names, let index = names.firstIndex(of: word.lowercased()) else { return nil }
        return self == .month ? index + 1 : index
    }

    func outOfRangeHint(_ value: Int) -> String? {
        switch self {
        case .minute: nil
        case .hour: value == 24 ? "midnight is hour `0`" : "hours are 0-23"
        case .dayOfMonth: value == 0 ? "days of the month start at 1" : "days of the month are 1-31"
        case .month: "months are 1-12 or jan-dec"
        case .dayOfWeek: "days of the week are 0-7 (0 and 7 are Sunday) or sun-sat"
        }
    }
}

/// Parses cron text into a `CronExpression`. Works on Unicode scalars; index `i` is column `i + 1`.
struct CronParser {
    private let source: String
    private let s: [Unicode.Scalar]

    static let fieldList = "minute hour day-of-month month day-of-week"

    static let macros: [String: String] = [
        "yearly": "0 0 1 1 *",
        "annually": "0 0 1 1 *",
        "monthly": "0 0 1 * *",
        "weekly": "0 0 * * 0",
        "daily": "0 0 * * *",
        "midnight": "0 0 * * *",
        "hourly": "0 * * * *",
    ]

    init(_ text: String) {
        source = text
        s = Array(text.unicodeScalars)
    }

    func parse() throws(CronError) -> CronExpression {
        let fields = try splitFields()
        guard let first = fields.first else {
            throw CronError(
                message: "empty cron expression; expected 5 fields (\(Self.fieldList))",
                position: position(0),
                hint: "for example `0 2 * * *` runs every day at 02:00; macros such as `@daily` work too")
        }
        if s[first.lowerBound] == "@" {
            return try parseMacro(fields)
        }
        guard fields.count == 5 else { throw fieldCountError(fields) }
        var parsed: [CronField] = []
        for (kind, range) in zip(CronFieldKind.allCases, fields) {
            var field = FieldParser(s: s, i: range.lowerBound, end: range.upperBound, kind: kind)
            parsed.append(try field.parse())
        }
        return CronExpression(
            source: source, minutes: parsed[0], hours: parsed[1], daysOfMonth: parsed[2],
            months: parsed[3], daysOfWeek: parsed[4],
            dayOfMonthRestricted: s[fields[2].lowerBound] != "*",
            dayOfWeekRestricted: s[fields[4].lowerBound] != "*",
            hourFollowsRealTime: s[fields[1].lowerBound] == "*")
    }

    // MARK: Fields

    private func splitFields() throws(CronError) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" {
                i += 1
                continue
            }
            if Self.isLineBreak(c) {
                throw CronError(
                    message: "a cron expression must be on one line; found a line break",
                    position: position(i),
                    hint: "remove the line break and write all five fields on one line")
            }
            if c.properties.isWhitespace {
                throw CronError(
                    message: "unexpected \(Self.describe(c))",
                    position: position(i),
                    hint: "separate fields with plain spaces or tabs")
            }
            let start = i
            while i < s.count, !s[i].properties.isWhitespace { i += 1 }
            fields.append(start..<i)
        }
        return fields
    }

    private func fieldCountError(_ fields: [Range<Int>]) -> CronError {
        let message = "expected 5 fields (\(Self.fieldList)), found \(fields.count)"
        if fields.count > 5 {
            let hint: String
            if fields.count == 6 && looksLikeCronField(fields[5]) {
                hint = "flow uses 5-field cron; drop the seconds field"
            } else if fields.count == 7 && looksLikeCronField(fields[5]) && looksLikeCronField(fields[6]) {
                hint = "flow uses 5-field cron; drop the seconds and year fields"
            } else {
                let rest = text(fields[5].lowerBound..<fields[fields.count - 1].upperBound)
                hint = "a schedule has only the five time fields; remove `\(rest)`"
            }
            return CronError(message: message, position: position(fields[5].lowerBound), hint: hint)
        }
        var hint = "every field is required; use `*` for a field that matches any value"
        if fields.count == 1 {
            let word = text(fields[0]).lowercased()
            if Self.macros[word] != nil || word == "reboot" {
                hint = "did you mean `@\(word)`?"
            }
        }
        return CronError(message: message, position: position(fields[fields.count - 1].upperBound), hint: hint)
    }

    /// Whether an extra field looks like a cron (or Quartz) field rather than, say, a command.
    private func looksLikeCronField(_ range: Range<Int>) -> Bool {
        var field = FieldParser(s: s, i: range.lowerBound, end: range.upperBound, kind: .dayOfWeek)
        if (try? field.parse()) != nil { return true }
        return s[range].allSatisfy { "0123456789*,-/?#LW".unicodeScalars.contains($0) }
    }

    private func parseMacro(_ fields: [Range<Int>]) throws(CronError) -> CronExpression {
        let range = fields[0]
        let word = text(range)
        let name = String(word.dropFirst()).lowercased()
        if name == "reboot" {
            throw CronError(
                message: "`@reboot` is not supported by flow schedules",
                position: position(range.lowerBound),
                hint: "a schedule fires at clock times; use a macro such as `@daily` or five cron fields")
        }
        guard let expansion = Self.macros[name] else {
            let hint = name == "every"
                ? "`@every` is not cron syntax; use a step, e.g. `*/5 * * * *` for every 5 minutes"
                : "use one of `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`"
            throw CronError(message: "unknown macro `\(word)`", position: position(range.lowerBound), hint: hint)
        }
        if fields.count > 1 {
            let rest = text(fields[1].lowerBound..<fields[fields.count - 1].upperBound)
            throw CronError(
                message: "unexpected `\(rest)` after `\(word)`",
                position: position(fields[1].lowerBound),
                hint: "a macro stands for all five fields; write either `\(word)` alone or five fields")
        }
        let e = try CronParser(expansion).parse()
        return CronExpression(
            source: source, minutes: e.minutes, hours: e.hours, daysOfMonth: e.daysOfMonth,
            months: e.months, daysOfWeek: e.daysOfWeek,
            dayOfMonthRestricted: e.dayOfMonthRestricted, dayOfWeekRestricted: e.dayOfWeekRestricted,
            hourFollowsRealTime: e.hourFollowsRealTime)
    }

    // MARK: Helpers

    private func position(_ index: Int) -> TextPosition {
        TextPosition(line: 1, column: index + 1)
    }

    private func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(s[range]))
    }

    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// A character for a message: "`x`" when it is visible, else "U+00A0 (no-break space)".
    static func describe(_ c: Unicode.Scalar) -> String {
        let invisible: Bool
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .nonspacingMark, .enclosingMark, .spacingMark:
            invisible = true
        default:
            invisible = c.properties.isWhitespace
        }
        if !invisible && c != "`" { return "`\(Character(c))`" }
        var hex = String(c.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        if let name = c.properties.name, !name.isEmpty {
            return "U+\(hex) (\(name.lowercased()))"
        }
        return "U+\(hex)"
    }
}

/// Parses one field: a `,` list of items `*`, `v`, `a-b`, each with an optional `/step`.
private struct FieldParser {
    let s: [Unicode.Scalar]
    var i: Int
    let end: Int
    let kind: CronFieldKind

    private static let quartzHint =
        "`L`, `W` and `#` are Quartz syntax, which cron does not support; list the days explicitly"
    private static let eventBridgeHint = "`?` is EventBridge syntax; use `*`"

    mutating func parse() throws(CronError) -> CronField {
        var bits: UInt64 = 0
        while true {
            if i == end || s[i] == "," {
                // An empty item: point at its comma (the trailing one when the list ends with `,`).
                throw CronError(
                    message: "empty item in the \(kind.name) list",
                    position: position(i < end ? i : i - 1),
                    hint: "remove the extra `,` or put a value there")
            }
            let itemStart = i
            bits |= try parseItem()
            if i == end { break }
            if s[i] == "," {
                i += 1
                continue
            }
            throw unexpectedAfterItem(itemStart)
        }
        return CronField(bits: bits)
    }

    private mutating func parseItem() throws(CronError) -> UInt64 {
        let start = i
        var lo: Int
        var hi: Int
        var single = false
        switch s[i] {
        case "*":
            i += 1
            lo = kind.range.lowerBound
            hi = kind.range.upperBound
        case "-":
            let negative = i + 1 < end && Self.isDigit(s[i + 1])
            throw CronError(
                message: "range in \(kind.name) is missing its start value",
                position: position(i),
                hint: negative
                    ? "values cannot be negative; a range is written `start-end`, e.g. `1-5`"
                    : "a range is written `start-end`, e.g. `1-5`")
        case "/":
            throw CronError(
                message: "missing value before `/` in \(kind.name)",
                position: position(i),
                hint: "write `*/n` to step through the whole range, or `start/n`, e.g. `*/5` or `5/15`")
        default:
            lo = try parseValue()
            if i < end && s[i] == "-" {
                let dash = i
                i += 1
                if i == end || Self.isPunctuation(s[i]) {
                    throw CronError(
                        message: "range `\(text(start..<dash + 1))` is missing its end value",
                        position: position(dash),
                        hint: "a range is written `start-end`, e.g. `1-5`")
                }
                hi = try parseValue()
                if lo > hi {
                    throw CronError(
                        message: "range `\(text(start..<i))` goes backwards",
                        position: position(start),
                        hint: backwardsHint(lo, hi))
                }
            } else {
                hi = lo
                single = true
            }
        }
        var step = 1
        if i < end && s[i] == "/" {
            let slash = i
            i += 1
            if i == end || Self.isPunctuation(s[i]) {
                throw CronError(
                    message: "missing step after `/` in \(kind.name)",
                    position: position(slash),
                    hint: "write a step such as `*/5`")
            }
            let wordRange = readWord()
            let word = text(wordRange)
            guard s[wordRange].allSatisfy(Self.isDigit) else {
                throw CronError(
                    message: "step `\(word)` in \(kind.name) is not a number",
                    position: position(wordRange.lowerBound),
                    hint: "a step is a whole number, e.g. `*/5`")
            }
            let n = Int(word) ?? Int.max
            if n == 0 {
                throw CronError(
                    message: "step must be at least 1",
                    position: position(wordRange.lowerBound),
                    hint: "`*/1` is the same as `*`; for every n-th value write e.g. `*/5`")
            }
            if n > kind.range.upperBound - kind.range.lowerBound {
                throw CronError(
                    message: "step `\(word)` is larger than the \(kind.name) range \(kind.rangeText)",
                    position: position(wordRange.lowerBound),
                    hint: "`\(text(start..<i))` would select only \(lo); write `\(lo)` instead")
            }
            step = n
            if single { hi = kind.range.upperBound }
        }
        var bits: UInt64 = 0
        for v in stride(from: lo, through: hi, by: step) {
            bits |= 1 << UInt64(kind == .dayOfWeek && v == 7 ? 0 : v)
        }
        return bits
    }

    /// Reads a value (number or name) and checks it against the field's range.
    private mutating func parseValue() throws(CronError) -> Int {
        let range = readWord()
        guard !range.isEmpty else {
            // Callers only get here at a non-punctuation scalar, so this is defensive.
            throw CronError(message: "expected a value in \(kind.name)", position: position(min(i, end - 1)))
        }
        let word = text(range)
        let scalars = s[range]
        if scalars.allSatisfy(Self.isDigit) {
            let value = Int(word) ?? Int.max
            guard kind.range.contains(value) else {
                throw CronError(
                    message: "\(kind.name) `\(word)` is out of range \(kind.rangeText)",
                    position: position(range.lowerBound),
                    hint: kind.outOfRangeHint(value))
            }
            return value
        }
        if let value = kind.value(ofName: word) { return value }
        let first = s[range.lowerBound]
        if Self.isLetter(first) && scalars.allSatisfy(Self.isAlphanumeric) {
            let hint = otherSyntaxHint(word) ?? nameHint(word)
            throw CronError(
                message: kind.names != nil ? "unknown \(kind.name) name `\(word)`" : "\(kind.name) `\(word)` is not a number",
                position: position(range.lowerBound),
                hint: hint)
        }
        let bad = Self.isDigit(first)
            ? range.first { !Self.isDigit(s[$0]) } ?? range.lowerBound
            : range.first { !Self.isAlphanumeric(s[$0]) } ?? range.lowerBound
        throw unexpected(at: bad)
    }

    private func unexpected(at index: Int) -> CronError {
        let c = s[index]
        var hint: String?
        if c == "?" {
            hint = Self.eventBridgeHint
        } else if c == "#" {
            hint = Self.quartzHint
        } else if "LlWw".unicodeScalars.contains(c) && index > 0 && Self.isDigit(s[index - 1]) {
            hint = Self.quartzHint
        } else if c.properties.numericType != nil {
            hint = "write numbers with the ASCII digits 0-9"
        }
        return CronError(
            message: "unexpected \(CronParser.describe(c)) in \(kind.name)", position: position(index), hint: hint)
    }

    private func unexpectedAfterItem(_ itemStart: Int) -> CronError {
        let c = s[i]
        let item = text(itemStart..<i)
        var hint: String?
        switch c {
        case "-":
            hint = item.hasPrefix("*")
                ? "`*` already covers the whole range; write `*` or a range such as `1-5`"
                : "a range has one `-`; list several ranges with `,`, e.g. `1-5,10-15`"
        case "/":
            hint = "an item takes one step, e.g. `*/5` or `0-30/10`"
        case "*":
            hint = "`*` stands alone or before a step, e.g. `*/5`; separate list items with `,`"
        default:
            // Only reachable right after `*`: every other character is part of a value.
            var j = i
            while j < end && Self.isDigit(s[j]) { j += 1 }
            if j > i && (j == end || s[j] == ",") {
                hint = "did you mean `*/\(text(i..<j))`?"
            } else if c == "?" {
                hint = Self.eventBridgeHint
            }
        }
        return CronError(
            message: "unexpected \(CronParser.describe(c)) after `\(item)` in \(kind.name)",
            position: position(i),
            hint: hint)
    }

    private func backwardsHint(_ lo: Int, _ hi: Int) -> String {
        if kind == .dayOfWeek && hi == 0 {
            return "write Sunday as `7` at the end of a range, e.g. `\(lo)-7`"
        }
        let maxValue = kind.range.upperBound
        // For the day of week, 7 already stands for Sunday, so the wrapped part starts at Monday.
        let minValue = kind == .dayOfWeek ? 1 : kind.range.lowerBound
        let head = lo == maxValue ? "\(lo)" : "\(lo)-\(maxValue)"
        let tail = hi == minValue ? "\(hi)" : "\(minValue)-\(hi)"
        return "ranges do not wrap around; split it: `\(head),\(tail)`"
    }

    private func otherSyntaxHint(_ word: String) -> String? {
        switch word.uppercased() {
        case "L", "LW": Self.quartzHint
        case "H": "`H` is Jenkins syntax; choose a fixed value"
        default: nil
        }
    }

    private func nameHint(_ word: String) -> String {
        let lower = word.lowercased()
        let prefix = String(lower.prefix(3))
        if let names = kind.names, lower.count > 3, names.contains(prefix) {
            return "use the three-letter name `\(prefix)`"
        }
        for other in [CronFieldKind.month, .dayOfWeek] where other != kind {
            if other.value(ofName: lower) != nil || (lower.count > 3 && other.names?.contains(prefix) == true) {
                return "`\(word)` is a \(other.name) name; the fields are \(CronParser.fieldList)"
            }
        }
        if let names = kind.names {
            return "\(kind.name) names are \(names.joined(separator: ", "))"
        }
        return "write a number \(kind.rangeText)"
    }

    private mutating func readWord() -> Range<Int> {
        let start = i
        while i < end && !Self.isPunctuation(s[i]) { i += 1 }
        return start..<i
    }

    private func position(_ index: Int) -> TextPosition {
        TextPosition(line: 1, column: index + 1)
    }

    private func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(s[range]))
    }

    private static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        c == "," || c == "-" || c == "/" || c == "*"
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.value >= 0x30 && c.value <= 0x39
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || isLetter(c)
    }
}
