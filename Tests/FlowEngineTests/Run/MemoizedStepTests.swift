import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// Memoized steps (`cache:`) on real processes, a real SQLite file and real files: what makes a
/// key, what a hit reuses, what is saved and put back, and what is refused.
@Suite struct MemoizedStepTests {
    /// A step that counts its runs in `runs.txt`, writes `out/result.txt` from `src/input.txt`,
    /// and has an output that differs on every run (so a reused one is recognisable).
    static let pipeline = """
        name: memo
        params:
          flavour: { default: plain }
        steps:
          make:
            run: |
              echo run >> runs.txt
              mkdir -p out
              cat src/input.txt > out/result.txt
              echo "made=$(date +%s%N)" >> "$FLOW_OUTPUT"
            outputs: [made]
            cache:
              key: ["${{ params.flavour }}", { files: "src/**/*.txt" }]
              paths: [out]
          use:
            needs: [make]
            run: echo "${{ steps.make.outputs.made }}" > seen.txt
        """

    func runs(_ h: EngineHarness) throws -> Int {
        try String(contentsOf: h.directory.file("runs.txt"), encoding: .utf8).split(separator: "\n").count
    }

    func read(_ h: EngineHarness, _ name: String) throws -> String {
        try String(contentsOf: h.directory.file(name), encoding: .utf8)
    }

    @Test func anUnchangedStepIsReusedWithItsOutputsByteForByteAndItsPathsPutBack() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("src/input.txt", "one\n")
        let first = try await h.run(Self.pipeline)
        #expect(first.status == .succeeded)
        #expect(first.steps["make"]?.cachedFrom == nil)
        try FileManager.default.removeItem(at: h.directory.file("out"))

