import Foundation
import FlowCore
import GRDB

/// One row of `schedule_fires`: what a schedule daemon decided for one fire time of one entry
/// (or a range of consecutive times decided alike), and how the run it started ended. The
/// unique key (pipeline, entry, scheduledSecond) is what makes two daemons on one database fire
/// a time once: the second one's insert finds the row there.
public struct FireRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "schedule_fires"
    public var seq: Int64?
    public var pipeline: String
    public var entry: String
    /// The scheduled time, whole seconds since 1970 (an integer, so the unique key is exact).
    public var scheduledSecond: Int64
    /// The last time of a range of times decided alike; nil for one time.
    public var throughSecond: Int64?
    public var count: Int
    /// `fire`, `skipped` or `missed` (``CatchupDecision/Kind``).
    public var decision: String
    public var reason: String?
    public var decidedAt: Date
    /// The daemon that decided: `host:pid`.
    public var decidedBy: String
    /// The run the fire started (set in the transaction that creates the run).
    public var runId: String?
    /// How the fire ended: the run's status, `skipped` (refused by `concurrency.policy: forbid`),
    /// or `error` (no run was created; `reason` says why). Nil while the run goes on.
    public var outcome: String?
    public var finishedAt: Date?

    /// One string for (pipeline, entry), the key ``RunDatabase/lastFires()`` and ``ScheduleRule/id`` share.
    public static func entryID(pipeline: String, entry: String) -> String { "\(pipeline)\u{0}\(entry)" }

    public var scheduled: Date { Date(timeIntervalSince1970: TimeInterval(scheduledSecond)) }
    public var through: Date? { throughSecond.map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    public mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}

