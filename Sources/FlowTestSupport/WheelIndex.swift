import Foundation

/// A local wheel index for container tests: tiny pure-Python wheels (made by
/// `Tests/Tools/make_wheels.py`) that pip installs offline with `--no-index --find-links DIR`,
/// so a test controls versions, dependencies and conflicts without PyPI.
public enum WheelIndex {
    public struct Wheel: Sendable, Encodable {
        public var name: String
        public var version: String
        public var requires: [String]
        /// The top-level module it installs (default: the name, `-` → `_`, lower-cased).
        public var importName: String?
        /// Its `__init__.py` (default: `__version__ = "<version>"`).
        public var code: String?

        public init(_ name: String, _ version: String, requires: [String] = [], importName: String? = nil, code: String? = nil) {
            self.name = name
            self.version = version
            self.requires = requires
            self.importName = importName
            self.code = code
        }

        enum CodingKeys: String, CodingKey { case name, version, requires, importName = "import", code }
    }

    /// Writes `wheels` into `directory` (made if missing).
    public static func make(_ wheels: [Wheel], in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let spec = directory.appendingPathComponent(".wheels-\(UUID().uuidString).json")
        try JSONEncoder().encode(wheels).write(to: spec)
        defer { try? FileManager.default.removeItem(at: spec) }
        let script = Repository.root.appendingPathComponent("Tests/Tools/make_wheels.py").path
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, directory.path, spec.path])
        guard result.status == 0 else { throw HarnessError("make_wheels.py failed: \(result.stderr)") }
    }
}
