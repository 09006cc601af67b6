import Foundation
import Testing
import FlowCore
@testable import FlowEngine
import FlowTestSupport

/// The database's compare-and-set rules, tested directly: every change of a step's or a run's
/// status names the status it expects, so of two processes that both try to start a step, or
/// take over a run, exactly one wins and the other is refused with nothing written. Each
/// "process" here is its own connection to the same SQLite file, as two `flow` processes are.
@Suite struct CompareAndSetTests {
    func run(_ id: String, status: RunStatus = .running) -> RunRecord {
        RunRecord(id: id, pipeline: "p", file: "p.yml", source: "", sourceDigest: "", params: "{}", profile: nil, trigger: .manual,
                  gitSha: nil, secretNames: [], status: status, createdAt: Date(timeIntervalSince1970: 1000), finishedAt: nil,
                  ownerPid: 1, ownerHost: "here", heartbeatAt: Date(timeIntervalSince1970: 1000), resumeCount: 0)
    }

    func start(_ step: String, attempt: Int = 1) -> RunDatabase.Transition {
        .init(stepId: step, from: .pending, to: .running, at: Date(timeIntervalSince1970: 1001), attempts: attempt)
    }

    /// Runs `body` on `count` threads at once (released together), returning how many succeeded.
    func race(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> (won: Int, refused: [any Error]) {
        let tally = Tally()
        let gate = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for n in 0..<count {
            DispatchQueue.global().async(group: group) {
                gate.wait()
                do {
                    try body(n)
                    tally.add(nil)
                } catch {
                    tally.add(error)
                }
            }
        }
        for _ in 0..<count { gate.signal() }
        group.wait()
        return tally.result
    }

    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var won = 0
        private var refused: [any Error] = []
        func add(_ error: (any Error)?) {
            lock.withLock { if let error { refused.append(error) } else { won += 1 } }
        }
        var result: (won: Int, refused: [any Error]) { lock.withLock { (won, refused) } }
    }

    @Test func ofManyConnectionsStartingOneStepExactlyOneWins() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("flow.db").path
        let first = try RunDatabase(path: path)
        try first.createRun(run("r"), steps: ["a"])
        let connections = try (0..<6).map { _ in try RunDatabase(path: path) }
        let result = race(connections.count) { n in
            try connections[n].apply(runId: "r", [self.start("a")],
                                     attempts: [AttemptRecord(runId: "r", stepId: "a", number: 1, status: .running,
                                                              startedAt: Date(timeIntervalSince1970: 1001), logPath: "/dev/null")])
        }
        #expect(result.won == 1)
        #expect(result.refused.count == 5)
        #expect(result.refused.allSatisfy { $0 is RunDatabase.TransitionRefused })
        #expect(try first.steps(of: "r").map(\.status) == [.running])
        #expect(try first.attempts(of: "r").count == 1)
        // One `step-running` event, from the winner.
        #expect(try first.events(of: "r").filter { $0.kind == .stepStarted }.count == 1)
    }

    @Test func aRefusedTransitionInABatchWritesNothingOfTheBatch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try RunDatabase(path: dir.file("flow.db").path)
        try db.createRun(run("r"), steps: ["a", "b"])
        try db.apply(runId: "r", [start("b")])
        #expect(throws: RunDatabase.TransitionRefused.self) {
            try db.apply(runId: "r", [self.start("a"), self.start("b")],
                         attempts: [AttemptRecord(runId: "r", stepId: "a", number: 1, status: .running,
                                                  startedAt: Date(timeIntervalSince1970: 1001), logPath: "/dev/null")])
        }
        #expect(try db.steps(of: "r").map(\.status) == [.pending, .running])
        #expect(try db.attempts(of: "r").isEmpty)
    }

    @Test func aStepEndsOnlyFromRunningAndOnlyOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try RunDatabase(path: dir.file("flow.db").path)
        try db.createRun(run("r"), steps: ["a"])
        let end = RunDatabase.Transition(stepId: "a", from: .running, to: .succeeded, at: Date(timeIntervalSince1970: 1002), outputs: ["k": "v"])
        #expect(throws: RunDatabase.TransitionRefused.self) { try db.apply(runId: "r", [end]) }
        try db.apply(runId: "r", [start("a")])
        try db.apply(runId: "r", [end])
        var again = end
        again.outputs = ["k": "other"]
        #expect(throws: RunDatabase.TransitionRefused.self) { try db.apply(runId: "r", [again]) }
        #expect(try db.steps(of: "r").first?.outputValues == ["k": "v"])
    }

    @Test func ofManyProcessesTakingOverAFailedRunExactlyOneWins() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("flow.db").path
        let first = try RunDatabase(path: path)
        try first.createRun(run("r", status: .failed), steps: ["a"])
        let connections = try (0..<6).map { _ in try RunDatabase(path: path) }
        let result = race(connections.count) { n in
            try connections[n].resume("r", from: .failed, steps: ["a"], ownerPid: Int32(100 + n), ownerHost: "here",
                                      at: Date(timeIntervalSince1970: 2000))
        }
        #expect(result.won == 1)
        #expect(result.refused.allSatisfy { $0 is RunDatabase.ResumeRefused })
        let record = try #require(try first.run("r"))
        #expect(record.status == .running && record.resumeCount == 1)
        #expect(try first.events(of: "r").filter { $0.kind == .runResumed }.count == 1)
    }

    @Test func aRunEndsOnlyFromTheStatusItWasIn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("flow.db").path
        let db = try RunDatabase(path: path)
        try db.createRun(run("r"), steps: ["a"])
        let other = try RunDatabase(path: path)
        // The owner records its end; a second process, believing the owner dead, marks it
        // interrupted: only one of the two can hold, whichever comes first.
        #expect(try db.finishRun("r", to: .succeeded, at: Date(timeIntervalSince1970: 1003)))
        #expect(try !other.markInterrupted("r", at: Date(timeIntervalSince1970: 1004)))
        #expect(try db.run("r")?.status == .succeeded)
        #expect(try db.events(of: "r").map(\.kind.rawValue).filter { $0.hasPrefix("run-") } == ["run-started", "run-finished"])
    }
}
