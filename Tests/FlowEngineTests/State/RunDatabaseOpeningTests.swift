import Foundation
import GRDB
import Testing
import FlowEngine
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
