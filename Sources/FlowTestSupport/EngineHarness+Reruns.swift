import Foundation
import FlowCore
import FlowEngine

extension EngineHarness {
    /// Runs `yaml` (written to `p.yml` in the harness's folder) as `flow run` does: loaded,
    /// planned and created through ``RunLauncher`` with `registry`'s step types, and executed
    /// with rerun requests carried out between passes (``RunLauncher/executeWithReruns(_:_:text:database:gitBranch:onEvent:)``).
    /// A plain ``run(_:params:environment:registry:runner:clock:jitter:gracePeriod:gitSHA:whileRunning:)``
    /// refuses rerun requests, since nothing would carry them out. `params` are `--param` texts.
    /// `cancelAfter`, when given, runs once the run exists; the run is then cancelled, as Ctrl-C does.
    public func runWithReruns(_ yaml: String, params: [String] = [], registry: StepRegistry = .builtins,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              runner: any ProcessRunner = ProcessRunners.standard, clock: any EngineClock = RealClock(),
                              resources: StepResources = StepResources(),
                              cancelAfter: (@Sendable (String) async throws -> Void)? = nil) async throws -> Outcome {
        let file = try directory.write("p.yml", yaml).path
        let launcher = RunLauncher(source: PipelineSource(stepsDirectory: directory.file("steps").path, builtins: registry),
                                   stateDirectory: statePath, environment: environment, workingDirectory: directory.url.path,
                                   runner: runner, clock: clock, resources: resources)
        let request = RunLauncher.Request(file: file, params: params)
        let loaded: PipelineSource.Loaded
        do {
            loaded = try launcher.prepare(request)
        } catch {
            throw HarnessError(DiagnosticRenderer(color: false).text(error.diagnostics))
        }
        let events = EventLog()
        let coordinator = try launcher.create(loaded, request, database: database) { events.append($0) }
        let database = self.database
        let task = Task {
            await launcher.executeWithReruns(coordinator, loaded, text: loaded.source, database: database) { events.append($0) }
        }
        if let cancelAfter {
            try await cancelAfter(coordinator.runID)
            task.cancel()
        }
        let status = await task.value
        let steps = try database.steps(of: coordinator.runID)
        return Outcome(status: status, runID: coordinator.runID,
                       steps: Dictionary(uniqueKeysWithValues: steps.map { ($0.stepId, $0) }), events: events.all)
    }
}
