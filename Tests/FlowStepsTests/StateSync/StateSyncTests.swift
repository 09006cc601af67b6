import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport
import Foundation
import Testing

/// `--state-url`'s work below the CLI, against moto's S3 with real runs on real SQLite files:
/// the database restored, uploaded after finished steps with conditional writes, and the
/// loser of a race keeping everything it did.
@Suite struct StateSyncTests {
    let moto: MotoServer
    let s3: S3
    let bucket = "flow-state-sync"

    init() async throws {
        moto = try await MotoServer.shared()
        s3 = S3(moto.client())
        do { try await s3.createBucket(bucket) } catch let error as AWSError where error.code == "BucketAlreadyOwnedByYou" || error.code == "BucketAlreadyExists" {}
    }

    /// A fresh prefix for each test (the bucket is shared).
    func freshURL() throws -> StateURL { try StateURL(parsing: "s3://\(bucket)/t/\(UUID().uuidString)") }

    /// A build: a state directory restored from `url`, its database open, and the uploader.
    struct Build {
        var directory: TemporaryDirectory
        var database: RunDatabase
        var sync: StateSync
        var restored: StateRestore.Outcome
    }

    func build(_ url: StateURL, prepare: (TemporaryDirectory) throws -> Void = { _ in }) async throws -> Build {
        let directory = try TemporaryDirectory()
        try prepare(directory)
        let path = directory.file("flow.db").path
        let restored = try await StateRestore.restore(url, s3: s3, databasePath: path)
        let database = try RunDatabase(path: path)
        let sync = StateSync(url: url, s3: s3, database: database, etag: restored.etag, scratchDirectory: directory.url.path)
        return Build(directory: directory, database: database, sync: sync, restored: restored)
    }

    /// Runs `yaml` to its end on `build`'s database, every event seen by its uploader.
    @discardableResult
    func run(_ yaml: String, on build: Build) async throws -> String {
        let plan = try EngineHarness().plan(yaml)
        let options = RunOptions(stateDirectory: build.directory.url.path, workingDirectory: build.directory.url.path,
                                 environment: ProcessInfo.processInfo.environment, gitSHA: nil, source: yaml,
                                 gracePeriod: .milliseconds(300), heartbeatInterval: nil, jitter: { $0 })
        let coordinator = try RunCoordinator(plan: plan, database: build.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options, onEvent: build.sync.observing { _ in })
        let status = await coordinator.execute()
        #expect(status == .succeeded)
        return coordinator.runID
    }

