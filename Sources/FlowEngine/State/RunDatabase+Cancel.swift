import Foundation
import GRDB

/// Recording a cancellation made from outside the run's own process (`flow cancel`).
extension RunDatabase {
    /// Records the run as `cancelled` when it is still `from` (compare-and-set), in one
    /// transaction: its pending and running steps become `cancelled` with `reason`, attempts left
    /// running are closed as cancelled, and an event says so. Only for a run no live process
    /// owns: a live owner records its own cancellation. Returns false when the run was no longer `from`.
    @discardableResult
    public func cancelRun(_ runId: String, from: RunStatus, reason: String, at: Date) throws -> Bool {
        try writing("record run \(runId) as cancelled") { db in
            try db.execute(sql: "UPDATE runs SET status = 'cancelled', finishedAt = ? WHERE id = ? AND status = ?",
                           arguments: [Self.storedDate(at), runId, from.rawValue])
            guard db.changesCount == 1 else { return false }
            let unfinished = try StepRecord.filter(Column("runId") == runId && ["pending", "running"].contains(Column("status"))).fetchAll(db)
            for step in unfinished {
                try db.execute(sql: "UPDATE steps SET status = 'cancelled', reason = ?, finishedAt = ? WHERE runId = ? AND stepId = ? AND status = ?",
                               arguments: [reason, Self.storedDate(at), runId, step.stepId, step.status.rawValue])
                try EventRecord(runId: runId, at: at, kind: .stepFinished, stepId: step.stepId,
                                data: Self.json(["status": "cancelled", "reason": reason])).insert(db)
            }
            try db.execute(sql: "UPDATE attempts SET status = 'cancelled', error = ?, finishedAt = ? WHERE runId = ? AND status = 'running'",
                           arguments: [reason, Self.storedDate(at), runId])
            // A cancelled run does not rerun: requests its steps left pending are dropped.
            try db.execute(sql: "UPDATE reruns SET status = 'dropped', note = 'run cancelled', settledAt = ? WHERE runId = ? AND status = 'pending'",
                           arguments: [Self.storedDate(at), runId])
            try EventRecord(runId: runId, at: at, kind: .runFinished, data: Self.json(["status": "cancelled", "reason": reason])).insert(db)
            return true
        }
    }

    /// Notes in the run's event log that another process asked its owner `pid` to stop, before
    /// the signal is sent.
    public func noteCancelRequest(_ runId: String, ownerPid: Int32, reason: String, at: Date) throws {
        try writing("record a cancel request for run \(runId)") { db in
            try EventRecord(runId: runId, at: at, kind: .cancelRequested,
                            data: Self.json(["ownerPid": String(ownerPid), "reason": reason])).insert(db)
        }
    }

    /// When the run's current owner took it: its start, or its latest resume or retry.
    public func takenAt(_ runId: String) throws -> Date? {
        try reading("read run \(runId)") { db in
            try DatabaseValue.fetchOne(db, sql: """
                SELECT at FROM events WHERE runId = ? AND kind IN ('run-started', 'run-resumed', 'run-retried')
                ORDER BY seq DESC LIMIT 1
                """, arguments: [runId]).flatMap(Self.readStoredDate)
        }
    }
}
