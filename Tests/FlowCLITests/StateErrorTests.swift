import Foundation
import GRDB
import Testing
import FlowTestSupport

/// A state directory or database flow cannot use, and reports it cannot write: each is one
/// line naming the path, what flow was doing and why, with the exit code docs/cli.md's rule
/// gives (2: state that cannot be used, found before anything runs; 1: a run, or its report,
/// that could not be completed), never a raw SQLite statement or an NSCocoaErrorDomain dump.
@Suite struct StateErrorTests {
    static let pipeline = "name: p\nsteps:\n  a: { run: echo hi }\n"

    func workspace() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        _ = try dir.write("p.yml", Self.pipeline)
        return dir
    }

    static func expectPlain(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains("SQLite error"), sourceLocation: sourceLocation)
        #expect(!text.contains("while executing"), sourceLocation: sourceLocation)
        #expect(!text.contains("NSCocoaErrorDomain"), sourceLocation: sourceLocation)
        #expect(!text.contains("Error Domain"), sourceLocation: sourceLocation)
    }

    @Test func aDatabaseWrittenByANewerFlowIsRefusedAndLeftUntouched() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let path = dir.file("runs/flow.db").path
        try Self.recordUnknownMigration(in: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        for arguments in [["run", "p.yml"], ["status"], ["runs"], ["resume", "--last"]] {
            let r = try await runFlow(arguments, currentDirectory: dir.url)
            #expect(r.status == 2, "\(arguments): \(r.stdout)\(r.stderr)")
            #expect(r.stderr == "flow: cannot open the state database (\(path)): it was written by a newer flow (schema v99-from-the-future, "
                    + "which this flow does not know); use that flow or a newer one, or another --state-dir\n", "\(arguments)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try StateSnapshot.read(databaseAt: path)?.runs.count == 1)
    }

    /// What a newer flow's migrator would leave: a migration this flow does not know.
    static func recordUnknownMigration(in path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
    }

    @Test func aFileThatIsNotADatabaseIsAPlainError() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        _ = try dir.write("runs/flow.db", "this is not SQLite\n")
        for arguments in [["run", "p.yml"], ["status"], ["runs"]] {
            let r = try await runFlow(arguments, currentDirectory: dir.url)
            #expect(r.status == 2, "\(arguments)")
            #expect(r.stderr == "flow: cannot open the state database (\(dir.file("runs/flow.db").path)): file is not a database\n", "\(arguments)")
        }
    }

    @Test func aStateDirectoryThatCannotBeMadeIsAPlainError() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        _ = try dir.write("blocker", "a file where the state directory's parent should be\n")
        let r = try await runFlow(["run", "p.yml", "--state-dir", "blocker/runs"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr == "flow: cannot create the state directory (\(dir.file("blocker/runs").path)): Not a directory\n")
        Self.expectPlain(r.stderr)
    }

    /// The commands that only read work on a state directory they cannot write (a read-only
    /// mount, someone else's copy); writing commands say what is wrong. As root, the test runs
    /// flow as `nobody` over a copy it may read but not write.
    @Test func readingCommandsWorkOnAStateDirectoryThatCannotBeWritten() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let runs = dir.file("runs").path
        let prefix = getuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        if getuid() == 0 {
            for path in try [runs] + FileManager.default.subpathsOfDirectory(atPath: runs).map({ runs + "/" + $0 }) {
                var info = stat()
                stat(path, &info)
                chmod(path, info.st_mode & S_IFMT == S_IFDIR ? 0o755 : 0o644)
            }
            chmod(dir.url.path, 0o755)
        } else {
            chmod(runs, 0o500)
        }
        defer { chmod(runs, 0o700) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        func flow(_ arguments: [String]) async throws -> ProcessResult {
            try await onOwnThread { [environment] in
                try runProcess(URL(fileURLWithPath: "/usr/bin/env"), prefix + [Repository.flowBinary.path] + arguments,
                               environment: environment, currentDirectory: dir.url)
            }
        }
        let status = try await flow(["status", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"status\":\"succeeded\""))
        let list = try await flow(["runs"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(id))
        let logs = try await flow(["logs", id, "a"])
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout == "hi\n")

        let run = try await flow(["run", "p.yml"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("flow: cannot open the state database (\(runs)/flow.db): "), "\(run.stderr)")
        #expect(run.stderr.contains("(is the state directory writable?)"), "\(run.stderr)")
        Self.expectPlain(run.stderr)
    }

    @Test func aJUnitReportThatCannotBeWrittenFailsTheCommand() async throws {
        let dir = try workspace()
        defer { dir.remove() }
        let full = try await runFlow(["run", "p.yml", "--junit", "/dev/full"], currentDirectory: dir.url)
        #expect(full.status == 1, "\(full.stdout)\(full.stderr)")
        #expect(full.stdout.contains("run ") && full.stdout.contains(" succeeded"))
        #expect(full.stderr == "flow: cannot write the report /dev/full: No space left on device\n")

        let missing = try await runFlow(["run", "p.yml", "--junit", "no/such/dir/report.xml"], currentDirectory: dir.url)
        #expect(missing.status == 1)
        #expect(missing.stderr == "flow: cannot write the report no/such/dir/report.xml: No such file or directory\n")

        let written = try await runFlow(["run", "p.yml", "--junit", "report.xml"], currentDirectory: dir.url)
        #expect(written.status == 0)
        #expect(try String(contentsOf: dir.file("report.xml"), encoding: .utf8).contains("<testsuite name=\"p\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains(".tmp") }.isEmpty)
    }
}
