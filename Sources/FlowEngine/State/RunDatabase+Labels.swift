import Foundation
import GRDB
import FlowCore

/// What people read beside ids: a step's `name` and `description`, and the run's `outputs:`.
public struct StepLabel: Sendable, Hashable {
    public var name: String?
    public var description: String?

    public init(name: String?, description: String?) {
        self.name = name
        self.description = description
    }
}

extension RunDatabase {
    /// `v9-labels`: `steps.name` and `steps.description` (the step's `name:` and `description:`,
    /// masked), and `runs.outputs` (the pipeline's `outputs:` when the run ended, a JSON array of
    /// `[name, value]` pairs in declaration order, masked).
    static func registerLabelMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v9-labels") { db in
            try db.alter(table: "steps") { t in
                t.add(column: "name", .text)
                t.add(column: "description", .text)
                // A runtime matrix's combinations, on its gate's row (``Expansion``).
                t.add(column: "matrix", .text)
            }
            try db.alter(table: "runs") { t in t.add(column: "outputs", .text) }
        }
    }

    /// Writes the labels of the run's steps (those with one), inside a transaction the caller holds.
    static func writeLabels(_ db: Database, runId: String, _ labels: [String: StepLabel]) throws {
        for (stepId, label) in labels {
            try db.execute(sql: "UPDATE steps SET name = ?, description = ? WHERE runId = ? AND stepId = ?",
                           arguments: [label.name, label.description, runId, stepId])
        }
    }

}

extension RunRecord {
    /// The pipeline's `outputs:` as the run ended (empty before it has).
    public var outputValues: [(name: String, value: String)] { (outputs ?? []).map { ($0.name, $0.value) } }
}

extension RunDatabase {
    /// A runtime matrix reached: its gate, its instances' ids (in order) and combinations.
    public struct Expansion: Sendable {
        public var gate: String
        public var instances: [String]
        public var combinations: [MatrixCombination]
        /// The combinations recorded before a resume: the instances' rows stand as they are.
        public var reused: Bool
        /// Each instance's name and description (its step's, the name rendered with its `matrix`).
        public var labels: [String: StepLabel]
        public var at: Date

        public init(gate: String, instances: [String], combinations: [MatrixCombination], reused: Bool, labels: [String: StepLabel],
                    at: Date) {
            self.at = at
            self.gate = gate
            self.instances = instances
            self.combinations = combinations
            self.reused = reused
            self.labels = labels
        }
    }

    /// Writes an expansion inside the caller's transaction, before its transitions: the gate's
    /// combinations on its row; a row per instance (`pending`, after every other step), rows of
    /// an earlier expansion that this one does not hold deleted, and (when computed afresh)
    /// the ones it does hold reset to `pending`; and a `matrix-expanded` event.
    static func write(_ expansion: Expansion, runId: String, _ db: Database) throws {
        let prefix = expansion.gate + "["
        let existing = try String.fetchAll(db, sql: "SELECT stepId FROM steps WHERE runId = ? AND substr(stepId, 1, ?) = ?",
                                           arguments: [runId, prefix.count, prefix])
        let wanted = Set(expansion.instances)
        for id in existing where !wanted.contains(id) {
            try db.execute(sql: "DELETE FROM steps WHERE runId = ? AND stepId = ?", arguments: [runId, id])
        }
        let known = Set(existing)
        var position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM steps WHERE runId = ?", arguments: [runId]) ?? 0) + 1
        for id in expansion.instances {
            if known.contains(id) {
                guard !expansion.reused else { continue }
                try db.execute(sql: """
                    UPDATE steps SET status = 'pending', exitCode = NULL, error = NULL, reason = NULL, outputs = NULL, cachedFrom = NULL,
                    startedAt = NULL, finishedAt = NULL WHERE runId = ? AND stepId = ?
                    """, arguments: [runId, id])
            } else {
                try StepRecord(runId: runId, stepId: id, position: position, status: .pending, attempts: 0,
                               name: expansion.labels[id]?.name, description: expansion.labels[id]?.description).insert(db)
                position += 1
            }
        }
        try db.execute(sql: "UPDATE steps SET matrix = ? WHERE runId = ? AND stepId = ?",
                       arguments: [jsonText(expansion.combinations), runId, expansion.gate])
        let data = String(decoding: try JSONEncoder().encode(["instances": String(expansion.instances.count)]), as: UTF8.self)
        try EventRecord(runId: runId, at: expansion.at, kind: .matrixExpanded, stepId: expansion.gate, data: data).insert(db)
    }

}
