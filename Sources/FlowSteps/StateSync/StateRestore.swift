import Foundation
import FlowHTTP

/// The start of a build with `--state-url`: the database in S3 becomes the local one.
///
/// When S3 has it, it is downloaded (streamed to a temporary file, then renamed into place); a
/// local database already there is moved aside first, with its `-wal` and `-shm`, to
/// `flow.db.before-restore-N` (the first free N), so nothing local is lost and the run goes on
/// from the shared state. When S3 has none, a local database is kept as it is and becomes the
/// first upload (made with `If-None-Match: *`).
public enum StateRestore {
    /// What the restore found.
    public struct Outcome: Sendable, Equatable {
        /// The ETag of the object downloaded; nil when S3 had none (the first upload creates it).
        public var etag: String?
        /// Where a local database that was replaced was moved, if one was.
        public var movedAside: String?

        public init(etag: String?, movedAside: String?) {
            self.etag = etag
            self.movedAside = movedAside
        }
    }

    public static func restore(_ url: StateURL, s3: S3, databasePath: String) async throws -> Outcome {
        let download = databasePath + ".download"
        try? FileManager.default.removeItem(atPath: download)
        guard let etag = try await s3.download(bucket: url.bucket, key: url.databaseKey, to: download) else {
            return Outcome(etag: nil, movedAside: nil)
        }
        var aside: String?
        let files = FileManager.default
        if ["", "-wal", "-shm"].contains(where: { files.fileExists(atPath: databasePath + $0) }) {
            var n = 1
            while files.fileExists(atPath: "\(databasePath).before-restore-\(n)") { n += 1 }
            let target = "\(databasePath).before-restore-\(n)"
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: databasePath + suffix) {
                try files.moveItem(atPath: databasePath + suffix, toPath: target + suffix)
            }
            aside = target
        }
        guard rename(download, databasePath) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: databasePath])
        }
        chmod(databasePath, 0o600)
        return Outcome(etag: etag, movedAside: aside)
    }
}
