#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where a step attempt keeps its artifacts: files worth having after the run (a SARIF report,
/// a JUnit file, a patch). Each is masked like the log, written whole (temp file, fsync,
/// rename) under `<state>/<run>/<step>/artifacts/attempt-<n>/`, and recorded in SQLite with its
/// kind, size and sha256, which `flow status` and `flow artifacts` read.
///
/// The attempt's scratch folder (``StepContext/attemptDirectory``) is not this: it is removed
/// when the attempt ends.
public struct ArtifactStore: Sendable {
    public let runID: String
    public let stepID: String
    public let attempt: Int
    /// The folder this attempt's artifacts go to.
    public let directory: String
    let database: RunDatabase
    let secrets: RunSecrets
    let clock: any EngineClock

    /// An artifact is at most this large (it is masked in memory).
    public static let maximumSize = 64 << 20

    public init(runID: String, stepID: String, attempt: Int, stepDirectory: String, database: RunDatabase,
                secrets: RunSecrets, clock: any EngineClock) {
        self.runID = runID
        self.stepID = stepID
        self.attempt = attempt
        directory = stepDirectory + "/artifacts/attempt-\(attempt)"
        self.database = database
        self.secrets = secrets
        self.clock = clock
    }

    /// Keeps `bytes` as the artifact `name` (`report.sarif`); returns where it is stored.
    @discardableResult
    public func keep(_ name: String, kind: String, bytes: [UInt8]) throws -> ArtifactRecord {
        guard Self.isValidName(name) else {
            throw StepError("artifact name `\(name)` is not valid; use letters, digits, `.`, `-` and `_`, not starting with `.`", kind: .terminal)
        }
        guard bytes.count <= Self.maximumSize else {
            throw StepError("artifact `\(name)` is \(bytes.count >> 20) MiB; an artifact is at most \(Self.maximumSize >> 20) MiB", kind: .terminal)
        }
        let masked = secrets.current.mask(bytes)
        let path = directory + "/" + name
        do {
            try LogFile.makeParentDirectories(of: path)
            try ReportFile.write(bytes: masked, to: path, mode: 0o600)
        } catch {
            throw StepError("cannot keep artifact `\(name)`: \(error)", kind: .terminal)
        }
        let record = ArtifactRecord(runId: runID, stepId: stepID, attempt: attempt, name: name, kind: kind, path: path,
                                    size: masked.count, sha256: SHA256.hex(masked), createdAt: clock.now())
        try database.recordArtifact(record)
        return record
    }

    /// Keeps a copy of the file at `path` (a regular file, not followed through a symlink).
    @discardableResult
    public func keep(_ name: String, kind: String, copying path: String) throws -> ArtifactRecord {
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(path, limit: Self.maximumSize, links: .refuse)
        } catch {
            throw StepError("cannot keep artifact `\(name)` from \(path): \(error)", kind: .terminal)
        }
        return try keep(name, kind: kind, bytes: bytes)
    }

    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 100, !name.hasPrefix(".") else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x2d || c == 0x5f
        }
    }
}
