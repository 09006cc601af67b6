import Foundation
import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// Cancelling a run from another process: what is recorded, and who is signalled.
@Suite struct CancellationTests {
    func record(_ id: String, status: RunStatus, pid: Int32? = 4242, host: String = "here") -> RunRecord {
        RunRecord(id: id, pipeline: "p", file: "p.yml", source: "", sourceDigest: "", params: "{}", profile: nil, trigger: .manual,
                  gitSha: nil, secretNames: [], status: status, createdAt: Date(timeIntervalSince1970: 1000), finishedAt: nil,
                  ownerPid: pid, ownerHost: host, heartbeatAt: Date(timeIntervalSince1970: 1000), resumeCount: 0)
    }

    /// A run `r` owned by pid 4242 on host `here`: `a` succeeded, `b` running (attempt 1 open), `c` pending.
    func interruptedRun(_ h: EngineHarness, id: String = "r", status: RunStatus = .running) throws {
        try h.database.createRun(record(id, status: status), steps: ["a", "b", "c"])
        let at = Date(timeIntervalSince1970: 1001)
        try h.database.apply(runId: id, [.init(stepId: "a", from: .pending, to: .running, at: at, attempts: 1)])
        try h.database.apply(runId: id, [.init(stepId: "a", from: .running, to: .succeeded, at: at, outputs: ["k": "v"])])
        try h.database.apply(runId: id, [.init(stepId: "b", from: .pending, to: .running, at: at, attempts: 1)],
                             attempts: [AttemptRecord(runId: id, stepId: "b", number: 1, status: .running, startedAt: at, logPath: "/dev/null")])
    }

    func cancellation(_ h: EngineHarness, alive: Bool, isOwner: Bool = true, signalled: SignalLog = SignalLog()) -> RunCancellation {
        RunCancellation(database: h.database,
                        ownership: RunOwnership(host: "here", now: Date(timeIntervalSince1970: 1002)) { _ in alive },
                        isOwner: { _, _ in isOwner }, terminate: { signalled.add($0); return true })
    }

    @Test func aRunWhoseOwnerDiedIsRecordedCancelledWithItsUnfinishedSteps() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try interruptedRun(h)
        let signals = SignalLog()
        #expect(try cancellation(h, alive: false, signalled: signals).cancel("r", at: Date(timeIntervalSince1970: 1003)) == .recorded(from: .interrupted))
        #expect(signals.pids.isEmpty)
        #expect(try h.database.run("r")?.status == .cancelled)
        let steps = try h.database.steps(of: "r")
        #expect(steps.map(\.status) == [.succeeded, .cancelled, .cancelled])
        #expect(steps[0].outputValues == ["k": "v"])
        #expect(steps[1].reason == "cancelled by flow cancel" && steps[2].reason == "cancelled by flow cancel")
        #expect(try h.database.attempts(of: "r").map(\.status) == [.cancelled])
        #expect(try h.database.events(of: "r").last?.kind == .runFinished)
        #expect(try h.database.events(of: "r").last?.data?.contains(#""status":"cancelled""#) == true)
        // Cancelled runs stay resumable.
        try h.database.resume("r", from: .cancelled, steps: ["a", "b", "c"], ownerPid: getpid(), ownerHost: "here", at: Date())
        #expect(try h.database.steps(of: "r").map(\.status) == [.succeeded, .pending, .pending])
    }

    @Test func aLiveOwnerOnThisHostIsSignalledAndNothingIsRecordedForIt() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try interruptedRun(h)
        let signals = SignalLog()
        #expect(try cancellation(h, alive: true, signalled: signals).cancel("r", at: Date()) == .signalled(pid: 4242))
        #expect(signals.pids == [4242])
        #expect(try h.database.run("r")?.status == .running)
        #expect(try h.database.events(of: "r").last?.kind == .cancelRequested)
    }

    @Test func aReusedPidIsNotSignalledAndTheRunCountsAsInterrupted() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try interruptedRun(h)
        let signals = SignalLog()
        #expect(try cancellation(h, alive: true, isOwner: false, signalled: signals).cancel("r", at: Date()) == .recorded(from: .interrupted))
        #expect(signals.pids.isEmpty)
        #expect(try h.database.run("r")?.status == .cancelled)
    }

    @Test func finishedRunsAndOtherHosts() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try h.database.createRun(record("done", status: .succeeded), steps: ["a"])
        try h.database.createRun(record("stopped", status: .cancelled), steps: ["a"])
        try h.database.createRun(record("broken", status: .failed), steps: ["a"])
        try h.database.createRun(record("remote", status: .running, host: "there"), steps: ["a"])
        let c = cancellation(h, alive: true)
        #expect(try c.cancel("done", at: Date()) == .succeeded)
        #expect(try c.cancel("stopped", at: Date()) == .alreadyCancelled)
        #expect(try c.cancel("broken", at: Date()) == .recorded(from: .failed))
        #expect(try h.database.run("broken")?.status == .cancelled)
        // The heartbeat (time 1000) is fresh at time 1002, so the remote owner counts as alive.
        #expect(try c.cancel("remote", at: Date()) == .elsewhere(pid: 4242, host: "there"))
        #expect(throws: RunCancellation.UnknownRun.self) { try c.cancel("nope", at: Date()) }
    }

    @Test func theCompareAndSetRefusesARunThatMovedOn() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try interruptedRun(h)
        #expect(try h.database.cancelRun("r", from: .running, reason: "x", at: Date()))
        #expect(try !h.database.cancelRun("r", from: .running, reason: "x", at: Date()))
    }

    @Test func takenAtIsTheLatestStartOrResume() throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try h.database.createRun(record("r", status: .failed), steps: ["a"])
        #expect(try h.database.takenAt("r") == Date(timeIntervalSince1970: 1000))
        try h.database.resume("r", from: .failed, steps: ["a"], ownerPid: 1, ownerHost: "h", at: Date(timeIntervalSince1970: 2000))
        #expect(try h.database.takenAt("r") == Date(timeIntervalSince1970: 2000))
    }
}