        let second = try await h.run(Self.pipeline)
        #expect(second.status == .succeeded)
        #expect(try runs(h) == 1)
        let make = try #require(second.steps["make"])
        #expect(make.status == .succeeded && make.cachedFrom == first.runID)
        // The stored outputs are the first run's bytes, and downstream read them.
        let stored = try await h.database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT outputs FROM steps WHERE stepId = 'make' AND runId IN (?, ?) ORDER BY runId = ?",
                                arguments: [first.runID, second.runID, second.runID])
        }
        #expect(stored.count == 2 && stored[0] == stored[1] && stored[0].contains("made"))
        #expect(try read(h, "seen.txt") == (first.steps["make"]?.outputValues["made"] ?? "?") + "\n")
        #expect(try read(h, "out/result.txt") == "one\n")
        // Not run: no attempt, no log.
        #expect(try h.database.attempts(of: second.runID, step: "make").isEmpty)
        let finished = second.events.compactMap { event -> StepSummary? in
            if case .stepFinished(let s) = event, s.stepID == "make" { return s }
            return nil
        }
        #expect(finished.map(\.cachedFrom) == [first.runID])
        #expect(!second.events.contains { if case .stepStarted(let id, _, _, _) = $0 { return id == "make" } else { return false } })
    }

    @Test func aChangedFileValueOrScriptIsANewKey() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("src/input.txt", "one\n")
        _ = try await h.run(Self.pipeline)
        // A file the key's pattern matches, by content.
        _ = try h.directory.write("src/nested/more.txt", "new file\n")
        _ = try await h.run(Self.pipeline)
        #expect(try runs(h) == 2)
        _ = try h.directory.write("src/input.txt", "two\n")
        let changed = try await h.run(Self.pipeline)
        #expect(try runs(h) == 3 && changed.steps["make"]?.cachedFrom == nil)
        #expect(try read(h, "out/result.txt") == "two\n")
        // A file the pattern does not match changes nothing.
        _ = try h.directory.write("src/notes.md", "ignored\n")
        #expect(try await h.run(Self.pipeline).steps["make"]?.cachedFrom == changed.runID)
        // A key value.
        _ = try await h.run(Self.pipeline, params: ["flavour": "spicy"])
        #expect(try runs(h) == 4)
        // The step's own definition: its script.
        _ = try await h.run(Self.pipeline.replacingOccurrences(of: "echo run >> runs.txt", with: "echo run >>runs.txt"))
        #expect(try runs(h) == 5)
        // The earlier keys still answer.
        #expect(try await h.run(Self.pipeline).steps["make"]?.cachedFrom == changed.runID)
        #expect(try runs(h) == 5)
    }

    @Test func noCacheRunsTheStepAndSavesItsSuccessAgain() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("src/input.txt", "one\n")
        _ = try await h.run(Self.pipeline)
        let forced = try await h.run(Self.pipeline, readCache: false)
        #expect(try runs(h) == 2 && forced.steps["make"]?.cachedFrom == nil)
        let entries = try h.database.cacheEntries()
        #expect(entries.count == 1 && entries.first?.runId == forced.runID)
        #expect(try await h.run(Self.pipeline).steps["make"]?.cachedFrom == forced.runID)
    }

    @Test func aFailureOrAMissingPathSavesNothing() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let failing = """
            name: memo
            steps:
              make:
                run: echo run >> runs.txt; exit 1
                cache: { paths: [out] }
            """
        #expect(try await h.run(failing).status == .failed)
        #expect(try await h.run(failing).status == .failed)
        #expect(try runs(h) == 2 && h.database.cacheEntries().isEmpty)

        let missing = """
            name: memo
            steps:
              make:
                run: echo run >> runs.txt
                cache: { paths: [out/never-made] }
            """
        let first = try await h.run(missing)
        #expect(first.status == .succeeded)
        #expect(try h.database.cacheEntries().isEmpty)
        let log = try String(contentsOfFile: try #require(try h.database.attempts(of: first.runID, step: "make").last?.logPath), encoding: .utf8)
        #expect(log.contains("cache: not saved: `out/never-made` does not exist after the step succeeded"))
        _ = try await h.run(missing)
        #expect(try runs(h) == 4)
    }

    @Test func pathsPutBackReplaceChangedFilesAndKeepLinksAsLinks() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let yaml = """
            name: memo
            steps:
              make:
                run: |
                  echo run >> runs.txt
                  mkdir -p out/deep
                  printf 'data' > out/deep/file.bin
                  chmod 750 out/deep/file.bin
                  chmod 751 out/deep
                  ln -sf deep/file.bin out/link
                cache: { paths: [out] }
            """
        _ = try await h.run(yaml)
        // Someone changes what the step made: the reused success puts its own back.
        try Data("tampered and longer".utf8).write(to: h.directory.file("out/deep/file.bin"))
        try FileManager.default.removeItem(at: h.directory.file("out/link"))
        _ = try h.directory.write("out/extra.txt", "not the step's")
        let second = try await h.run(yaml)
        let count = try runs(h)
        #expect(second.steps["make"]?.cachedFrom != nil && count == 1)
        #expect(try read(h, "out/deep/file.bin") == "data")
        let attributes = try FileManager.default.attributesOfItem(atPath: h.directory.file("out/deep/file.bin").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o750)
        let folder = try FileManager.default.attributesOfItem(atPath: h.directory.file("out/deep").path)
        #expect((folder[.posixPermissions] as? Int) == 0o751)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: h.directory.file("out/link").path) == "deep/file.bin")
        #expect(!FileManager.default.fileExists(atPath: h.directory.file("out/extra.txt").path))
    }

    @Test func aPathThroughASymbolicLinkIsNeitherSavedNorWrittenThrough() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let outside = try TemporaryDirectory()
        defer { outside.remove() }
        try FileManager.default.createSymbolicLink(atPath: h.directory.file("escape").path, withDestinationPath: outside.url.path)
        let yaml = """
            name: memo
            steps:
              make:
                run: echo run >> runs.txt; echo x > escape/made.txt
                cache: { paths: [escape/made.txt] }
            """
        let first = try await h.run(yaml)
        #expect(first.status == .succeeded)
        #expect(try h.database.cacheEntries().isEmpty)
        let log = try String(contentsOfFile: try #require(try h.database.attempts(of: first.runID, step: "make").last?.logPath), encoding: .utf8)
        #expect(log.contains("goes through a symbolic link"))
    }

    @Test func aFIFOMatchedByTheKeyIsNeverOpened() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("src/input.txt", "one\n")
        #expect(mkfifo(h.directory.file("src/pipe.txt").path, 0o600) == 0)
        // Opening the FIFO to read it would block the run forever; it is hashed by its kind alone.
        let first = try await h.run(Self.pipeline)
        #expect(first.status == .succeeded)
        #expect(try await h.run(Self.pipeline).steps["make"]?.cachedFrom == first.runID)
    }

    @Test func secretsAreMaskedInTheKeyAndTheEntry() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let yaml = """
            name: memo
            secrets: [TOKEN]
            steps:
              make:
                run: |
                  echo run >> runs.txt
                  echo "seen=$TOKEN" >> "$FLOW_OUTPUT"
                outputs: [seen]
                cache: { key: ["${{ env.TOKEN }}"] }
            """
        var environment = ProcessInfo.processInfo.environment
        environment["TOKEN"] = "s3cr3t-value-42"
        let first = try await h.run(yaml, environment: environment)
        #expect(first.status == .succeeded)
        #expect(try h.database.cacheEntries().first?.outputs == ["seen": "***"])
        #expect(!h.stateHolds("s3cr3t-value-42"))
        // A secret is masked before hashing: a new value alone is not a new key.
        environment["TOKEN"] = "another-secret-7"
        #expect(try await h.run(yaml, environment: environment).steps["make"]?.cachedFrom == first.runID)
    }

    /// A step type that says its version (as a built-in type's is flow's), counting its runs.
    struct Versioned: StepType {
        struct Input: Decodable, Sendable {}
        let version: String
        let counter: Counter
        var signature: StepTypeSignature { StepTypeSignature(name: "versioned", summary: "a versioned type for tests") }
        func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
            counter.add()
            return StepOutcome()
        }
        func cacheKey(workingDirectory: String, input: () -> Input?) -> StepTypeCacheKey { StepTypeCacheKey(version: version) }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test func aNewVersionOfTheStepTypeIsANewKey() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let counter = Counter()
        func registry(_ version: String) -> StepRegistry {
            var registry = StepRegistry.builtins
            registry.register(Versioned(version: version, counter: counter))
            return registry
        }
        let yaml = "name: memo\nsteps:\n  v: { uses: versioned, cache: {} }\n"
        _ = try await h.run(yaml, registry: registry("1.0"))
        #expect(try await h.run(yaml, registry: registry("1.0")).steps["v"]?.cachedFrom != nil)
        #expect(counter.value == 1)
        #expect(try await h.run(yaml, registry: registry("1.1")).steps["v"]?.cachedFrom == nil)
        #expect(counter.value == 2)
    }

    @Test func aUserStepTypesFilesAreItsVersion() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("steps/greet/step.yml", """
            name: greet
            description: says hello
            inputs:
              who: { required: true }
            run: greet.sh
            """)
        let script = try h.directory.write("steps/greet/greet.sh", "#!/bin/sh\necho run >> runs.txt; echo hello \"$INPUT_WHO\"\n")
        chmod(script.path, 0o755)
        let (registry, problems) = PipelineSource(stepsDirectory: h.directory.file("steps").path, builtins: .builtins).registry()
        #expect(problems.isEmpty)
        let yaml = """
            name: memo
            steps:
              hi:
                uses: greet
                with: { who: world }
                cache: {}
            """
        #expect(try await h.run(yaml, registry: registry).status == .succeeded)
        #expect(try await h.run(yaml, registry: registry).steps["hi"]?.cachedFrom != nil)
        #expect(try runs(h) == 1)
        try Data("#!/bin/sh\necho run >> runs.txt; echo hi \"$INPUT_WHO\"\n".utf8).write(to: script)
        _ = try await h.run(yaml, registry: registry)
        #expect(try runs(h) == 2)
    }

    @Test func aStaleOrClearedEntryRunsTheStepAgain() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("src/input.txt", "one\n")
        _ = try await h.run(Self.pipeline)
        let entries = try h.database.cacheEntries()
        #expect(entries.count == 1)
        let store = StepCacheStore(stateDirectory: h.statePath)
        #expect(FileManager.default.fileExists(atPath: store.folder(for: entries[0].key) + "/out/result.txt"))
        // Saved files gone: the entry is stale, the step runs (and saves again).
        store.remove(key: entries[0].key)
        let again = try await h.run(Self.pipeline)
        let count = try runs(h)
        #expect(again.steps["make"]?.cachedFrom == nil && count == 2)
        #expect(try h.database.removeCacheEntries(h.database.cacheEntries().map(\.key)) == 1)
        _ = try await h.run(Self.pipeline)
        #expect(try runs(h) == 3)
    }
}
