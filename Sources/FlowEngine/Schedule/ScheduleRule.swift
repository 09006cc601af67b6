import Foundation
import FlowCore

/// One `schedule:` entry of a checked pipeline, ready to fire: its timeline, catch-up policy,
/// and the values its runs get.
public struct ScheduleRule: Sendable {
    /// The pipeline's `name:` (fires and runs are recorded under it).
    public var pipeline: String
    /// The pipeline file the runs start from.
    public var file: String
    /// What identifies the entry in the database: `"<cron> <zone>[ profile=P][ params=<hash>]"`.
    /// It is built from what the entry says, not where it is written, so reordering a file's
    /// entries keeps their history, and two daemons reading the same file agree on it.
    public var key: String
    public var timeline: ScheduleTimeline
    public var policy: CatchupDecision.Policy
    public var profile: String?
    /// `--param` texts (`name=value`) for the entry's `params:`.
    public var params: [String]
    /// Where the entry is written, for messages.
    public var location: SourceLocation

    /// The rules of a checked pipeline's entries; an entry whose cron or time zone does not
    /// parse is left out (the pipeline check has already reported it).
    public static func rules(of pipeline: Pipeline) -> [ScheduleRule] {
        pipeline.schedule.compactMap { rule($0, of: pipeline) }
    }

    static func rule(_ entry: ScheduleEntry, of pipeline: Pipeline) -> ScheduleRule? {
        let zoneName = entry.timezone?.value ?? "UTC"
        guard let cron = try? CronExpression.parse(entry.cron.text), let zone = TimeZone(identifier: zoneName) else { return nil }
        let params = entry.params.map { "\($0.name.value)=\($0.value.scalar?.value ?? "")" }
        var key = "\(cron.source.trimmingCharacters(in: .whitespaces)) \(zoneName)"
        if let profile = entry.profile?.value { key += " profile=\(profile)" }
        if !params.isEmpty {
            // A hash, not the values: a schedule's params can be anything, and keys are shown and stored.
            key += " params=" + SHA256.hex(Array(params.sorted().joined(separator: "\n").utf8)).prefix(12)
        }
        let policy = CatchupDecision.Policy(catchup: entry.catchup?.value ?? .latest,
                                            window: entry.catchupWindow.map { $0.value.seconds },
                                            deadline: entry.startingDeadline.map { $0.value.seconds })
        return ScheduleRule(pipeline: pipeline.name.value, file: pipeline.file, key: key, timeline: ScheduleTimeline(cron: cron, zone: zone),
                            policy: policy, profile: entry.profile?.value, params: params, location: entry.location)
    }

    /// The entry among all a database holds: its pipeline and key (``FireRecord/entryID``).
    public var id: String { FireRecord.entryID(pipeline: pipeline, entry: key) }

    /// `0 2 * * * America/New_York`: the entry as `list` and `preview` print it.
    public var description: String { key }
}
