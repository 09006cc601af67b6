import Foundation
import GRDB
import Testing
@testable import FlowEngine
import FlowTestSupport

/// Opening the state database: the pragmas DESIGN.md §4 asks for, and several openers of a new
/// file at once (as several `flow` processes starting together) all ending up with the schema.
@Suite struct RunDatabaseOpeningTests {
    /// `synchronous=FULL` on the connection that writes, so a committed success survives power
    /// loss (GRDB sets NORMAL when it turns WAL on, after the connection's own setup).
    @Test func theWritingConnectionIsWALWithSynchronousFull() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let database = try RunDatabase(path: dir.file("flow.db").path)
        let (mode, synchronous, timeout) = try database.writer.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA busy_timeout"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL
        #expect((timeout ?? 0) >= 5000)
    }

    /// Making a new database must not drop the connection's POSIX locks on the file (closing any
    /// descriptor of a file drops all of a process's locks on it): without its shared lock,
    /// another process closing its own connection takes itself for the last one, checkpoints
    /// and deletes the WAL the first connection still writes to, and those commits are lost.
    @Test func aNewDatabaseKeepsItsLocksSoAnotherProcessClosingLeavesItsWALAlone() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("flow.db").path
        let database = try RunDatabase(path: path)
        try database.writer.write { try $0.execute(sql: "CREATE TABLE probe (x INTEGER)") }
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        let touch = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM runs').fetchone(); c.close()"
        #expect(try runProcess(python, ["-c", touch, path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the other process deleted the WAL in use")
        try database.writer.write { try $0.execute(sql: "INSERT INTO probe VALUES (1)") }
        let count = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM probe').fetchone()[0])"
        let seen = try runProcess(python, ["-c", count, path])
        #expect(seen.stdout == "1\n", "\(seen.stdout)\(seen.stderr)")
    }

    @Test func connectionsOpeningANewDatabaseTogetherAllSucceed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for round in 0..<10 {
            let path = dir.file("flow-\(round).db").path
            // Separate pools, as separate processes would have: each runs the migrator.
            let failures = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do { _ = try RunDatabase(path: path); return nil } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { if let f = $1 { $0.append(f) } }
            }
            #expect(failures.isEmpty, "round \(round): \(failures)")
            let database = try RunDatabase(path: path)
            #expect(try database.runs().isEmpty)
        }
    }
}

extension RunDatabaseOpeningTests {
    /// Every table's columns (name, type, not null, default, key), foreign keys and indexes, and
    /// the migrations recorded: what the schema is, however the CREATE text reads.
    private func shape(_ db: Database) throws -> [String] {
        var lines: [String] = []
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        for table in tables {
            for row in try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY name", arguments: [table]) {
                lines.append("\(table) column \(row[0] as String) \(row[1] as String) \(row[2] as Int) \((row[3] as String?) ?? "-") \(row[4] as Int)")
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, \"unique\", origin FROM pragma_index_list(?) ORDER BY name", arguments: [table]) {
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [row[0] as String])
                lines.append("\(table) index \(row[0] as String) unique \(row[1] as Int) \(row[2] as String) \(columns)")
            }
            for row in try Row.fetchAll(db, sql: "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY \"from\"", arguments: [table]) {
                lines.append("\(table) references \(row[0] as String) \(row[1] as String) \((row[2] as String?) ?? "-") \(row[3] as String)")
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name") {
            lines.append("index \(row[0] as String) on \(row[1] as String): \(row[2] as String)")
        }
        lines += try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier").map { "applied \($0)" }
        return lines
    }

    @Test func aNewDatabaseGetsInOneTransactionTheSchemaTheMigrationsMakeOneByOne() throws {
        let oneByOne = try DatabaseQueue()
        try RunDatabase.migrator.migrate(oneByOne)
        let inOneGo = try DatabaseQueue()
        #expect(try RunDatabase.createSchema(inOneGo))
        let expected = try oneByOne.read(shape)
        #expect(expected.count > 40)
        let made = try inOneGo.read(shape)
        #expect(made == expected, "RunDatabase.schema differs from what the migrations make: \(made.difference(from: expected))")
        #expect(try inOneGo.read { try RunDatabase.migrator.hasCompletedMigrations($0) })
        #expect(try !RunDatabase.createSchema(inOneGo), "a database with a schema is left to the migrator")
        _ = try RunDatabase(writer: inOneGo)
    }

    /// A database an older flow made (only the first migrations applied) is upgraded when a
    /// writing command opens it, to the schema a new one gets; a reading command on it migrates
    /// it once through that open, then reads.
    @Test func aDatabaseAnOlderFlowMadeIsUpgradedWhenOpened() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let identifiers = RunDatabase.migrations.all.map(\.identifier)
        #expect(identifiers.count > 2)
        let fresh = try DatabaseQueue()
        #expect(try RunDatabase.createSchema(fresh))
        let expected = try fresh.read(shape)
        for (n, path) in [(1, dir.file("writer.db").path), (identifiers.count - 1, dir.file("reader.db").path)] {
            let old = try DatabaseQueue(path: path)
            try RunDatabase.migrator.migrate(old, upTo: identifiers[n - 1])
            #expect(try old.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.count == n)
            try old.close()
        }
        // A migrations table with no rows (a migrator stopped before its first) is a schema to make.
        let empty = try DatabaseQueue(path: dir.file("empty.db").path)
        try empty.write { try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)") }
        try empty.close()
        #expect(try RunDatabase(path: dir.file("empty.db").path).writer.read(shape) == expected)
        let writer = try RunDatabase(path: dir.file("writer.db").path)
        #expect(try writer.writer.read(shape) == expected)
        let reader = try RunDatabase.reader(path: dir.file("reader.db").path)
        #expect(try reader.writer.read(shape) == expected)
        #expect(try reader.runs().isEmpty)
    }
}
