import Foundation
import GRDB

/// Migrations by identifier, in order: what the `register…Migration` functions fill, for GRDB's
/// migrator (upgrades) and ``RunDatabase/createSchema(_:)`` (a new database, in one go).
struct MigrationList {
    private(set) var all: [(identifier: String, body: @Sendable (Database) throws -> Void)] = []

    mutating func registerMigration(_ identifier: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        all.append((identifier, migrate))
    }
}

/// The schema: the migrations, the schema they make together, and making or upgrading it.
extension RunDatabase {
    /// Applies the migrations, safely when several processes open a new database at once.
    /// GRDB's migrator reads which migrations are applied before, not inside, the transaction
    /// that applies one, so two processes can both set out to apply `v1`; the second waits for
    /// the first's lock, then fails ("table runs already exists") and rolls back. Every
    /// migration is one transaction, so when migrating fails, reading again says whether
    /// another process applied it meanwhile; if not everything is applied yet, try again.
    ///
    /// `fresh`: the file was empty when opened (under the opening's lock), so nothing of a
    /// newer flow can be in it. A database whose applied migrations are exactly this flow's is
    /// left alone after one read, without building GRDB's migrator or taking the write lock.
    static func migrate(_ writer: any DatabaseWriter, fresh: Bool = false) throws {
        if !fresh, try schemaIsCurrent(writer) { return }
        if try createSchema(writer) { return }
        let migrator = Self.migrator
        var tries = 0
        while true {
            do {
                return try migrator.migrate(writer)
            } catch {
                tries += 1
                if try writer.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if tries >= 3 { throw error }
            }
        }
    }

