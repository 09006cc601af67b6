import GRDB

extension RunDatabase {
    /// The SQLite library flow runs on (`sqlite_version()`), for `flow doctor`.
    public static var sqliteVersion: String {
        let version = try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }
        return (version ?? nil) ?? "unknown"
    }

    /// `PRAGMA quick_check`: "ok", or SQLite's first complaint about the file.
    public func quickCheck() throws -> String {
        try reading("check the state database") { try String.fetchOne($0, sql: "PRAGMA quick_check") } ?? "no answer"
    }
}
