import Foundation
import GRDB
import GRDBSQLite

/// A state directory or database flow could not use, or could not write: names the path,
/// what flow was doing, and why in plain words (never a raw SQLite statement or an
/// `NSCocoaErrorDomain` dump).
///
/// The exit code follows one rule (docs/cli.md, "Exit codes and I/O errors"): a state flow was pointed at and
/// cannot use at all (missing, unreadable, not a database, written by a newer flow, a
/// directory that cannot be made) is bad input, exit 2, found before anything runs; a state
/// that stopped taking writes once a run was under way fails that run, exit 1.
public struct StateError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    /// What flow was doing, as a verb phrase: `open the state database`, `record run R`.
    public var action: String
    public var reason: String

    public init(path: String, action: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    /// `error` (SQLite's, Foundation's or a POSIX one) as a StateError about `path` while doing `action`.
    public init(path: String, action: String, error: any Error) {
        self.init(path: path, action: action, reason: Self.reason(of: error))
    }

    public var description: String { "cannot \(action) (\(path)): \(reason)" }

    /// The plain cause of an I/O error: SQLite's own wording for its result code (with its
    /// message when it adds something), the POSIX text behind a Foundation error.
    public static func reason(of error: any Error) -> String {
        if let database = error as? DatabaseError {
            let general = String(cString: sqlite3_errstr(database.extendedResultCode.rawValue))
            let hint = database.resultCode == .SQLITE_READONLY || database.resultCode == .SQLITE_CANTOPEN || database.resultCode == .SQLITE_PERM
                ? " (is the state directory writable?)" : ""
            if let message = database.message, message != general, !message.contains("while executing") {
                return "\(general): \(message)\(hint)"
            }
            return general + hint
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}

extension RunDatabase {
    /// Migrations this flow does not know were applied to the database: a newer flow wrote it.
    public struct NewerSchema: Error, CustomStringConvertible, Sendable {
        public var unknown: [String]
        public var description: String {
            "it was written by a newer flow (schema \(unknown.joined(separator: ", ")), which this flow does not know); "
                + "use that flow or a newer one, or another --state-dir"
        }
    }
}
