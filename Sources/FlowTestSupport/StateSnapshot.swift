import Foundation
import GRDB
import FlowEngine

/// What a state database holds at one moment, read through a read-only connection so that
/// looking changes nothing (no migration, no checkpoint): for tests that inspect the
/// database a killed `flow` process left behind.
public struct StateSnapshot: Sendable {
    /// Every run, newest first.
    public var runs: [RunRecord]
    /// The steps of each run, by run id, in plan order.
    public var steps: [String: [StepRecord]]
    /// The rows `PRAGMA integrity_check` returned: `["ok"]` for a sound database.
    public var integrity: [String]

    /// No database yet: no runs, and nothing to be unsound.
    public static let empty = StateSnapshot(runs: [], steps: [:], integrity: ["ok"])

    /// Reads the database at `path`; nil when there is no database file yet.
    public static func read(databaseAt path: String) throws -> StateSnapshot? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            // A database created but not yet migrated (the creator was killed) has no tables.
            guard try db.tableExists(RunRecord.databaseTableName) else {
                return StateSnapshot(runs: [], steps: [:], integrity: integrity)
            }
            let runs = try RunRecord.order(Column("createdAt").desc, Column("id").desc).fetchAll(db)
            var steps: [String: [StepRecord]] = [:]
            for run in runs {
                steps[run.id] = try StepRecord.filter(Column("runId") == run.id).order(Column("position")).fetchAll(db)
            }
            return StateSnapshot(runs: runs, steps: steps, integrity: integrity)
        }
    }

    /// The steps of the newest run, by step id (empty when there is no run).
    public var newestRunSteps: [String: StepRecord] {
        guard let run = runs.first else { return [:] }
        return Dictionary(uniqueKeysWithValues: (steps[run.id] ?? []).map { ($0.stepId, $0) })
    }
}
