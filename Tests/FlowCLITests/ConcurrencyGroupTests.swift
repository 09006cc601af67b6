import Foundation
import Testing
import FlowTestSupport

/// `concurrency: { group, policy }` across real `flow` processes sharing a state directory.
@Suite struct ConcurrencyGroupTests {
    /// A pipeline in group `g` whose one step logs `<tag> start`, waits for the file `go-<tag>`
    /// (or sleeps when `sleepy`), then logs `<tag> end`. The tag is a param.
    static func pipeline(policy: String, sleepy: Bool = false) -> String {
        let wait = sleepy ? "sleep 999" : "until test -e go-${{ params.tag }}; do sleep 0.05; done"
        return """
            name: p
            params: { tag: { type: string, default: a } }
            concurrency: { group: g, policy: \(policy) }
            steps:
              work: { run: 'echo "${{ params.tag }} start" >> ledger; \(wait); echo "${{ params.tag }} end" >> ledger' }
            """
    }

    @Test func forbidRefusesASecondRunWithoutCreatingIt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        let second = try await runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        dir.touch("go-a")
        await first.exited()
        #expect(second.status == 1)
        #expect(second.stderr == "flow: run \(id) of concurrency group g is still running (policy forbid)\n")
        #expect(first.terminationStatus == 0)
        #expect(try await Runs.list(in: dir).count == 1)
        #expect(dir.lines("ledger") == ["a start", "a end"])
        // Once the first has ended the group is free.
        dir.touch("go-c")
        #expect(try await runFlow(["run", "p.yml", "--param", "tag=c"], currentDirectory: dir.url).status == 0)
    }

    @Test func queueWaitsForTheRunningOneAndThenRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "queue"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        dir.touch("go-b")
        let second = try await startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url,
                                   waitingFor: "waiting for run \(id) of concurrency group g to finish (policy queue)",
                                   includingStandardError: true)
        // The second is waiting and has created nothing.
        #expect(try await Runs.list(in: dir).count == 1)
        dir.touch("go-a")
        await first.exited()
        await second.exited()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(dir.lines("ledger") == ["a start", "a end", "b start", "b end"])
        #expect(try await Runs.list(in: dir).map { $0["status"] as? String } == ["succeeded", "succeeded"])
    }

    @Test func ctrlCWhileQueuedExits130AndCreatesNoRun() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "queue"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let second = try await startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url,
                                   waitingFor: "(policy queue)", includingStandardError: true)
        kill(second.processIdentifier, SIGINT)
        await second.exited()
        dir.touch("go-a")
        await first.exited()
        #expect(second.terminationStatus == 130)
        #expect(first.terminationStatus == 0)
        #expect(try await Runs.list(in: dir).count == 1)
        #expect(!dir.lines("ledger").contains("b start"))
    }

    @Test func replaceCancelsTheRunningOneThenRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "replace", sleepy: true).replacingOccurrences(of: "sleep 999", with: "test ${{ params.tag }} = b || sleep 999"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        #expect(try await waitForStepProcesses(ofRun: id))
        let second = try await runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        await first.exited()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("replacing run \(id) of concurrency group g (policy replace)"))
        #expect(first.terminationStatus == 130)
        #expect(try await Runs.status(id, in: dir)["status"] as? String == "cancelled")
        #expect(stepProcesses(ofRun: id).isEmpty)
        #expect(dir.lines("ledger") == ["a start", "b start", "b end"])
    }

    @Test func aKilledHolderFreesTheGroup() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        kill(first.processIdentifier, SIGKILL)
        await first.exited()
        dir.touch("go-a")  // lets the orphaned step end
        dir.touch("go-b")
        let second = try await runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        #expect(second.status == 0, "\(second.stderr)")
        var info = stat()
        #expect(stat(dir.file("runs/locks/g.lock").path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test func resumeTakesTheGroupToo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid").replacingOccurrences(of: "echo \"${{ params.tag }} end\" >> ledger", with: "test -e fixed-${{ params.tag }}"))
        dir.touch("go-a")
        #expect(try await runFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url).status == 1)
        let failed = try await Runs.newestID(in: dir)
        let holder = try await startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url, waitingFor: "▸ work")
        let holderID = try await Runs.newestID(in: dir)
        dir.touch("fixed-a")
        let resume = try await runFlow(["resume", failed], currentDirectory: dir.url)
        let retry = try await runFlow(["retry", failed, "--step", "work"], currentDirectory: dir.url)
        dir.touch("fixed-b")
        dir.touch("go-b")
        await holder.exited()
        #expect(resume.status == 1 && retry.status == 1)
        #expect(resume.stderr.contains("flow: run \(holderID) of concurrency group g is still running (policy forbid)"))
        #expect(try await Runs.status(failed, in: dir)["status"] as? String == "failed")
        #expect(try await runFlow(["resume", failed], currentDirectory: dir.url).status == 0)
    }

    @Test func theGroupNameIsRenderedFromParams() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid").replacingOccurrences(of: "group: g", with: "group: 'deploy-${{ params.tag }}'"))
        let first = try await startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try await Runs.newestID(in: dir)
        dir.touch("go-b")
        let other = try await runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        let same = try await runFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url)
        dir.touch("go-a")
        await first.exited()
        #expect(other.status == 0)
        #expect(same.status == 1 && same.stderr.contains("run \(id) of concurrency group deploy-a is still running"))
        let dry = try await runFlow(["run", "p.yml", "--param", "tag=z", "--dry-run"], currentDirectory: dir.url)
        #expect(dry.stdout.contains("concurrency: group deploy-z, policy forbid\n"))
    }
}
