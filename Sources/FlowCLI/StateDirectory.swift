import Foundation
import Synchronization
import FlowEngine

/// Where state lives: `--state-dir`, else `$FLOW_HOME`, else the `runs/` folder of the project
/// the current folder is in, found as git finds a repository (``ProjectRoot``), else
/// `./runs`. Created 0700, and the process umask is set to 077 first so the database, its WAL
/// files and logs are 0600.
struct StateDirectory {
    let path: String

    init(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
         currentDirectory: String = FileManager.default.currentDirectoryPath) {
        if let chosen = option ?? environment["FLOW_HOME"].flatMap({ $0.isEmpty ? nil : $0 }) {
            path = chosen.hasPrefix("/") ? chosen : currentDirectory + "/" + chosen
        } else {
            path = (ProjectRoot.find(from: currentDirectory) ?? currentDirectory) + "/runs"
        }
    }

    var databasePath: String { path + "/flow.db" }

    /// The database, for commands that write: created with its directory (0700) when
    /// `create`, else an error when there is none. Failures are ``StateError``s.
    func open(create: Bool) throws -> RunDatabase {
        umask(0o077)
        if !FileManager.default.fileExists(atPath: databasePath) {
            guard create else { throw CLIError("no runs yet: \(databasePath) does not exist") }
            try Self.makeDirectory(path)
        }
        chmod(path, 0o700)
        return OpenDatabases.keep(try RunDatabase(path: databasePath))
    }

    /// `mkdir -p` with mode 0700, failing with the errno of the first component that could not
    /// be made (Foundation's error for a parent that is a file says only "error 512").
    static func makeDirectory(_ path: String) throws {
        var made = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            made += "/" + component
            if mkdir(made, 0o700) != 0 && errno != EEXIST {
                throw StateError(path: path, action: "create the state directory", reason: String(cString: strerror(errno)))
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw StateError(path: path, action: "create the state directory", reason: String(cString: strerror(ENOTDIR)))
        }
    }

    /// The database, for commands that only read (`status`, `runs`, `logs`): a read-only
    /// connection that writes and syncs nothing (an older schema is migrated first) when the
    /// state directory can be written, else read-only without migrating or creating any file
    /// (the `-shm` file included), so a state directory on a read-only mount or owned by
    /// someone else can still be looked at.
    func openForReading() throws -> RunDatabase {
        umask(0o077)
        guard FileManager.default.fileExists(atPath: databasePath) else { throw CLIError("no runs yet: \(databasePath) does not exist") }
        guard access(path, W_OK) == 0, access(databasePath, W_OK) == 0 else { return try RunDatabase.readOnly(path: databasePath) }
        return OpenDatabases.keep(try RunDatabase.reader(path: databasePath))
    }
}

/// The databases a command opened (for writing, or through a reader that may have migrated an
/// older schema), closed when the command ends (``FlowCommand/main(_:)``), so a WAL a command
/// wrote is checkpointed into the database file as SQLite does on close rather than left
/// behind by `exit`. A read-only connection's close writes nothing.
enum OpenDatabases {
    private static let opened = Mutex<[RunDatabase]>([])

    static func keep(_ database: RunDatabase) -> RunDatabase {
        opened.withLock { $0.append(database) }
        return database
    }

    static func closeAll() {
        let all = opened.withLock { list in
            defer { list.removeAll() }
            return list
        }
        all.forEach { $0.close() }
    }
}

/// A problem with how flow was called or what it was pointed at: printed, exit 2.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