/// The owner check against pid reuse, on real processes.
@Suite struct OwnerProcessTests {
    @Test func statFieldsAreReadAfterTheLastParenthesis() {
        let fields = (4...52).map(String.init).joined(separator: " ")
        let parsed = OwnerProcess.statFields("123 (a) (b c) S \(fields)")
        #expect(parsed?.state == "S")
        #expect(parsed?.startTicks == 22)
    }

    @Test func aChildProcessIsReadAndIsNotAFlowOwner() throws {
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
        defer { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() }
        let info = try #require(OwnerProcess.read(child.processIdentifier))
        #expect(info.command == "sleep")
        #expect(info.startedAt <= Date().addingTimeInterval(OwnerProcess.slack))
        #expect(!info.isOwner(takenAt: Date(), ownCommand: "flow"))
        // Named like us, it would pass only if it already existed when the run was taken.
        #expect(info.isOwner(takenAt: Date(), ownCommand: "sleep"))
        #expect(!info.isOwner(takenAt: Date().addingTimeInterval(-3600), ownCommand: "sleep"))
    }

    @Test func aMissingProcessReadsAsNil() {
        #expect(OwnerProcess.read(-1) == nil)
        #expect(OwnerProcess.read(Int32.max) == nil)
    }
}

/// Concurrency group locks: flock on a file under the state directory.
@Suite struct GroupLockTests {
    @Test func oneHolderAtATimeAndTheFileNamesIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try GroupLock(stateDirectory: dir.url.path, group: "deploy/prod")
        let second = try GroupLock(stateDirectory: dir.url.path, group: "deploy/prod")
        #expect(first.path.hasSuffix("/locks/deploy%2Fprod.lock"))
        #expect(try first.tryLock())
        #expect(try !second.tryLock())
        #expect(second.holder() == GroupLock.Holder(runID: nil, pid: getpid()))
        first.record(runID: "20261122-0200-7f3a")
        #expect(second.holder() == GroupLock.Holder(runID: "20261122-0200-7f3a", pid: getpid()))
        var info = stat()
        #expect(stat(first.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        first.release()
        // A child another test spawns at this moment holds a copy of every descriptor (the
        // lock's too) from its fork until its exec closes them, microseconds: try a few times.
        var taken = try second.tryLock()
        for _ in 0..<200 where !taken {
            usleep(1_000)
            taken = try second.tryLock()
        }
        #expect(taken)
        #expect(second.holder().runID == nil)
        let other = try GroupLock(stateDirectory: dir.url.path, group: "other")
        #expect(try other.tryLock())
    }

    @Test func theKernelDropsTheLockWhenTheHolderIsKilled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let lock = try GroupLock(stateDirectory: dir.url.path, group: "g")
        // A shell takes the lock on its own descriptor 9 (util-linux flock(1) locks it and exits),
        // says so, then waits for input, closing our end of which lets it end. Killed only once
        // it has said so: while flock(1) itself is still alive it holds the descriptor too, and
        // the lock would outlive the shell (under load that window was long enough to fail).
        let input = try ChildPipe(), output = try ChildPipe()
        let holder = try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec 9>>\"$0\" && flock 9 && echo locked && read x", lock.path],
                                      standardInput: .pipe(input), standardOutput: .pipe(output))
        defer { try? input.fileHandleForWriting.close() }
        let said = output.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: said, as: UTF8.self) == "locked\n")
        #expect(try GroupLock(stateDirectory: dir.url.path, group: "g").isHeldElsewhere())
        #expect(try !lock.tryLock())
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(try lock.tryLock())
    }

    @Test func longGroupNamesGetABoundedUniqueFileName() {
        let a = GroupLock.fileName(for: String(repeating: "x", count: 500))
        let b = GroupLock.fileName(for: String(repeating: "x", count: 499))
        #expect(a.count < 255 && b.count < 255 && a != b)
        #expect(GroupLock.fileName(for: "nightly") == "nightly.lock")
    }
}

extension GroupLock {
    /// Whether another process holds the group right now (takes and gives it back if free).
    func isHeldElsewhere() throws -> Bool {
        defer { release() }
        return try !tryLock()
    }
}

/// Pids passed to a terminate probe.
final class SignalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int32] = []
    func add(_ pid: Int32) { lock.withLock { items.append(pid) } }
    var pids: [Int32] { lock.withLock { items } }
}
