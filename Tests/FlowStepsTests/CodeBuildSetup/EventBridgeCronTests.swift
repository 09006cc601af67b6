import FlowCore
import FlowSteps
import Foundation
import Testing

/// Schedule entries as EventBridge `cron(…)` rules, or why they cannot be.
@Suite struct EventBridgeCronTests {
    /// 2026-12-07T06:00:00Z: the time-zone rules in force from then on.
    static let reference = Date(timeIntervalSince1970: 1_796_623_200)

    func convert(_ cron: String, _ zone: String = "UTC") throws -> EventBridgeCron.Conversion {
        EventBridgeCron.convert(try CronExpression.parse(cron), timezone: try #require(TimeZone(identifier: zone)), reference: Self.reference)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var cron: String
        var zone: String
        var rules: [String]
        var testDescription: String { "\(cron) in \(zone)" }
    }

    static let convertible: [Case] = [
        Case(cron: "0 2 * * *", zone: "UTC", rules: ["cron(0 2 * * ? *)"]),
        Case(cron: "@daily", zone: "Etc/UTC", rules: ["cron(0 0 * * ? *)"]),
        Case(cron: "*/15 * * * *", zone: "UTC", rules: ["cron(*/15 * * * ? *)"]),
        Case(cron: "5/20 8-17 * * *", zone: "UTC", rules: ["cron(5/20 8-17 * * ? *)"]),
        Case(cron: "0 9 * * mon-fri", zone: "UTC", rules: ["cron(0 9 ? * 2-6 *)"]),
        Case(cron: "0 9 * * 0,6", zone: "UTC", rules: ["cron(0 9 ? * 1,7 *)"]),
        Case(cron: "0 0 * * */2", zone: "UTC", rules: ["cron(0 0 ? * 1,3,5,7 *)"]),
        Case(cron: "@monthly", zone: "UTC", rules: ["cron(0 0 1 * ? *)"]),
        Case(cron: "0 0 */2 * *", zone: "UTC", rules: ["cron(0 0 */2 * ? *)"]),
        Case(cron: "0 6 1 jan,jul *", zone: "UTC", rules: ["cron(0 6 1 1,7 ? *)"]),
        // No daylight saving time, whole hours: the hours shift.
        Case(cron: "0 9 * * *", zone: "Asia/Tokyo", rules: ["cron(0 0 * * ? *)"]),
        Case(cron: "0 20 * * *", zone: "America/Phoenix", rules: ["cron(0 3 * * ? *)"]),
        // Across midnight, the days move with the time.
        Case(cron: "0 2 * * 1", zone: "Asia/Tokyo", rules: ["cron(0 17 ? * 1 *)"]),
        Case(cron: "0 20 * * fri", zone: "America/Phoenix", rules: ["cron(0 3 ? * 7 *)"]),
        Case(cron: "0 2 15 * *", zone: "Asia/Tokyo", rules: ["cron(0 17 14 * ? *)"]),
        // Half-hour offsets work when the minutes land on one set.
        Case(cron: "30 5 * * *", zone: "Asia/Kolkata", rules: ["cron(0 0 * * ? *)"]),
    ]

    @Test(arguments: convertible) func entriesThatOneRuleExpresses(_ c: Case) throws {
        guard case .rules(let rules, _) = try convert(c.cron, c.zone) else {
            Issue.record("not convertible: \(try convert(c.cron, c.zone))")
            return
        }
        #expect(rules == c.rules)
    }

    @Test func bothDayFieldsRestrictedTakeTwoRulesAndSaySo() throws {
        guard case .rules(let rules, let note) = try convert("30 4 1,15 * 5") else { Issue.record("not rules"); return }
        #expect(rules == ["cron(30 4 1,15 * ? *)", "cron(30 4 ? * 6 *)"])
        #expect(note?.contains("EITHER") == true)
        #expect(note?.contains("both rules fire") == true)
    }

    @Test func aShiftAcrossMidnightIsNoted() throws {
        guard case .rules(_, let note) = try convert("0 2 * * 1", "Asia/Tokyo") else { Issue.record("not rules"); return }
        #expect(note?.contains("previous day") == true)
    }

    static let inexpressible: [(cron: String, zone: String, says: String)] = [
        // cron ANDs the day fields when one starts with `*`: EventBridge needs one to be `?`.
        ("0 0 */2 * 1", "UTC", "BOTH"),
        // The 1st at 02:00 in Tokyo is the last day of the previous month in UTC.
        ("0 2 1 * *", "Asia/Tokyo", "1st of the month"),
        // The 31st at 20:00 in Phoenix is the 1st of the next month in UTC.
        ("0 20 31 * *", "America/Phoenix", "may be the last of its month"),
        // June's first Monday at 01:00 in Tokyo can be a Sunday in May in UTC.
        ("0 1 * 6 1", "Asia/Tokyo", "another month"),
        // 05:00 and 05:30 in Kolkata are 23:30 the day before and 00:00 in UTC.
        ("0,30 5 * * *", "Asia/Kolkata", "hours times one set of minutes"),
        ("0,30 5 * * 1", "Asia/Kolkata", "others do not"),
    ]

    @Test func entriesNoRuleExpressesSayWhy() throws {
        for c in Self.inexpressible {
            guard case .inexpressible(let reason, _) = try convert(c.cron, c.zone) else {
                Issue.record("\(c.cron) in \(c.zone) was converted")
                continue
            }
            #expect(reason.contains(c.says), "\(c.cron) in \(c.zone): \(reason)")
        }
    }

    @Test func aZoneWithDaylightSavingTimeNamesBothOffsetsAndGivesTheSchedulerForm() throws {
        guard case .inexpressible(let reason, let scheduler) = try convert("0 2 * * *", "America/New_York") else { Issue.record("converted"); return }
        #expect(reason.contains("America/New_York is UTC−5 in winter and UTC−4 in summer"))
        #expect(reason.contains("02:00 local is 07:00 UTC from Nov to Mar and 06:00 UTC from Mar to Nov"))
        #expect(reason.contains("EventBridge Scheduler"))
        #expect(scheduler?.expression == "cron(0 2 * * ? *)")
        #expect(scheduler?.timezone == "America/New_York")

        guard case .inexpressible(let south, _) = try convert("30 6 * * 1-5", "Australia/Sydney") else { Issue.record("converted"); return }
        #expect(south.contains("UTC+10 in winter and UTC+11 in summer"))
        #expect(south.contains("06:30 local is 20:30 UTC from Apr to Oct and 19:30 UTC from Oct to Apr"))
    }

    @Test func theDescriptionListsEveryEntryWithItsLocation() throws {
        let yaml = """
            name: nightly
            schedule:
              - cron: "0 2 * * *"
                timezone: America/New_York
              - cron: "0 3 * * *"
            steps:
              a:
                run: echo a
            """
        let (pipeline, diagnostics) = PipelineLoader.load(Array(yaml.utf8), file: "nightly.yml")
        #expect(diagnostics.isEmpty)
        let text = EventBridgeCron.describe(try #require(pipeline).schedule, reference: Self.reference)
        #expect(text.contains("nightly.yml:3:"))
        #expect(text.contains("EventBridge Scheduler: cron(0 2 * * ? *) with ScheduleExpressionTimezone=America/New_York"))
        #expect(text.contains("\"0 3 * * *\" (UTC)\n  cron(0 3 * * ? *)\n"))
    }
}
