import Foundation
import GRDB
import FlowCore

/// One row of `reruns`: a step's request to run steps of its run again (``RerunRequest``),
/// committed before the step goes on, and what became of it.
public struct RerunRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord, StoredDates {
    public static let databaseTableName = "reruns"

    /// `pending` until the pass ends; then `carried-out` (in rerun `pass`), `refused` (the pass
    /// bound, a plan that no longer fits) or `dropped` (the run was cancelled).
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case pending, carriedOut = "carried-out", refused, dropped
    }

    public var id: Int64?
    public var runId: String
    /// The step that asked, and its attempt.
    public var stepId: String
    public var attempt: Int
    /// The step ids named, as a JSON array.
    public var steps: String
    /// The params set, as a JSON object of strings.
    public var params: String
    /// Masked as it was recorded.
    public var reason: String
    public var requestedAt: Date
    public var status: Status
    /// Which rerun of the run carried it out (1 for the first), when carried out.
    public var pass: Int?
    /// Why it was refused or dropped.
    public var note: String?
    public var settledAt: Date?

    public init(runId: String, stepId: String, attempt: Int, steps: String, params: String, reason: String, requestedAt: Date,
                status: Status, pass: Int? = nil, note: String? = nil, settledAt: Date? = nil) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.steps = steps
        self.params = params
        self.reason = reason
        self.requestedAt = requestedAt
        self.status = status
        self.pass = pass
        self.note = note
        self.settledAt = settledAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public var stepList: [String] { (try? JSONDecoder().decode([String].self, from: Data(steps.utf8))) ?? [] }
    public var paramValues: [String: String] { (try? JSONDecoder().decode([String: String].self, from: Data(params.utf8))) ?? [:] }

    static func encode(_ steps: [String]) -> String {
        "[" + steps.map(JSONText.quote).joined(separator: ",") + "]"
    }

    static func encode(_ params: [String: String]) -> String { RunDatabase.json(params) }

    /// `train, batch-size 32 → 16 (out of memory)`: what a rerun does, for logs and events.
    public static func describe(steps: [String], changes: [ParamChange], reason: String) -> String {
        var text = steps.joined(separator: ", ")
        if !changes.isEmpty { text += ", " + changes.map(\.description).joined(separator: ", ") }
        if !reason.isEmpty { text += " (\(reason))" }
        return text
    }
}

/// Recording rerun requests and carrying them out (see ``RerunRequest``).
extension RunDatabase {
    /// `v5-reruns`: the `reruns` table.
    static func registerRerunMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v5-reruns") { db in
            try db.create(table: "reruns") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("stepId", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.column("steps", .text).notNull()
                t.column("params", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("requestedAt", .datetime).notNull()
                t.column("status", .text).notNull()
                t.column("pass", .integer)
                t.column("note", .text)
                t.column("settledAt", .datetime)
            }
            try db.create(index: "reruns_by_run", on: "reruns", columns: ["runId", "status"])
        }
    }

    /// Records a request as `pending`, with an event, in one transaction.
    public func recordRerun(_ request: RerunRecord) throws {
        try writing("record a rerun request of run \(request.runId)") { db in
            var row = request
            try row.insert(db)
            try EventRecord(runId: request.runId, at: request.requestedAt, kind: .rerunRequested, stepId: request.stepId,
                            data: Self.json(["steps": request.steps, "params": request.params, "reason": request.reason,
                                             "attempt": String(request.attempt)])).insert(db)
        }
    }

    /// Every request of a run, oldest first.
    public func reruns(of runId: String) throws -> [RerunRecord] {
        try reading("read the rerun requests of run \(runId)") { db in
            guard try db.tableExists("reruns") else { return [] }
            return try RerunRecord.filter(Column("runId") == runId).order(Column("id")).fetchAll(db)
        }
    }

    /// The requests of a run not yet carried out, refused or dropped, oldest first.
    public func pendingReruns(of runId: String) throws -> [RerunRecord] {
        try reruns(of: runId).filter { $0.status == .pending }
    }

    /// How many reruns the run has had (passes after its first).
    public func rerunPasses(of runId: String) throws -> Int {
        try reruns(of: runId).compactMap(\.pass).max() ?? 0
    }

    /// Requests by `step` carried out or still to be (refused and dropped ones do not count).
    public func rerunCount(_ runId: String, requestedBy step: String) throws -> Int {
        try reruns(of: runId).filter { $0.stepId == step && ($0.status == .pending || $0.status == .carriedOut) }.count
    }

    /// Settles pending requests that will not be carried out (`refused`, `dropped`), saying why,
    /// with an event.
    public func settleReruns(_ runId: String, ids: [Int64], as status: RerunRecord.Status, note: String, at: Date) throws {
        try writing("record the rerun requests of run \(runId)") { db in
            for id in ids {
                try db.execute(sql: "UPDATE reruns SET status = ?, note = ?, settledAt = ? WHERE id = ? AND runId = ? AND status = 'pending'",
                               arguments: [status.rawValue, note, Self.storedDate(at), id, runId])
            }
            try EventRecord(runId: runId, at: at, kind: status == .refused ? .rerunRefused : .rerunDropped, data: Self.json(["note": note])).insert(db)
        }
    }

    /// Inside the takeover's transaction: the run's params become `pass`'s, its requests are
    /// marked carried out, and an event says what runs again and why. Requests settled meanwhile
    /// (by another process) refuse the lot.
    func carryOut(_ pass: RerunPass, runId: String, from: RunStatus, at: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE runs SET params = ? WHERE id = ?", arguments: [pass.storedParams, runId])
        for id in pass.requestIDs {
            try db.execute(sql: "UPDATE reruns SET status = 'carried-out', pass = ?, settledAt = ? WHERE id = ? AND runId = ? AND status = 'pending'",
                           arguments: [pass.number, Self.storedDate(at), id, runId])
            guard db.changesCount == 1 else { throw ResumeRefused(runId: runId, expected: from) }
        }
        try EventRecord(runId: runId, at: at, kind: .runRerun, data: Self.json([
            "pass": String(pass.number), "requestedBy": pass.requestedBy.joined(separator: ","),
            "steps": RerunRecord.encode(pass.steps), "rerunning": RerunRecord.encode(pass.rerunning),
            "params": pass.changes.map(\.description).joined(separator: ", "), "reason": pass.reason,
        ])).insert(db)
    }
}
