import Foundation
import GRDB
import FlowCore

/// One memoized success (`cache:`): the key it answers, the step and run that made it, and what
/// a later run reuses, its outputs (the stored bytes) and the paths saved with it
/// (``StepCacheStore``). One row per key; a newer success of the same key replaces it.
public struct CacheEntryRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "cache"
    /// The key's digest (``CacheKey``), `sha256:…`.
    public var key: String
    public var stepId: String
    public var pipeline: String
    public var runId: String
    /// The step's outputs as stored on its row (masked), reused as they are.
    public var outputs: [String: String]
    /// The `paths:` saved, as written.
    public var paths: [String]
    /// The saved paths' size in bytes.
    public var bytes: Int64
    public var createdAt: Date

}

extension RunDatabase {
    /// `v10-cache`: the `cache` table (``CacheEntryRecord``) and `steps.cachedFrom`, the run whose
    /// success a step reused (its row is `succeeded` with that run's outputs).
    static func registerCacheMigration(_ migrator: inout MigrationList) {
        migrator.registerMigration("v10-cache") { db in
            try db.create(table: "cache") { t in
                t.primaryKey("key", .text)
                t.column("stepId", .text).notNull()
                t.column("pipeline", .text).notNull()
                t.column("runId", .text).notNull()
                t.column("outputs", .text).notNull()
                t.column("paths", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.alter(table: "steps") { t in t.add(column: "cachedFrom", .text) }
        }
    }

    /// The entry for `key`, if a success recorded one.
    public func cacheEntry(_ key: String) throws -> CacheEntryRecord? {
        try reading("read the cache") { db in
            try CacheEntryRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM cache WHERE key = ?"), arguments: [key])
        }
    }

    /// The entries of these steps, by key: what a run looks its memoized steps up in, read once.
    public func cacheEntries(ofSteps steps: [String]) throws -> [String: CacheEntryRecord] {
        guard !steps.isEmpty else { return [:] }
        return try reading("read the cache") { db in
            var found: [String: CacheEntryRecord] = [:]
            for chunk in stride(from: 0, to: steps.count, by: 500).map({ Array(steps[$0..<min($0 + 500, steps.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for entry in try CacheEntryRecord.fetchAll(db, sql: "SELECT * FROM cache WHERE stepId IN (\(marks))",
                                                           arguments: StatementArguments(chunk)) {
                    found[entry.key] = entry
                }
            }
            return found
        }
    }

    /// Every entry, newest first (none from a database older than the cache, opened read-only).
    public func cacheEntries() throws -> [CacheEntryRecord] {
        try reading("read the cache") { db in
            guard try db.tableExists("cache") else { return [] }
            return try CacheEntryRecord.order(Column("createdAt").desc, Column("stepId")).fetchAll(db)
        }
    }

    /// Removes the entries of these keys; returns how many there were.
    @discardableResult
    public func removeCacheEntries(_ keys: [String]) throws -> Int {
        try writing("clear the cache") { db in
            var removed = 0
            for key in keys {
                try db.execute(sql: "DELETE FROM cache WHERE key = ?", arguments: [key])
                removed += db.changesCount
            }
            return removed
        }
    }

    /// Records entries inside a transaction the caller holds (with the success that made them).
    static func writeCacheEntries(_ db: Database, _ entries: [CacheEntryRecord]) throws {
        for entry in entries {
            try db.cachedStatement(sql: """
                INSERT INTO cache (key, stepId, pipeline, runId, outputs, paths, bytes, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET stepId = excluded.stepId, pipeline = excluded.pipeline, runId = excluded.runId,
                outputs = excluded.outputs, paths = excluded.paths, bytes = excluded.bytes, createdAt = excluded.createdAt
                """).execute(arguments: [entry.key, entry.stepId, entry.pipeline, entry.runId, json(entry.outputs), jsonText(entry.paths),
                                         entry.bytes, storedDate(entry.createdAt)])
        }
    }
}
