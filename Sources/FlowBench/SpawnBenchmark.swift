import ArgumentParser
import Foundation
import FlowEngine
import FlowTestSupport

/// `flow-bench spawn`: what running one short process costs through flow's process runners
/// (session, pipe, exit event, teardown, stray sweep) against a bare `posix_spawn` + `waitpid`
/// of the same command, one at a time, so the difference is each runner's own cost.
struct SpawnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spawn",
        abstract: "µs per process: flow's SpawnRunner and SubprocessRunner against a bare posix_spawn, one `true` at a time.")

    @Option(help: "Processes per measurement.") var count = 500
    @Option(help: "Measurements (median reported).") var repetitions = 5

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let spec = ProcessSpec(executable: "/bin/true", arguments: [], environment: environment,
                               workingDirectory: FileManager.default.currentDirectoryPath, marker: "flow-bench/spawn/1",
                               timeout: nil, gracePeriod: .seconds(1))
        let runners: [(String, any ProcessRunner)] = [("SpawnRunner", SpawnRunner()), ("SubprocessRunner", SubprocessRunner())]
        var runnerTimes = [[Double]](repeating: [], count: runners.count)
        var bareTimes: [Double] = []
        // Interleaved rounds, so that a disturbance hits every contender alike.
        for _ in 0..<(repetitions + 1) {
            for (index, (_, runner)) in runners.enumerated() {
                let start = ContinuousClock.now
                for _ in 0..<count { _ = try await runner.run(spec) { _ in } }
                runnerTimes[index].append((ContinuousClock.now - start).inSeconds * 1e6 / Double(count))
            }
            let bareStart = ContinuousClock.now
            for _ in 0..<count { Self.bareSpawn() }
            bareTimes.append((ContinuousClock.now - bareStart).inSeconds * 1e6 / Double(count))
        }
        // The first round warms up.
        let bare = Self.median(Array(bareTimes.dropFirst()))
        print(String(format: "posix_spawn + waitpid: %.0f µs per process", bare))
        for (index, (name, _)) in runners.enumerated() {
            let viaRunner = Self.median(Array(runnerTimes[index].dropFirst()))
            print(String(format: "%@: %.0f µs per process; its own cost: %.0f µs", name, viaRunner, viaRunner - bare))
        }
    }

    static func bareSpawn() {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { return }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