    /// The runs in the object at `key`, read from a downloaded copy.
    func runs(at key: String, _ url: StateURL) async throws -> [RunRecord] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("copy.db").path
        let etag = try await s3.download(bucket: url.bucket, key: key, to: path)
        try #require(etag != nil, "no object at \(key)")
        return try RunDatabase(path: path).runs(limit: 100)
    }

    static let twoSteps = """
        name: synced
        steps:
          one:
            run: echo one
          two:
            needs: [one]
            run: echo two
        """

    @Test func theFirstUploadCreatesTheObjectWithIfNoneMatch() async throws {
        let url = try freshURL()
        let b = try await build(url)
        #expect(b.restored.etag == nil)
        let runID = try await run(Self.twoSteps, on: b)
        let ending = await b.sync.finish(runID: runID, build: "b1")
        guard case .saved(let etag) = ending else { Issue.record("not saved: \(ending)"); return }
        #expect(try await runs(at: url.databaseKey, url).map(\.id) == [runID])
        #expect(try await s3.getObject(bucket: bucket, key: url.databaseKey).headers["ETag"] == etag)
        #expect(await b.sync.uploads >= 2)  // at least one after a step, and the last
    }

    @Test func aFirstUploadLosesToAnObjectCreatedMeanwhile() async throws {
        let url = try freshURL()
        let b = try await build(url)
        #expect(b.restored.etag == nil)
        // Another build creates the object after this one found none.
        let other = b.directory.file("other.bin")
        try Data("someone else's".utf8).write(to: other)
        try await s3.upload(bucket: bucket, key: url.databaseKey, file: other.path, condition: .ifAbsent)

        let runID = try await run(Self.twoSteps, on: b)
        let ending = await b.sync.finish(runID: runID, build: "late")
        guard case .conflict(let conflict, let savedAs, _) = ending else { Issue.record("no conflict: \(ending)"); return }
        #expect(conflict.reason == .changed)
        #expect(conflict.condition == .ifAbsent)
        #expect(savedAs == url.conflictKey(runID: runID, build: "late"))
        #expect(try await runs(at: savedAs!, url).map(\.id) == [runID])
        // The other build's object is untouched.
        let kept = try await s3.getObject(bucket: bucket, key: url.databaseKey)
        #expect(kept.text == "someone else's")
    }

    @Test func twoWritersFromOneBaseOneWinsAndTheLoserLosesNothing() async throws {
        let url = try freshURL()
        // The base: a first build's state.
        let base = try await build(url)
        let baseRun = try await run(Self.twoSteps, on: base)
        guard case .saved = await base.sync.finish(runID: baseRun, build: "base") else { Issue.record("base not saved"); return }

        // Two builds restore the same base.
        let a = try await build(url), b = try await build(url)
        #expect(a.restored.etag != nil)
        #expect(a.restored.etag == b.restored.etag)

        let runA = try await run(Self.twoSteps, on: a)
        guard case .saved = await a.sync.finish(runID: runA, build: "build-a") else { Issue.record("A not saved"); return }

        let runB = try await run(Self.twoSteps, on: b)
        let ending = await b.sync.finish(runID: runB, build: "build-b")
        guard case .conflict(let conflict, let savedAs, nil) = ending, let savedAs else { Issue.record("B did not lose cleanly: \(ending)"); return }
        #expect(conflict.reason == .changed)
        #expect(conflict.condition == .ifMatch(b.restored.etag!))

        // The shared state is A's: the base run and A's, not B's.
        #expect(Set(try await runs(at: url.databaseKey, url).map(\.id)) == [baseRun, runA])
        // B's work: in its conflict copy and in its local database, each with the base too.
        #expect(savedAs == url.key("conflicts/\(runB)-build-b.db"))
        #expect(Set(try await runs(at: savedAs, url).map(\.id)) == [baseRun, runB])
        #expect(Set(try b.database.runs(limit: 100).map(\.id)) == [baseRun, runB])
        #expect(try b.database.run(runB)?.status == .succeeded)
        // No upload to the shared key after the conflict.
        #expect(await b.sync.uploads == 0)
    }

    @Test func aConflictCopyNeverOverwritesAnother() async throws {
        let url = try freshURL()
        let first = url.conflictKey(runID: "r1", build: "b")
        let taken = try TemporaryDirectory()
        defer { taken.remove() }
        try Data("earlier copy".utf8).write(to: taken.file("x"))
        try await s3.upload(bucket: bucket, key: first, file: taken.file("x").path, condition: .ifAbsent)

        // A build that read a version that is gone (`If-Match` on a missing key: 404).
        let database = try RunDatabase(path: taken.file("flow.db").path)
        let stale = StateSync(url: url, s3: s3, database: database, etag: "\"0000\"", scratchDirectory: taken.url.path)
        let ending = await stale.finish(runID: "r1", build: "b")
        guard case .conflict(let conflict, let savedAs, _) = ending else { Issue.record("no conflict: \(ending)"); return }
        #expect(conflict.reason == .deleted)
        #expect(savedAs == url.conflictKey(runID: "r1", build: "b", attempt: 2))
        #expect(try await s3.getObject(bucket: bucket, key: first).text == "earlier copy")
    }

    @Test func restoringMovesALocalDatabaseAsideAndTakesTheSharedOne() async throws {
        let url = try freshURL()
        let base = try await build(url)
        let baseRun = try await run(Self.twoSteps, on: base)
        _ = await base.sync.finish(runID: baseRun, build: "base")

        // A state directory with a database of its own.
        let local = try TemporaryDirectory()
        let localDB = try RunDatabase(path: local.file("flow.db").path)
        let harnessRun = try await run(Self.twoSteps, on: Build(directory: local, database: localDB,
                                                                sync: StateSync(url: try freshURL(), s3: s3, database: localDB, etag: nil,
                                                                                scratchDirectory: local.url.path),
                                                                restored: .init(etag: nil, movedAside: nil)))
        let b = try await build(url) { dir in
            for name in try FileManager.default.contentsOfDirectory(atPath: local.url.path) where name.hasPrefix("flow.db") {
                try FileManager.default.copyItem(atPath: local.file(name).path, toPath: dir.file(name).path)
            }
        }
        let aside = try #require(b.restored.movedAside)
        #expect(aside == b.directory.file("flow.db.before-restore-1").path)
        #expect(try b.database.runs(limit: 10).map(\.id) == [baseRun])
        #expect(try RunDatabase(path: aside).runs(limit: 10).map(\.id) == [harnessRun])
    }

    @Test func manyFinishedStepsCoalesceIntoFewerUploadsAndTheLastHasEverything() async throws {
        let url = try freshURL()
        let b = try await build(url)
        let steps = (1...12).map { "  s\($0):\n    run: echo \($0)\n" }.joined()
        let runID = try await run("name: many\nsteps:\n" + steps, on: b)
        guard case .saved = await b.sync.finish(runID: runID, build: "many") else { Issue.record("not saved"); return }
        let uploads = await b.sync.uploads
        #expect(uploads >= 1 && uploads <= 13)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try await s3.download(bucket: bucket, key: url.databaseKey, to: directory.file("c.db").path)
        let copy = try RunDatabase(path: directory.file("c.db").path)
        #expect(try copy.steps(of: runID).filter { $0.status == .succeeded }.count == 12)
        #expect(try copy.run(runID)?.status == .succeeded)
    }

    @Test func stateURLsParseAndBadOnesSayHow() throws {
        let url = try StateURL(parsing: "s3://my-builds/flow/nightly/")
        #expect(url.bucket == "my-builds")
        #expect(url.databaseKey == "flow/nightly/flow.db")
        #expect(url.conflictKey(runID: "20261207-0600-ab12", build: "proj:1f2e") == "flow/nightly/conflicts/20261207-0600-ab12-proj-1f2e.db")
        #expect(try StateURL(parsing: "s3://my-builds").databaseKey == "flow.db")
        for bad in ["https://x/y", "s3://", "s3://UPPER/x", "s3://ab/x", "s3://ok-bucket/../x"] {
            #expect(throws: StateURL.Invalid.self) { try StateURL(parsing: bad) }
        }
    }
}
