import Foundation
import GRDB

extension RunDatabase {
    /// Writes a consistent copy of the whole database to the single file `path` (replaced if it
    /// exists) through SQLite's online backup API: it reads one snapshot while writers go on,
    /// and never copies the live `-wal` file. The copy needs no `-wal` or `-shm` beside it.
    public func snapshot(to path: String) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        do {
            let copy = try DatabaseQueue(path: path)
            try writer.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // One self-contained file: the copy leaves WAL mode so nothing is left in a `-wal` beside it.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try copy.close()
        } catch let error as DatabaseError {
            throw StateError(path: self.path, action: "copy the state database to \(path)", error: error)
        }
    }
}
