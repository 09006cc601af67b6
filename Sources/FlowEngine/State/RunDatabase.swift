import Foundation
import GRDB
import GRDBSQLite
import FlowCore

/// The durable state of every run: runs, steps, attempts and events in SQLite. Every state
/// change is a transaction committed before the engine acts on it, and every status change is
/// a compare-and-set, so two processes can never both start the same step.
public final class RunDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) `path` as a WAL database with `synchronous=FULL`, a busy
    /// timeout, and the schema migrated.
    ///
    /// One connection (a queue, not a pool): a run has one writer, and its reads are short.
    /// Other processes (`flow status`, `flow cancel`, a second run) read and write the same file
    /// through WAL as before. A pool costs a second connection, and GRDB's pool writes when it
    /// opens a database without a `-wal` file (it creates and drops a table).
    public convenience init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let queue: DatabaseQueue
        do {
            // Said at once, not at the first commit: SQLite opens a WAL database it may not
            // write (its -wal file already there) and fails only when a transaction writes.
            let directory = (path as NSString).deletingLastPathComponent
            if access(path, F_OK) == 0, access(path, W_OK) != 0 || access(directory.isEmpty ? "." : directory, W_OK) != 0 {
                throw DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database")
            }
            queue = try Self.takingTurns(at: path) {
                var info = stat()
                let fresh = stat(path, &info) != 0 || info.st_size == 0
                let queue = try DatabaseQueue(path: path, configuration: config)
                // A new database is made without waiting for the disk: its switch to WAL (a
                // rollback-journal commit of page 1) and its schema (in the WAL) under
                // `synchronous=OFF`, then the file synced once, through SQLite (a descriptor of
                // our own, closed, would drop the connection's POSIX locks on the file). The
                // WAL's first sync, at the first FULL commit, syncs the folder that names both
                // files, as SQLite does for a new WAL. Made with the defaults, a new database
                // was six syncs, most of a one-step run's start. An existing database is
                // migrated with NORMAL: in WAL mode NORMAL keeps it consistent, and a migration
                // lost to a power cut is applied again at the next open. Either way the
                // connection gets FULL before any run is recorded; the first FULL commit's
                // sync of the WAL makes the frames before it durable too.
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: fresh ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL")
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                    guard mode == "wal" else {
                        throw DatabaseError(resultCode: .SQLITE_ERROR, message: "could not turn on WAL mode (journal mode \(mode ?? "unknown"))")
                    }
                }
                try Self.migrate(queue, fresh: fresh)
                try queue.writeWithoutTransaction { db in
                    if fresh { try Self.syncMainFile(db) }
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                }
                return queue
            }
        } catch let newer as NewerSchema {
            throw StateError(path: path, action: "open the state database", reason: newer.description)
        } catch {
            throw StateError(path: path, action: "open the state database", error: error)
        }
        self.init(migrated: queue)
    }

    /// Syncs the database file through SQLite's own file handle (`xSync` of the main file).
    private static func syncMainFile(_ db: Database) throws {
        var file: UnsafeMutablePointer<sqlite3_file>?
        let found = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &file)
        guard found == SQLITE_OK, let file, let sync = file.pointee.pMethods?.pointee.xSync else {
            throw DatabaseError(resultCode: .SQLITE_IOERR_FSYNC, message: "cannot find the database file to sync it")
        }
        let code = sync(file, SQLITE_SYNC_NORMAL)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot sync the new database file") }
    }

    /// Runs `open` holding an exclusive `flock(2)` on the database's directory, so processes
    /// opening one file take turns. A new file's switch to WAL needs an exclusive
    /// lock that SQLite does not wait for (a lock upgrade that could deadlock never calls the
    /// busy handler), so two openers racing would see SQLITE_BUSY at once; the kernel queues
    /// them instead, with no polling, and releases the turn however the holder ends. Locking
    /// the directory adds no file to the state directory. A directory that cannot be opened
    /// is left for SQLite to report.
    static func takingTurns<T>(at path: String, _ open: () throws -> T) throws -> T {
        let parent = (path as NSString).deletingLastPathComponent
        let descriptor = Glibc.open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return try open() }
        defer { Glibc.close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        return try open()
    }

    /// Wraps `writer`, migrating its schema first.
    public convenience init(writer: any DatabaseWriter) throws {
        try Self.migrate(writer)
        self.init(migrated: writer)
    }

    private init(migrated writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Opens `path` only to read it, for commands that only read (`status`, `runs`, `logs`)
    /// when the state directory cannot be written (a read-only mount, a copy owned by someone
    /// else): no migration, no file created. SQLite cannot read a WAL database read-only
    /// without creating its `-shm` file unless it is told the file is immutable, so it is;
    /// what a live writer has in its `-wal` and not yet checkpointed is then not seen.
    public static func readOnly(path: String) throws -> RunDatabase {
        var config = Configuration()
        config.readonly = true
        do {
            // Debian's SQLite takes URI file names (SQLITE_USE_URI); the path is percent-encoded.
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
            let queue = try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: config)
            // An older schema is read as it is (nothing may be written here); a newer one is refused.
            _ = try schemaIsCurrent(queue)
            return RunDatabase(migrated: queue)
        } catch let newer as NewerSchema {
            throw StateError(path: path, action: "open the state database", reason: newer.description)
        } catch {
            throw StateError(path: path, action: "open the state database", error: error)
        }
    }

    /// Opens an existing `path` for a command that only reads (`status`, `runs`, `logs`):
    /// a read-only connection, so nothing is written or synced (a pool's open and close
    /// write: GRDB makes the WAL file exist, the last connection checkpoints). When the schema
    /// is older than this flow's, it is migrated through the writing open instead, once.
    public static func reader(path: String) throws -> RunDatabase {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            if try schemaIsCurrent(queue) { return RunDatabase(migrated: queue) }
            try queue.close()
        } catch let newer as NewerSchema {
            throw StateError(path: path, action: "open the state database", reason: newer.description)
        } catch {
            throw StateError(path: path, action: "open the state database", error: error)
        }
        return try RunDatabase(path: path)
    }

    /// Checkpoints the WAL into the database file (and empties the WAL), then closes the
    /// connections: what SQLite does when its last connection closes, which a pool (whose
    /// readers cannot checkpoint) or a process that exits never gets to. The file alone then
    /// holds every commit, so a copy, or a read-only mount read with `immutable=1`
    /// (``readOnly(path:)``), sees it all. Errors are ignored: every commit is durable in the
    /// WAL either way.
    public func close() {
        try? writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        if let pool = writer as? DatabasePool { try? pool.close() } else if let queue = writer as? DatabaseQueue { try? queue.close() }
    }

    /// The database file's path, for messages.
    var path: String { writer.path }

    /// `writer.read`, with SQLite's failures reported as a ``StateError`` saying what flow was
    /// doing; the body's own errors (a refused compare-and-set) pass through as they are.
    func reading<T>(_ action: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch let error as DatabaseError { throw StateError(path: path, action: action(), error: error) }
    }

    /// `writer.write`, with SQLite's failures reported as a ``StateError`` saying what flow was
    /// doing; the body's own errors pass through as they are.
    func writing<T>(_ action: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch let error as DatabaseError { throw StateError(path: path, action: action(), error: error) }
    }

    // MARK: Creating a run

    /// Records a new run and all its steps as `pending`, in one transaction.
    public func createRun(_ run: RunRecord, steps: [String], labels: [String: StepLabel] = [:]) throws {
        try writing("record run \(run.id)") { db in
            try run.insert(db)
            // One prepared statement for every row (the record encoder costs more than the insert).
            let insert = try db.cachedStatement(sql: """
                INSERT INTO steps (runId, stepId, position, status, attempts, name, description) VALUES (?, ?, ?, 'pending', 0, ?, ?)
                """)
            for (position, id) in steps.enumerated() {
                try insert.execute(arguments: [run.id, id, position, labels[id]?.name, labels[id]?.description])
            }
            try EventRecord(runId: run.id, at: run.createdAt, kind: .runStarted).insert(db)
            try LaunchRecord(runId: run.id, at: run.createdAt, trigger: run.trigger).insert(db)
            try Self.linkFire(db, run: run)
        }
    }

    // MARK: Resuming

    /// Marks a `running` run whose owner is gone as `interrupted` (compare-and-set).
    @discardableResult
    public func markInterrupted(_ runId: String, at: Date) throws -> Bool {
        try finishRun(runId, from: .running, to: .interrupted, at: at)
    }

    /// Takes a finished, unsuccessful run back for another go, in one transaction: the run
    /// becomes `running` again under this process (compare-and-set on its status), every step
    /// that did not succeed returns to `pending` with its error cleared (its attempts stay on
    /// record), steps of a reloaded definition are added or removed, and an event says so.
    /// `rerunning` (`flow retry`) names steps that return to `pending` even if they succeeded.
    /// `carryingOut`: the rerun requests this takeover carries out (their params stored, marked done).
    public func resume(_ runId: String, from: RunStatus, steps planned: [String], source: String? = nil, sourceDigest: String? = nil,
                       rerunning: [String] = [], carryingOut rerun: RerunPass? = nil, trigger: RunTrigger = .resume,
                       labels: [String: StepLabel]? = nil, keepingInstancesOf gates: [String] = [],
                       ownerPid: Int32, ownerHost: String, at: Date) throws {
        try writing("take run \(runId) over") { db in
            var sets = "status = 'running', finishedAt = NULL, ownerPid = ?, ownerHost = ?, heartbeatAt = ?, resumeCount = resumeCount + 1"
            var arguments: [(any DatabaseValueConvertible)?] = [ownerPid, ownerHost, at]
            if let source, let sourceDigest {
                sets += ", source = ?, sourceDigest = ?"
                arguments += [source, sourceDigest]
            }
            arguments += [runId, from.rawValue]
            try db.execute(sql: "UPDATE runs SET \(sets) WHERE id = ? AND status = ?", arguments: StatementArguments(arguments))
            guard db.changesCount == 1 else { throw ResumeRefused(runId: runId, expected: from) }
            try LaunchRecord(runId: runId, at: at, trigger: trigger).insert(db)
            let existing = try StepRecord.filter(Column("runId") == runId).fetchAll(db)
            let wanted = Set(planned)
            // Instances of a runtime matrix are not in the plan: they stay with their gate.
            for step in existing where !wanted.contains(step.stepId) && !gates.contains(where: { step.stepId.hasPrefix($0 + "[") }) {
                try step.delete(db)
            }
            try db.execute(sql: """
                UPDATE steps SET status = 'pending', exitCode = NULL, error = NULL, reason = NULL, outputs = NULL, cachedFrom = NULL,
                startedAt = NULL, finishedAt = NULL WHERE runId = ? AND status != 'succeeded'
                """, arguments: [runId])
            for id in rerunning {
                try db.execute(sql: """
                    UPDATE steps SET status = 'pending', exitCode = NULL, error = NULL, reason = NULL, outputs = NULL, cachedFrom = NULL,
                    startedAt = NULL, finishedAt = NULL WHERE runId = ? AND stepId = ?
                    """, arguments: [runId, id])
                // A runtime matrix run again runs its instances again.
                guard gates.contains(id) else { continue }
                try db.execute(sql: """
                    UPDATE steps SET status = 'pending', exitCode = NULL, error = NULL, reason = NULL, outputs = NULL, cachedFrom = NULL,
                    startedAt = NULL, finishedAt = NULL WHERE runId = ? AND substr(stepId, 1, ?) = ?
                    """, arguments: [runId, id.count + 1, id + "["])
            }
            let known = Set(existing.map(\.stepId))
            for (position, id) in planned.enumerated() {
                if known.contains(id) {
                    try db.execute(sql: "UPDATE steps SET position = ? WHERE runId = ? AND stepId = ?", arguments: [position, runId, id])
                } else {
                    try StepRecord(runId: runId, stepId: id, position: position, status: .pending, attempts: 0).insert(db)
                }
            }
            // A takeover plans afresh: the names are the current file's (none given leaves them as they were).
            if let labels {
                try db.execute(sql: "UPDATE steps SET name = NULL, description = NULL WHERE runId = ?", arguments: [runId])
                try Self.writeLabels(db, runId: runId, labels)
            }
            if let rerun { try carryOut(rerun, runId: runId, from: from, at: at, db) }
            if rerunning.isEmpty {
                try EventRecord(runId: runId, at: at, kind: .runResumed).insert(db)
            } else {
                let data = String(decoding: try JSONEncoder().encode(["rerun": rerunning]), as: UTF8.self)
                try EventRecord(runId: runId, at: at, kind: .runRetried, data: data).insert(db)
            }
        }
    }

    /// Thrown when a run is no longer in the state a resume expected: someone else took it.
    public struct ResumeRefused: Error, CustomStringConvertible, Sendable {
        public var runId: String
        public var expected: RunStatus
        public var description: String { "run \(runId) is no longer \(expected.rawValue); another process took it" }
    }

    // MARK: Transitions (compare-and-set)

    /// A step status change that only happens when the step is in `from`.
    public struct Transition: Sendable {
        public var stepId: String
        public var from: StepStatus
        public var to: StepStatus
        public var at: Date
        public var attempts: Int?
        public var outputs: [String: String]?
        public var exitCode: Int32?
        public var error: String?
        public var reason: String?
        /// A memoized step reused this run's success (``CacheEntryRecord``).
        public var cachedFrom: String?

        public init(stepId: String, from: StepStatus, to: StepStatus, at: Date, attempts: Int? = nil,
                    outputs: [String: String]? = nil, exitCode: Int32? = nil, error: String? = nil, reason: String? = nil,
                    cachedFrom: String? = nil) {
            self.cachedFrom = cachedFrom
            self.stepId = stepId
            self.from = from
            self.to = to
            self.at = at
            self.attempts = attempts
            self.outputs = outputs
            self.exitCode = exitCode
            self.error = error
            self.reason = reason
        }
    }

    /// Thrown when a compare-and-set finds the row in another state: someone else moved it.
    public struct TransitionRefused: Error, CustomStringConvertible, Sendable {
        public var runId: String
        public var stepId: String
        public var expected: StepStatus
        public var description: String { "step \(stepId) of run \(runId) is no longer \(expected.rawValue)" }
    }

    /// Applies several step transitions (and their attempt rows and events) in one transaction:
    /// all happen or none. A transition whose step is not in its `from` state refuses the lot.
    ///
    /// On every step's path, so the statements are prepared once per connection (GRDB's
    /// statement cache) and bound directly, without the record encoders.
    public func apply(runId: String, _ transitions: [Transition], attempts: [AttemptRecord] = [], expansions: [Expansion] = [],
                      labels: [String: StepLabel] = [:], cacheEntries: [CacheEntryRecord] = [], runEnd: RunEnd? = nil) throws {
        try writing("record the steps of run \(runId)") { db in
            for expansion in expansions { try Self.write(expansion, runId: runId, db) }
            try Self.writeLabels(db, runId: runId, labels)
            for t in transitions {
                var assignments = "status = ?"
                var arguments: [(any DatabaseValueConvertible)?] = [t.to.rawValue]
                let at = Self.storedDate(t.at)
                if t.to == .running { assignments += ", startedAt = ?"; arguments.append(at) }
                if t.to.isFinished { assignments += ", finishedAt = ?"; arguments.append(at) }
                if let n = t.attempts { assignments += ", attempts = ?"; arguments.append(n) }
                if let outputs = t.outputs { assignments += ", outputs = ?"; arguments.append(Self.json(outputs)) }
                if let code = t.exitCode { assignments += ", exitCode = ?"; arguments.append(code) }
                if let error = t.error { assignments += ", error = ?"; arguments.append(error) }
                if let reason = t.reason { assignments += ", reason = ?"; arguments.append(reason) }
                if let run = t.cachedFrom { assignments += ", cachedFrom = ?"; arguments.append(run) }
                arguments += [runId, t.stepId, t.from.rawValue]
                try db.cachedStatement(sql: "UPDATE steps SET \(assignments) WHERE runId = ? AND stepId = ? AND status = ?")
                    .execute(arguments: StatementArguments(arguments))
                guard db.changesCount == 1 else { throw TransitionRefused(runId: runId, stepId: t.stepId, expected: t.from) }
                var data: [String: String] = ["status": t.to.rawValue]
                if let reason = t.reason { data["reason"] = reason }
                if let error = t.error { data["error"] = error }
                if let n = t.attempts { data["attempt"] = String(n) }
                if let run = t.cachedFrom { data["cachedFrom"] = run }
                try db.cachedStatement(sql: "INSERT INTO events (runId, at, kind, stepId, data) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [runId, at, RunEventKind.step(to: t.to).rawValue, t.stepId, Self.json(data)])
            }
            for a in attempts {
                try db.cachedStatement(sql: """
                    INSERT INTO attempts (runId, stepId, number, status, exitCode, error, startedAt, finishedAt, logPath)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (runId, stepId, number) DO UPDATE SET status = excluded.status, exitCode = excluded.exitCode,
                    error = excluded.error, startedAt = excluded.startedAt, finishedAt = excluded.finishedAt, logPath = excluded.logPath
                    """).execute(arguments: [a.runId, a.stepId, a.number, a.status.rawValue, a.exitCode, a.error,
                                             Self.storedDate(a.startedAt), a.finishedAt.map(Self.storedDate), a.logPath])
            }
            try Self.writeCacheEntries(db, cacheEntries)
            if let runEnd { _ = try Self.write(runEnd, runId: runId, from: .running, db) }
        }
    }

    /// A run's end: its status, when, and its pipeline outputs (nil leaves them as they are).
    public struct RunEnd: Sendable {
        public var status: RunStatus
        public var at: Date
        public var outputs: [(name: String, value: String)]?

        public init(status: RunStatus, at: Date, outputs: [(name: String, value: String)]? = nil) {
            self.status = status
            self.at = at
            self.outputs = outputs
        }
    }

    /// Records `end` if the run is `from` (compare-and-set); false when it is not.
    private static func write(_ end: RunEnd, runId: String, from: RunStatus, _ db: Database) throws -> Bool {
        try db.execute(sql: "UPDATE runs SET status = ?, finishedAt = ? WHERE id = ? AND status = ?",
                       arguments: [end.status.rawValue, storedDate(end.at), runId, from.rawValue])
        guard db.changesCount == 1 else { return false }
        if let outputs = end.outputs {
            try db.execute(sql: "UPDATE runs SET outputs = ? WHERE id = ?",
                           arguments: [jsonText(outputs.map { NamedValue(name: $0.name, value: $0.value) }), runId])
        }
        try EventRecord(runId: runId, at: end.at, kind: .runFinished, data: json(["status": end.status.rawValue])).insert(db)
        return true
    }

    /// Sets the run's status if it is currently `from` (compare-and-set).
    @discardableResult
    public func finishRun(_ runId: String, from: RunStatus = .running, to status: RunStatus, at: Date,
                          outputs: [(name: String, value: String)]? = nil) throws -> Bool {
        try writing("record the end of run \(runId)") { db in
            try Self.write(RunEnd(status: status, at: at, outputs: outputs), runId: runId, from: from, db)
        }
    }

    public func heartbeat(_ runId: String, at: Date) throws {
        try writing("record the heartbeat of run \(runId)") { db in
            try db.execute(sql: "UPDATE runs SET heartbeatAt = ? WHERE id = ? AND status = 'running'", arguments: [Self.storedDate(at), runId])
        }
    }

    // MARK: Reading

    public func run(_ id: String) throws -> RunRecord? {
        try reading("read run \(id)") { db in try RunRecord.fetchOne(db, key: id) }
    }

    public func steps(of runId: String) throws -> [StepRecord] {
        try reading("read the steps of run \(runId)") { db in
            try StepRecord.filter(Column("runId") == runId).order(Column("position")).fetchAll(db)
        }
    }

    public func attempts(of runId: String, step: String? = nil) throws -> [AttemptRecord] {
        try reading("read the attempts of run \(runId)") { db in
            var request = AttemptRecord.filter(Column("runId") == runId)
            if let step { request = request.filter(Column("stepId") == step) }
            return try request.order(Column("stepId"), Column("number")).fetchAll(db)
        }
    }

    /// Records an artifact whose file is already in place (a second one of the same name in the
    /// same attempt replaces the first).
    public func recordArtifact(_ artifact: ArtifactRecord) throws {
        try writing("record artifact \(artifact.name) of \(artifact.runId)/\(artifact.stepId)") { db in try artifact.save(db) }
    }

    /// A run's artifacts (of one step, when given), in step order, then attempt, then name.
    public func artifacts(of runId: String, step: String? = nil) throws -> [ArtifactRecord] {
        try reading("read the artifacts of run \(runId)") { db in
            // A database last written by a flow before artifacts existed, opened read-only.
            guard try db.tableExists("artifacts") else { return [] }
            var sql = """
                SELECT a.* FROM artifacts a JOIN steps s ON s.runId = a.runId AND s.stepId = a.stepId
                WHERE a.runId = ?
                """
            var arguments: [(any DatabaseValueConvertible)?] = [runId]
            if let step {
                sql += " AND a.stepId = ?"
                arguments.append(step)
            }
            sql += " ORDER BY s.position, a.attempt, a.name"
            return try ArtifactRecord.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
    }

    public func events(of runId: String) throws -> [EventRecord] {
        try reading("read the events of run \(runId)") { db in try EventRecord.filter(Column("runId") == runId).order(Column("seq")).fetchAll(db) }
    }

    /// Runs newest first, optionally of one pipeline.
    public func runs(pipeline: String? = nil, limit: Int = 20) throws -> [RunRecord] {
        try reading("read the runs") { db in
            var request = RunRecord.order(Column("createdAt").desc, Column("id").desc)
            if let pipeline { request = request.filter(Column("pipeline") == pipeline) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    /// A typed column's value as statements bind it: JSON text, as GRDB stores a record's
    /// lists and mappings (sorted keys), for the statements written out by hand.
    static func jsonText<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// A JSON object of strings, keys sorted (stable bytes for equal maps).
    static func json(_ object: [String: String]) -> String { JSONText.object(object) }
}