extension RunDatabase {
    /// `v8-schedule-fires`: the fires schedule daemons decided, unique per (pipeline, entry,
    /// scheduled time), and when each entry was first seen (where its catch-up starts).
    static func registerScheduleMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v8-schedule-fires") { db in
            try db.create(table: "schedule_fires") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("pipeline", .text).notNull()
                t.column("entry", .text).notNull()
                t.column("scheduledSecond", .integer).notNull()
                t.column("throughSecond", .integer)
                t.column("count", .integer).notNull()
                t.column("decision", .text).notNull()
                t.column("reason", .text)
                t.column("decidedAt", .datetime).notNull()
                t.column("decidedBy", .text).notNull()
                t.column("runId", .text)
                t.column("outcome", .text)
                t.column("finishedAt", .datetime)
                t.uniqueKey(["pipeline", "entry", "scheduledSecond"])
            }
            try db.create(table: "schedule_entries") { t in
                t.column("pipeline", .text).notNull()
                t.column("entry", .text).notNull()
                t.column("firstSeenSecond", .integer).notNull()
                t.primaryKey(["pipeline", "entry"])
            }
        }
    }

    /// How far before the moment an entry is first seen its catch-up starts: a daemon (or
    /// `flow schedule --once` from system cron) started within a minute after a fire time fires it.
    public static let newEntryLead: Int64 = 60

    /// Decides, records and returns the fires of `rule` that came due by `now`, in one write
    /// transaction: the times after the entry's last recorded one (or after it was first seen),
    /// decided by its catch-up policy and deadline. Only the rows this call inserted come back;
    /// a time another daemon recorded first is not returned, so it is not fired twice. The
    /// returned `fire` rows are for the caller to start.
    public func claimFires(_ rule: ScheduleRule, now: Date, by daemon: String, limit: Int = 10_000) throws -> [FireRecord] {
        try writing("record the fires of \(rule.pipeline) \(rule.key)") { db in
            let nowSecond = Int64(now.timeIntervalSince1970.rounded(.down))
            try db.execute(sql: "INSERT INTO schedule_entries (pipeline, entry, firstSeenSecond) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [rule.pipeline, rule.key, nowSecond - Self.newEntryLead])
            let firstSeen = try Int64.fetchOne(db, sql: "SELECT firstSeenSecond FROM schedule_entries WHERE pipeline = ? AND entry = ?",
                                               arguments: [rule.pipeline, rule.key]) ?? nowSecond
            let last = try Int64.fetchOne(db, sql: """
                SELECT MAX(COALESCE(throughSecond, scheduledSecond)) FROM schedule_fires WHERE pipeline = ? AND entry = ?
                """, arguments: [rule.pipeline, rule.key])
            var after = Date(timeIntervalSince1970: TimeInterval(max(firstSeen, last ?? Int64.min)))
            var inserted: [FireRecord] = []
            // In batches, so a long outage of a frequent entry never holds all its times at once.
            var moreAfter = true
            while moreAfter {
                let due = rule.timeline.instants(after: after, through: now, limit: limit)
                guard let batchEnd = due.last else { break }
                moreAfter = due.count == limit && (rule.timeline.next(after: batchEnd).map { $0 <= now } ?? false)
                after = batchEnd
                inserted += try insert(CatchupDecision.decide(due, now: now, policy: rule.policy, moreAfter: moreAfter), rule, now, daemon, db)
            }
            return inserted
        }
    }

    private func insert(_ decisions: [CatchupDecision.Decided], _ rule: ScheduleRule, _ now: Date, _ daemon: String,
                        _ db: Database) throws -> [FireRecord] {
        var inserted: [FireRecord] = []
        for decided in decisions {
            var record = FireRecord(
                pipeline: rule.pipeline, entry: rule.key, scheduledSecond: Int64(decided.scheduled.timeIntervalSince1970),
                throughSecond: decided.through.map { Int64($0.timeIntervalSince1970) }, count: decided.count,
                decision: decided.kind.rawValue, reason: decided.reason, decidedAt: now, decidedBy: daemon,
                runId: nil, outcome: decided.kind == .fire ? nil : decided.kind.rawValue, finishedAt: decided.kind == .fire ? nil : now)
            try record.insert(db, onConflict: .ignore)
            if db.changesCount == 1 {
                record.seq = db.lastInsertedRowID
                inserted.append(record)
            }
        }
        return inserted
    }

    /// Forgets when an entry was first seen (it left its file), so adding it again later starts
    /// afresh instead of catching up over the time it was gone.
    public func forgetScheduleEntry(pipeline: String, entry: String) throws {
        try writing("forget schedule entry \(entry)") { db in
            try db.execute(sql: "DELETE FROM schedule_entries WHERE pipeline = ? AND entry = ?", arguments: [pipeline, entry])
        }
    }

    /// Records how a fire ended, unless it already says (a run refused by `forbid` records that itself).
    public func finishFire(_ seq: Int64, outcome: String, reason: String?, at: Date) throws {
        try writing("record the end of schedule fire \(seq)") { db in
            try db.execute(sql: """
                UPDATE schedule_fires SET outcome = ?, reason = COALESCE(?, reason), finishedAt = ? WHERE seq = ? AND outcome IS NULL
                """, arguments: [outcome, reason, Self.storedDate(at), seq])
        }
    }

    /// A run started by a fire that its concurrency group refused (`forbid`): the fire is skipped.
    public func refuseFire(pipeline: String, trigger: RunTrigger, reason: String, at: Date) throws {
        guard case .schedule(let entry, let scheduledAt) = trigger else { return }
        try writing("record schedule fire \(entry) as skipped") { db in
            try db.execute(sql: """
                UPDATE schedule_fires SET outcome = 'skipped', reason = ?, finishedAt = ?
                WHERE pipeline = ? AND entry = ? AND scheduledSecond = ? AND outcome IS NULL
                """, arguments: [reason, Self.storedDate(at), pipeline, entry, Int64(scheduledAt.timeIntervalSince1970)])
        }
    }

    /// Links a run created by a fire to its row (inside ``createRun(_:steps:)``'s transaction).
    static func linkFire(_ db: Database, run: RunRecord) throws {
        guard case .schedule(let entry, let scheduledAt) = run.trigger else { return }
        try db.execute(sql: "UPDATE schedule_fires SET runId = ? WHERE pipeline = ? AND entry = ? AND scheduledSecond = ? AND runId IS NULL",
                       arguments: [run.id, run.pipeline, entry, Int64(scheduledAt.timeIntervalSince1970)])
    }

    /// One fire row.
    public func fire(_ seq: Int64) throws -> FireRecord? {
        try reading("read schedule fire \(seq)") { db in try FireRecord.fetchOne(db, key: seq) }
    }

    /// The fires recorded, oldest scheduled time first (of one pipeline when given).
    public func fires(pipeline: String? = nil) throws -> [FireRecord] {
        try reading("read the schedule fires") { db in
            var request = FireRecord.order(Column("scheduledSecond"), Column("seq"))
            if let pipeline { request = request.filter(Column("pipeline") == pipeline) }
            return try request.fetchAll(db)
        }
    }

    /// Each entry's most recent fire row, keyed by ``FireRecord/entryID(pipeline:entry:)``.
    public func lastFires() throws -> [String: FireRecord] {
        try reading("read the schedule fires") { db in
            let rows = try FireRecord.fetchAll(db, sql: """
                SELECT * FROM schedule_fires f WHERE seq = (SELECT seq FROM schedule_fires g WHERE g.pipeline = f.pipeline AND g.entry = f.entry
                ORDER BY scheduledSecond DESC, seq DESC LIMIT 1)
                """)
            return Dictionary(rows.map { (FireRecord.entryID(pipeline: $0.pipeline, entry: $0.entry), $0) }, uniquingKeysWith: { a, _ in a })
        }
    }
}
