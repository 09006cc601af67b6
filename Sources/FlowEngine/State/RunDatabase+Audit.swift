import Foundation
import GRDB

/// One row of `audit`: one decision a `remediate` step made about one piece of evidence, taken or
/// not (an action run, a "needs a person", nothing to do). Every text column is masked before it
/// is written (``RunDatabase/recordAudit(_:secrets:)``).
public struct AuditRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "audit"
    /// Assigned on insert; orders the rows of one run.
    public var id: Int64?
    public var runId: String
    /// The remediate step that decided.
    public var stepId: String
    /// The runbook rule that decided; nil when no rule matched, or there was no evidence.
    public var rule: String?
    /// What went wrong, as a JSON object (a failed step or an alarm); nil when there was none.
    public var evidence: String?
    /// The rule's action as a JSON object (`{"rerun":{"step":"train",…}}`), values rendered; nil without a rule.
    public var action: String?
    public var confidence: Double?
    public var minConfidence: Double
    public var dryRun: Bool
    /// `acted`, `failed`, `needs-person` or `nothing-to-do`.
    public var outcome: String
    /// In words: what was done, or why nothing was.
    public var detail: String
    public var at: Date

    public init(runId: String, stepId: String, rule: String?, evidence: String?, action: String?, confidence: Double?,
                minConfidence: Double, dryRun: Bool, outcome: String, detail: String, at: Date) {
        self.runId = runId
        self.stepId = stepId
        self.rule = rule
        self.evidence = evidence
        self.action = action
        self.confidence = confidence
        self.minConfidence = minConfidence
        self.dryRun = dryRun
        self.outcome = outcome
        self.detail = detail
        self.at = at
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RunDatabase {
    /// `v6-audit`: the table of remediation decisions.
    static func registerAuditMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v6-audit") { db in
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("stepId", .text).notNull()
                t.column("rule", .text)
                t.column("evidence", .text)
                t.column("action", .text)
                t.column("confidence", .double)
                t.column("minConfidence", .double).notNull()
                t.column("dryRun", .boolean).notNull()
                t.column("outcome", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "audit_by_run", on: "audit", columns: ["runId", "id"])
        }
    }

    /// Records a decision, its text masked with `secrets` first; returns the row as stored.
    @discardableResult
    public func recordAudit(_ record: AuditRecord, secrets: RunSecrets) throws -> AuditRecord {
        var row = record
        row.rule = row.rule.map(secrets.mask)
        row.evidence = row.evidence.map(secrets.mask)
        row.action = row.action.map(secrets.mask)
        row.detail = secrets.mask(row.detail)
        return try writing("record a remediation decision of run \(record.runId)") { db in
            try row.insert(db)
            return row
        }
    }

    /// The decisions of one run in the order they were made, or of all runs newest first
    /// (at most `limit` rows).
    public func audits(of runId: String? = nil, limit: Int = 100) throws -> [AuditRecord] {
        try reading("read the remediation audit") { db in
            // A database last written by a flow before the audit table existed, opened read-only.
            guard try db.tableExists("audit") else { return [] }
            if let runId {
                return try AuditRecord.filter(Column("runId") == runId).order(Column("id")).fetchAll(db)
            }
            return try AuditRecord.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }
}
