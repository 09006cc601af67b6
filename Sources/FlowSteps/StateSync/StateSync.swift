import Foundation
import FlowEngine
import FlowHTTP

/// Keeps a state database in S3 while a run writes it: after each finished step a consistent
/// snapshot (``RunDatabase/snapshot(to:)``) is uploaded with a conditional write, `If-Match` on
/// the ETag last seen (`If-None-Match: *` when S3 had none), so two builds never overwrite each
/// other's state.
///
/// Uploads are coalesced: at most one is in flight; steps finishing meanwhile ask for one more,
/// which snapshots the database as it is when it starts. ``finish(runID:build:)`` waits for the
/// one in flight and makes the last. A refused condition is a conflict: no further upload is
/// made to the shared key, `onConflict` is called (the CLI stops the run), and ``finish`` saves
/// this build's snapshot beside it under `conflicts/` instead, so nothing it did is lost.
public actor StateSync {
    /// How the synchronisation ended.
    public enum Ending: Sendable, Equatable {
        /// The last snapshot is the shared state; its ETag.
        case saved(etag: String)
        /// Another writer won. `savedAs` is the key of this build's own copy in the bucket (nil
        /// when that upload failed too: `saveError` says why; the local database still has it).
        case conflict(S3WriteConflict, savedAs: String?, saveError: String?)
        /// The last upload failed for another reason (network, permissions); the local database
        /// has everything.
        case failed(String)
    }

    public nonisolated let url: StateURL
    private let s3: S3
    private let database: RunDatabase
    private let scratchDirectory: String
    private let onConflict: @Sendable (S3WriteConflict) -> Void
    private let onFailure: @Sendable (String) -> Void

    private var etag: String?
    private var running: Task<Void, Never>?
    private var again = false
    private var finished = false
    private var conflict: S3WriteConflict?
    private var lastFailure: String?
    /// Uploads to the shared key that succeeded.
    public private(set) var uploads = 0

    /// `etag`: what ``StateRestore`` saw (nil: no object yet). `scratchDirectory` holds the
    /// snapshot being uploaded (the state directory: same file system, same permissions).
    /// `onFailure` hears about uploads that failed for reasons other than a conflict (the next
    /// snapshot tries again).
    public init(url: StateURL, s3: S3, database: RunDatabase, etag: String?, scratchDirectory: String,
                onConflict: @escaping @Sendable (S3WriteConflict) -> Void = { _ in },
                onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.url = url
        self.s3 = s3
        self.database = database
        self.etag = etag
        self.scratchDirectory = scratchDirectory
        self.onConflict = onConflict
        self.onFailure = onFailure
    }

    /// The run's events, seen on their way to `next`: each finished step asks for an upload.
    public nonisolated func observing(_ next: @escaping RunEventHandler) -> RunEventHandler {
        { event in
            if case .stepFinished = event { self.changed() }
            next(event)
        }
    }

    /// Asks for an upload of the database as it is now; returns at once.
    public nonisolated func changed() {
        Task { await self.request() }
    }

    /// Asks for an upload and returns when it (or the one that covers it) is done: for tests and
    /// for callers that want the state saved before they go on.
    public func sync() async {
        request()
        while let running { await running.value }
    }

    /// The ETag of the shared object as this writer last wrote or read it.
    public var lastETag: String? { etag }

    func request() {
        guard conflict == nil, !finished else { return }
        if running != nil {
            again = true
            return
        }
        running = Task { await self.drain() }
    }

    private func drain() async {
        repeat {
            again = false
            await uploadShared()
        } while again && conflict == nil && !finished
        running = nil
    }

    /// One snapshot to the shared key under the condition; a refusal becomes the conflict.
    @discardableResult
    private func uploadShared() async -> Bool {
        let condition: S3.WriteCondition = etag.map { .ifMatch($0) } ?? .ifAbsent
        do {
            etag = try await uploadSnapshot(key: url.databaseKey, condition: condition)
            uploads += 1
            lastFailure = nil
            return true
        } catch let refused as S3WriteConflict {
            conflict = refused
            onConflict(refused)
        } catch {
            let message = "cannot save the state to \(url.address(of: url.databaseKey)): \(error)"
            lastFailure = message
            onFailure(message)
        }
        return false
    }

    private func uploadSnapshot(key: String, condition: S3.WriteCondition) async throws -> String {
        let file = scratchDirectory + "/.flow-upload-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try database.snapshot(to: file)
        return try await s3.upload(bucket: url.bucket, key: key, file: file, contentType: "application/vnd.sqlite3", condition: condition)
    }

    /// Waits for the upload in flight, then saves the database once more: to the shared key, or
    /// after a conflict to `conflicts/<run>-<build>.db` (created, never overwritten: a name
    /// taken gets `-2`, `-3`, …). No upload starts after this.
    public func finish(runID: String, build: String) async -> Ending {
        finished = true
        while let running { await running.value }
        if conflict == nil, await uploadShared(), let etag {
            return .saved(etag: etag)
        }
        guard let conflict else { return .failed(lastFailure ?? "cannot save the state") }
        var saveError: String?
        for attempt in 1...5 {
            let key = url.conflictKey(runID: runID, build: build, attempt: attempt)
            do {
                _ = try await uploadSnapshot(key: key, condition: .ifAbsent)
                return .conflict(conflict, savedAs: key, saveError: nil)
            } catch is S3WriteConflict {
                continue
            } catch {
                saveError = "\(error)"
                break
            }
        }
        return .conflict(conflict, savedAs: nil, saveError: saveError ?? "every conflict name for this run and build is taken")
    }
}