    /// Whether the database has exactly this flow's migrations applied (false when it has
    /// fewer, or no migrations table); throws ``NewerSchema``, before anything is written, when
    /// it holds migrations this flow does not know: writing to it could corrupt what a newer
    /// flow recorded.
    static func schemaIsCurrent(_ reader: any DatabaseReader) throws -> Bool {
        let known = migrations.all.map(\.identifier)
        let marks = Array(repeating: "?", count: known.count).joined(separator: ",")
        // Counted in SQL (every open asks; the names are read only when some are unknown).
        let (applied, unknown) = try reader.read { db -> (Int, [String]) in
            guard try db.tableExists("grdb_migrations") else { return (0, []) }
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(identifier NOT IN (\(marks))), 0) FROM grdb_migrations",
                                       arguments: StatementArguments(known))
            let applied = (row?[0] as Int?) ?? 0, unknown = (row?[1] as Int?) ?? 0
            guard unknown > 0 else { return (applied, []) }
            return (applied, try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations WHERE identifier NOT IN (\(marks)) ORDER BY identifier",
                                                 arguments: StatementArguments(known)))
        }
        if !unknown.isEmpty { throw NewerSchema(unknown: unknown) }
        return applied == known.count
    }

    /// GRDB's migrator over ``migrations``: it upgrades a database an older flow made.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, body) in migrations.all { migrator.registerMigration(identifier, migrate: body) }
        return migrator
    }

    /// Every migration, in order.
    static var migrations: MigrationList {
        var migrator = MigrationList()
        migrator.registerMigration("v1") { db in
            try db.create(table: "runs") { t in
                t.primaryKey("id", .text)
                t.column("pipeline", .text).notNull()
                t.column("file", .text).notNull()
                t.column("source", .text).notNull()
                t.column("sourceDigest", .text).notNull()
                t.column("params", .text).notNull()
                t.column("profile", .text)
                t.column("trigger", .text).notNull()
                t.column("gitSha", .text)
                t.column("secretNames", .text).notNull()
                t.column("status", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("ownerPid", .integer)
                t.column("ownerHost", .text)
                t.column("heartbeatAt", .datetime)
                t.column("resumeCount", .integer).notNull().defaults(to: 0)
            }
            try db.create(index: "runs_by_pipeline", on: "runs", columns: ["pipeline", "createdAt"])
            try db.create(table: "steps") { t in
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("stepId", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("outputs", .text)
                t.column("exitCode", .integer)
                t.column("error", .text)
                t.column("reason", .text)
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.primaryKey(["runId", "stepId"])
            }
            try db.create(table: "attempts") { t in
                t.column("runId", .text).notNull()
                t.column("stepId", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("exitCode", .integer)
                t.column("error", .text)
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("logPath", .text).notNull()
                t.primaryKey(["runId", "stepId", "number"])
                t.foreignKey(["runId", "stepId"], references: "steps", onDelete: .cascade)
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("stepId", .text)
                t.column("data", .text)
            }
            try db.create(index: "events_by_run", on: "events", columns: ["runId", "seq"])
        }
        migrator.registerMigration("v2-selection") { db in
            try db.alter(table: "runs") { t in t.add(column: "selection", .text) }
        }
        migrator.registerMigration("v3-artifacts") { db in
            try db.create(table: "artifacts") { t in
                t.column("runId", .text).notNull()
                t.column("stepId", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("path", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["runId", "stepId", "attempt", "name"])
                t.foreignKey(["runId", "stepId"], references: "steps", onDelete: .cascade)
            }
        }
        migrator.registerMigration("v4-images") { db in
            try db.alter(table: "runs") { t in t.add(column: "images", .text) }
        }
        registerRerunMigration(&migrator)
        registerAuditMigration(&migrator)
        registerTriggerMigration(&migrator)
        registerScheduleMigration(&migrator)
        registerLabelMigration(&migrator)
        registerCacheMigration(&migrator)
        return migrator
    }

    /// The schema every migration together makes, as SQLite records it (`sqlite_master`): what
    /// ``createSchema(_:)`` runs for a new database, parsed once rather than built migration by
    /// migration. A new migration changes it too; RunDatabaseOpeningTests fails until it does,
    /// and prints the difference.
    static let schema = """
        CREATE TABLE "runs" (
            "id" TEXT PRIMARY KEY NOT NULL,
            "pipeline" TEXT NOT NULL,
            "file" TEXT NOT NULL,
            "source" TEXT NOT NULL,
            "sourceDigest" TEXT NOT NULL,
            "params" TEXT NOT NULL,
            "profile" TEXT,
            "trigger" TEXT NOT NULL,
            "gitSha" TEXT,
            "secretNames" TEXT NOT NULL,
            "status" TEXT NOT NULL,
            "createdAt" DATETIME NOT NULL,
            "finishedAt" DATETIME,
            "ownerPid" INTEGER,
            "ownerHost" TEXT,
            "heartbeatAt" DATETIME,
            "resumeCount" INTEGER NOT NULL DEFAULT 0,
            "selection" TEXT,
            "images" TEXT,
            "triggerEntry" TEXT,
            "triggerScheduledAt" DATETIME,
            "triggerBuildId" TEXT,
            "outputs" TEXT
        );
        CREATE TABLE "steps" (
            "runId" TEXT NOT NULL REFERENCES "runs"("id") ON DELETE CASCADE,
            "stepId" TEXT NOT NULL,
            "position" INTEGER NOT NULL,
            "status" TEXT NOT NULL,
            "attempts" INTEGER NOT NULL DEFAULT 0,
            "outputs" TEXT,
            "exitCode" INTEGER,
            "error" TEXT,
            "reason" TEXT,
            "startedAt" DATETIME,
            "finishedAt" DATETIME,
            "name" TEXT,
            "description" TEXT,
            "matrix" TEXT,
            "cachedFrom" TEXT,
            PRIMARY KEY ("runId", "stepId")
        );
        CREATE TABLE "attempts" (
            "runId" TEXT NOT NULL,
            "stepId" TEXT NOT NULL,
            "number" INTEGER NOT NULL,
            "status" TEXT NOT NULL,
            "exitCode" INTEGER,
            "error" TEXT,
            "startedAt" DATETIME NOT NULL,
            "finishedAt" DATETIME,
            "logPath" TEXT NOT NULL,
            PRIMARY KEY ("runId", "stepId", "number"),
            FOREIGN KEY ("runId", "stepId") REFERENCES "steps"("runId", "stepId") ON DELETE CASCADE
        );
        CREATE TABLE "events" (
            "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
            "runId" TEXT NOT NULL REFERENCES "runs"("id") ON DELETE CASCADE,
            "at" DATETIME NOT NULL,
            "kind" TEXT NOT NULL,
            "stepId" TEXT,
            "data" TEXT
        );
        CREATE TABLE "artifacts" (
            "runId" TEXT NOT NULL,
            "stepId" TEXT NOT NULL,
            "attempt" INTEGER NOT NULL,
            "name" TEXT NOT NULL,
            "kind" TEXT NOT NULL,
            "path" TEXT NOT NULL,
            "size" INTEGER NOT NULL,
            "sha256" TEXT NOT NULL,
            "createdAt" DATETIME NOT NULL,
            PRIMARY KEY ("runId", "stepId", "attempt", "name"),
            FOREIGN KEY ("runId", "stepId") REFERENCES "steps"("runId", "stepId") ON DELETE CASCADE
        );
        CREATE TABLE "reruns" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT,
            "runId" TEXT NOT NULL REFERENCES "runs"("id") ON DELETE CASCADE,
            "stepId" TEXT NOT NULL,
            "attempt" INTEGER NOT NULL,
            "steps" TEXT NOT NULL,
            "params" TEXT NOT NULL,
            "reason" TEXT NOT NULL,
            "requestedAt" DATETIME NOT NULL,
            "status" TEXT NOT NULL,
            "pass" INTEGER,
            "note" TEXT,
            "settledAt" DATETIME
        );
        CREATE TABLE "audit" (
            "id" INTEGER PRIMARY KEY AUTOINCREMENT,
            "runId" TEXT NOT NULL REFERENCES "runs"("id") ON DELETE CASCADE,
            "stepId" TEXT NOT NULL,
            "rule" TEXT,
            "evidence" TEXT,
            "action" TEXT,
            "confidence" DOUBLE,
            "minConfidence" DOUBLE NOT NULL,
            "dryRun" BOOLEAN NOT NULL,
            "outcome" TEXT NOT NULL,
            "detail" TEXT NOT NULL,
            "at" DATETIME NOT NULL
        );
        CREATE TABLE "launches" (
            "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
            "runId" TEXT NOT NULL REFERENCES "runs"("id") ON DELETE CASCADE,
            "at" DATETIME NOT NULL,
            "kind" TEXT NOT NULL,
            "entry" TEXT,
            "scheduledAt" DATETIME,
            "buildId" TEXT
        );
        CREATE TABLE "schedule_fires" (
            "seq" INTEGER PRIMARY KEY AUTOINCREMENT,
            "pipeline" TEXT NOT NULL,
            "entry" TEXT NOT NULL,
            "scheduledSecond" INTEGER NOT NULL,
            "throughSecond" INTEGER,
            "count" INTEGER NOT NULL,
            "decision" TEXT NOT NULL,
            "reason" TEXT,
            "decidedAt" DATETIME NOT NULL,
            "decidedBy" TEXT NOT NULL,
            "runId" TEXT,
            "outcome" TEXT,
            "finishedAt" DATETIME,
            UNIQUE ("pipeline", "entry", "scheduledSecond")
        );
        CREATE TABLE "schedule_entries" (
            "pipeline" TEXT NOT NULL,
            "entry" TEXT NOT NULL,
            "firstSeenSecond" INTEGER NOT NULL,
            PRIMARY KEY ("pipeline", "entry")
        );
        CREATE TABLE "cache" (
            "key" TEXT PRIMARY KEY NOT NULL,
            "stepId" TEXT NOT NULL,
            "pipeline" TEXT NOT NULL,
            "runId" TEXT NOT NULL,
            "outputs" TEXT NOT NULL,
            "paths" TEXT NOT NULL,
            "bytes" INTEGER NOT NULL,
            "createdAt" DATETIME NOT NULL
        );
        CREATE INDEX "runs_by_pipeline" ON "runs"("pipeline", "createdAt");
        CREATE INDEX "events_by_run" ON "events"("runId", "seq");
        CREATE INDEX "reruns_by_run" ON "reruns"("runId", "status");
        CREATE INDEX "audit_by_run" ON "audit"("runId", "id");
        CREATE INDEX "launches_by_run" ON "launches"("runId", "seq");
        """

    /// Makes the whole schema of a new (empty) database in one transaction, and records every
    /// migration as applied the way GRDB's migrator does (`grdb_migrations`), so it later sees
    /// nothing to do. Ten migrations run one by one are ten transactions, each followed by a
    /// foreign-key check, and their table-building code re-reads the schema as it goes: most
    /// of the cost of creating a state directory, which every first run pays. Returns false,
    /// doing nothing, when the database is not empty. The schema it makes is the one the
    /// migrations make one by one (RunDatabaseOpeningTests compares them).
    static func createSchema(_ writer: any DatabaseWriter) throws -> Bool {
        try writer.writeWithoutTransaction { db in
            var created = false
            try db.inTransaction(.immediate) {
                guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 else { return .rollback }
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                try db.execute(sql: schema)
                for (identifier, _) in migrations.all {
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                created = true
                return .commit
            }
            return created
        }
    }
}
