import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// The launcher under the commands: every outcome a value or a typed error, nothing printed.
@Suite struct RunLauncherTests {
    static func launcher(_ dir: TemporaryDirectory) -> RunLauncher {
        RunLauncher(source: PipelineSource(stepsDirectory: dir.file("steps").path, builtins: .builtins),
                    stateDirectory: dir.file("runs").path, environment: ProcessInfo.processInfo.environment,
                    workingDirectory: dir.url.path, runner: ProcessRunners.standard, clock: RealClock(), resources: StepResources())
    }

    @Test func badInputComesBackAsDiagnostics() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "name: p\nsteps:\n  a: { run: echo, needs: [b] }\n".write(to: dir.file("p.yml"), atomically: true, encoding: .utf8)
        let launcher = Self.launcher(dir)
        #expect(throws: DiagnosticList.self) { try launcher.prepare(.init(file: dir.file("p.yml").path)) }
        do {
            _ = try launcher.prepare(.init(file: dir.file("p.yml").path, params: ["oops"]))
        } catch {
            let rendered = DiagnosticRenderer(color: false).text(error.diagnostics)
            #expect(rendered.contains("step `a` needs `b`, which is not a step"))
            #expect(rendered.contains("`--param oops`"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs").path))
    }

    @Test func aNewRunIsPreparedCreatedAndExecuted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "name: p\nsteps:\n  a: { run: 'echo hi > out.txt' }\n  b: { run: echo, needs: a }\n".write(to: dir.file("p.yml"), atomically: true, encoding: .utf8)
        let launcher = Self.launcher(dir)
        let request = RunLauncher.Request(file: dir.file("p.yml").path, only: ["a"], trigger: .schedule(entry: "0 2 * * * UTC", scheduledAt: Date(timeIntervalSince1970: 1_800_000_000)))
        let loaded = try launcher.prepare(request)
        #expect(loaded.plan.steps.map(\.id) == ["a"])
        try FileManager.default.createDirectory(at: dir.file("runs"), withIntermediateDirectories: true)
        let database = try RunDatabase(path: dir.file("runs/flow.db").path)
        let coordinator = try launcher.create(loaded, request, database: database) { _ in }
        #expect(await RunLauncher.execute(coordinator) == .succeeded)
        let run = try #require(try database.run(coordinator.runID))
        #expect(run.trigger == .schedule(entry: "0 2 * * * UTC", scheduledAt: Date(timeIntervalSince1970: 1_800_000_000)) && run.status == .succeeded)
        #expect(try database.launches(of: run.id).map(\.trigger) == [run.trigger])
        #expect(try String(contentsOf: dir.file("out.txt"), encoding: .utf8) == "hi\n")
    }

    @Test func aForbiddenGroupIsATypedOutcome() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "name: p\nconcurrency: { group: nightly, policy: forbid }\nsteps:\n  a: { run: echo }\n".write(to: dir.file("p.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.file("runs"), withIntermediateDirectories: true)
        let database = try RunDatabase(path: dir.file("runs/flow.db").path)
        let launcher = Self.launcher(dir)
        let loaded = try launcher.prepare(.init(file: dir.file("p.yml").path))
        let holder = try GroupLock(stateDirectory: dir.file("runs").path, group: "nightly")
        #expect(try holder.tryLock())
        holder.record(runID: "R1")
        // A lock is per open file description: a second one in this process is refused like another process's.
        let outcome = try await launcher.enterGroup(of: loaded.plan, database: database, isCancelled: { false }) { _ in }
        guard case .forbidden(let who) = outcome else { Issue.record("entered a held group: \(outcome)"); return }
        #expect(who == "run R1 of concurrency group nightly")
        holder.release()
        guard case .entered(let lock?) = try await launcher.enterGroup(of: loaded.plan, database: database, isCancelled: { false }, notice: { _ in }) else {
            Issue.record("could not enter a free group"); return
        }
        lock.release()
    }
}
