import Foundation
import GRDB

/// One row of `launches`: a start or a takeover of a run, with its typed trigger. The run's first
/// launch holds the trigger that created it (also in `runs`); each `flow resume`, `flow retry`, or
/// resume inside CodeBuild adds one.
public struct LaunchRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "launches"
    public var seq: Int64?
    public var runId: String
    public var at: Date
    public var kind: String
    public var entry: String?
    public var scheduledAt: Date?
    public var buildId: String?

    public init(runId: String, at: Date, trigger: RunTrigger) {
        self.runId = runId
        self.at = at
        kind = trigger.kind
        entry = trigger.scheduleEntry
        scheduledAt = trigger.scheduledAt
        buildId = trigger.buildID
    }

    public var trigger: RunTrigger { RunTrigger(kind: kind, entry: entry, scheduledAt: scheduledAt, buildID: buildId) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}

extension RunDatabase {
    /// `v7-triggers`: the typed trigger's details beside `runs.trigger` (its kind), and the
    /// `launches` table. Runs recorded before it keep their kind and get one launch row.
    static func registerTriggerMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v7-triggers") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "triggerEntry", .text)
                t.add(column: "triggerScheduledAt", .datetime)
                t.add(column: "triggerBuildId", .text)
            }
            try db.create(table: "launches") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("entry", .text)
                t.column("scheduledAt", .datetime)
                t.column("buildId", .text)
            }
            try db.create(index: "launches_by_run", on: "launches", columns: ["runId", "seq"])
            try db.execute(sql: "INSERT INTO launches (runId, at, kind) SELECT id, createdAt, trigger FROM runs ORDER BY createdAt")
        }
    }

    /// Every launch of a run, oldest first.
    public func launches(of runId: String) throws -> [LaunchRecord] {
        try reading("read the launches of run \(runId)") { db in
            try LaunchRecord.filter(Column("runId") == runId).order(Column("seq")).fetchAll(db)
        }
    }
}
