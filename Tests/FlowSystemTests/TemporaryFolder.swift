import Foundation

/// A directory of its own under the system's temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-system-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` with the given permissions and returns its path.
    @discardableResult
    func file(_ name: String, _ text: String = "#!/bin/sh\nexit 0\n", permissions: Int = 0o755) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file)
        return file
    }

    /// Creates the directory `name` and returns its path.
    @discardableResult
    func directory(_ name: String) throws -> String {
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
