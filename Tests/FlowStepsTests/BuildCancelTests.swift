import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport
@testable import FlowSteps

/// Stopping a build in the middle of `RUN sleep 300`: the engine's whole process tree goes
/// (buildah's RUN children included) and no image carries the target's name.
@Suite(.serialized) struct BuildCancelTests {
    /// A context whose build sleeps in a RUN, with a sleep long enough to be unique to this test.
    func sleepingContext(_ dir: TemporaryDirectory) throws -> [String] {
        let seconds = "300.\(Int.random(in: 100_000...999_999))"
        try BuildTesting.context(dir, ["Dockerfile": "FROM \(BuildTesting.baseImage)\nRUN echo before-$(echo sleep) && sleep \(seconds)\n"])
        return ["sleep", seconds]
    }

    @Test func cancellingTheRunStopsTheBuildsWholeTreeAndTagsNothing() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        let sleep = try sleepingContext(h.directory)
        let plan = try h.plan("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image: { uses: build, with: { context: ctx, image: "\(image)" } }
            """)
        let options = RunOptions(stateDirectory: h.statePath, workingDirectory: h.directory.url.path,
                                 environment: ProcessInfo.processInfo.environment, source: "", gracePeriod: .seconds(2), heartbeatInterval: nil)
        let coordinator = try RunCoordinator(plan: plan, database: h.database, registry: .builtins, runner: ProcessRunners.standard,
                                             clock: RealClock(), options: options) { _ in }
        let task = Task { await coordinator.execute() }
        let started = try await BuildTesting.poll(seconds: 120) { !BuildTesting.processes(sleep).isEmpty }
        #expect(started, "the build never reached its RUN sleep")
        task.cancel()
        let status = await task.value
        #expect(status == .cancelled)
        #expect(BuildTesting.processes(sleep).isEmpty, "the RUN's sleep outlived the cancelled build")
        #expect(try !BuildTesting.imageNames().contains(image))
    }

    @Test func aTimeoutStopsTheBuildsWholeTreeAndTagsNothing() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        let sleep = try sleepingContext(h.directory)
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image: { uses: build, timeout: 20s, retry: { attempts: 1 }, with: { context: ctx, image: "\(image)" } }
            """, gracePeriod: .seconds(2), gitSHA: BuildTesting.gitSHA)
        let log = BuildTesting.log(h, outcome, "image")
        #expect(outcome.status == .failed)
        #expect(log.contains("\nbefore-sleep\n"), "\(log)")
        #expect(BuildTesting.error(h, outcome, "image").contains("timed out"), "\(BuildTesting.error(h, outcome, "image"))")
        #expect(BuildTesting.processes(sleep).isEmpty, "the RUN's sleep outlived the timed-out build")
        #expect(try !BuildTesting.imageNames().contains(image))
    }
}
