import FlowEngine
import FlowSystem

extension StepContext {
    /// Asks a program a question (`git remote get-url`, `buildah inspect`) in the step's
    /// environment: its standard output when it exits 0, nil otherwise. Unlike
    /// ``StepContext/runProcess(_:_:environment:)`` the answer stays out of the step's log — it
    /// is how a step learns a fact, not work the step does; the step says what it needs to.
    public func ask(_ command: [String], timeout: Duration = .seconds(60)) async -> String? {
        let clock = self.clock
        guard let output = try? await ChildProcess.run(command, environment: environment, directory: workingDirectory, timeout: timeout,
                                                       sleep: { try await clock.sleep(for: $0) }),
              output.succeeded else { return nil }
        return output.standardOutputText
    }
}
