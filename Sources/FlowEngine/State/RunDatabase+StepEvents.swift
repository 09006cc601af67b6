import Foundation
import GRDB

/// Events a step type records about its own work in the run's append-only `events` table (a
/// CodeBuild build it started, and how it ended), committed before the step acts on them, and
/// read back by a later attempt of the same step (after a resume) to pick up where it was.
extension RunDatabase {
    /// Appends one event of `stepId` (already masked); committed when this returns.
    public func appendStepEvent(runId: String, stepId: String, kind: String, data: [String: String], at: Date) throws {
        try writing("record event \(kind) of \(runId)/\(stepId)") { db in
            try db.execute(sql: "INSERT INTO events (runId, at, kind, stepId, data) VALUES (?, ?, ?, ?, ?)",
                           arguments: [runId, Self.storedDate(at), kind, stepId, Self.json(data)])
        }
    }

    /// The events of `stepId` whose kind starts with `prefix`, oldest first.
    public func stepEvents(runId: String, stepId: String, kindPrefix: String) throws -> [EventRecord] {
        try reading("read the events of \(runId)/\(stepId)") { db in
            try EventRecord.filter(Column("runId") == runId && Column("stepId") == stepId && Column("kind").like(kindPrefix + "%"))
                .order(Column("seq")).fetchAll(db)
        }
    }
}
