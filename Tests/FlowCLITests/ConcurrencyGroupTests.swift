import Foundation
import Testing
import FlowTestSupport

/// `concurrency: { group, policy }` across real `flow` processes sharing a state directory.
@Suite struct ConcurrencyGroupTests {
    /// A pipeline in group `g` whose one step logs `<tag> start`, waits for the file `go-<tag>`
    /// (or sleeps when `sleepy`), then logs `<tag> end`. The tag is a param.
    static func pipeline(policy: String, sleepy: Bool = false) -> String {
        let wait = sleepy ? "sleep 30" : "until test -e go-${{ params.tag }}; do sleep 0.05; done"
        return """
            name: p
            params: { tag: { type: string, default: a } }
            concurrency: { group: g, policy: \(policy) }
            steps:
              work: { run: 'echo "${{ params.tag }} start" >> ledger; \(wait); echo "${{ params.tag }} end" >> ledger' }
            """
    }

    @Test func forbidRefusesASecondRunWithoutCreatingIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try Runs.newestID(in: dir)
        let second = try runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        dir.touch("go-a")
        first.waitUntilExit()
        #expect(second.status == 1)
        #expect(second.stderr == "flow: run \(id) of concurrency group g is still running (policy forbid)\n")
        #expect(first.terminationStatus == 0)
        #expect(try Runs.list(in: dir).count == 1)
        #expect(dir.lines("ledger") == ["a start", "a end"])
        // Once the first has ended the group is free.
        dir.touch("go-c")
        #expect(try runFlow(["run", "p.yml", "--param", "tag=c"], currentDirectory: dir.url).status == 0)
    }

    @Test func queueWaitsForTheRunningOneAndThenRuns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "queue"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try Runs.newestID(in: dir)
        dir.touch("go-b")
        let second = try startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url,
                                   waitingFor: "waiting for run \(id) of concurrency group g to finish (policy queue)",
                                   includingStandardError: true)
        // The second is waiting and has created nothing.
        #expect(try Runs.list(in: dir).count == 1)
        dir.touch("go-a")
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(dir.lines("ledger") == ["a start", "a end", "b start", "b end"])
        #expect(try Runs.list(in: dir).map { $0["status"] as? String } == ["succeeded", "succeeded"])
    }

    @Test func ctrlCWhileQueuedExits130AndCreatesNoRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "queue"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let second = try startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url,
                                   waitingFor: "(policy queue)", includingStandardError: true)
        kill(second.processIdentifier, SIGINT)
        second.waitUntilExit()
        dir.touch("go-a")
        first.waitUntilExit()
        #expect(second.terminationStatus == 130)
        #expect(first.terminationStatus == 0)
        #expect(try Runs.list(in: dir).count == 1)
        #expect(!dir.lines("ledger").contains("b start"))
    }

    @Test func replaceCancelsTheRunningOneThenRuns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "replace", sleepy: true).replacingOccurrences(of: "sleep 30", with: "test ${{ params.tag }} = b || sleep 30"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try Runs.newestID(in: dir)
        #expect(waitForStepProcesses(ofRun: id))
        let second = try runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        first.waitUntilExit()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stderr.contains("replacing run \(id) of concurrency group g (policy replace)"))
        #expect(first.terminationStatus == 130)
        #expect(try Runs.status(id, in: dir)["status"] as? String == "cancelled")
        #expect(stepProcesses(ofRun: id).isEmpty)
        #expect(dir.lines("ledger") == ["a start", "b start", "b end"])
    }

    @Test func aKilledHolderFreesTheGroup() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        dir.touch("go-a")  // lets the orphaned step end
        dir.touch("go-b")
        let second = try runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        #expect(second.status == 0, "\(second.stderr)")
        var info = stat()
        #expect(stat(dir.file("runs/locks/g.lock").path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test func resumeTakesTheGroupToo() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid").replacingOccurrences(of: "echo \"${{ params.tag }} end\" >> ledger", with: "test -e fixed-${{ params.tag }}"))
        dir.touch("go-a")
        #expect(try runFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url).status == 1)
        let failed = try Runs.newestID(in: dir)
        let holder = try startFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url, waitingFor: "▸ work")
        let holderID = try Runs.newestID(in: dir)
        dir.touch("fixed-a")
        let resume = try runFlow(["resume", failed], currentDirectory: dir.url)
        let retry = try runFlow(["retry", failed, "--step", "work"], currentDirectory: dir.url)
        dir.touch("fixed-b")
        dir.touch("go-b")
        holder.waitUntilExit()
        #expect(resume.status == 1 && retry.status == 1)
        #expect(resume.stderr.contains("flow: run \(holderID) of concurrency group g is still running (policy forbid)"))
        #expect(try Runs.status(failed, in: dir)["status"] as? String == "failed")
        #expect(try runFlow(["resume", failed], currentDirectory: dir.url).status == 0)
    }

    @Test func theGroupNameIsRenderedFromParams() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline(policy: "forbid").replacingOccurrences(of: "group: g", with: "group: 'deploy-${{ params.tag }}'"))
        let first = try startFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url, waitingFor: "▸ work")
        let id = try Runs.newestID(in: dir)
        dir.touch("go-b")
        let other = try runFlow(["run", "p.yml", "--param", "tag=b"], currentDirectory: dir.url)
        let same = try runFlow(["run", "p.yml", "--param", "tag=a"], currentDirectory: dir.url)
        dir.touch("go-a")
        first.waitUntilExit()
        #expect(other.status == 0)
        #expect(same.status == 1 && same.stderr.contains("run \(id) of concurrency group deploy-a is still running"))
        let dry = try runFlow(["run", "p.yml", "--param", "tag=z", "--dry-run"], currentDirectory: dir.url)
        #expect(dry.stdout.contains("concurrency: group deploy-z, policy forbid\n"))
    }
}
