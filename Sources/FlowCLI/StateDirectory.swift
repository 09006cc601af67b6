import Foundation
import FlowEngine

/// Where state lives: `--state-dir`, else `$FLOW_HOME`, else `./runs`. Created 0700, and the
/// process umask is set to 077 first so the database, its WAL files and logs are 0600.
struct StateDirectory {
    let path: String

    init(option: String?) {
        let chosen = option ?? ProcessInfo.processInfo.environment["FLOW_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "runs"
        path = chosen.hasPrefix("/") ? chosen : FileManager.default.currentDirectoryPath + "/" + chosen
    }

    var databasePath: String { path + "/flow.db" }

    func open(create: Bool) throws -> RunDatabase {
        umask(0o077)
        if !FileManager.default.fileExists(atPath: databasePath) {
            guard create else { throw CLIError("no runs yet: \(databasePath) does not exist") }
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        chmod(path, 0o700)
        return try RunDatabase(path: databasePath)
    }
}

/// A problem with how flow was called or what it was pointed at: printed, exit 2.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
