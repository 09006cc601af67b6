import Foundation
import FlowCore
import FlowEngine
import FlowSteps

/// The commands' side of ``RunLauncher``: the launcher for this process (its environment,
/// working directory, the built-in step types, the real runner and clock), and how its
/// outcomes are printed and mapped to exit codes.
enum Launching {
    static func source(stepsDirectory: String) -> PipelineSource {
        PipelineSource(stepsDirectory: stepsDirectory, builtins: BuiltinSteps.registry)
    }

    static func launcher(stepsDirectory: String, stateDirectory: String) -> RunLauncher {
        let environment = ProcessInfo.processInfo.environment
        let clock = SystemClock()
        return RunLauncher(source: source(stepsDirectory: stepsDirectory), stateDirectory: stateDirectory, environment: environment,
                           workingDirectory: FileManager.default.currentDirectoryPath, runner: ProcessRunners.standard, clock: clock,
                           resources: .standard(environment: environment, clock: clock))
    }

    /// Prints diagnostics to standard error, coloured on a terminal.
    static func report(_ diagnostics: [Diagnostic]) {
        Terminal.standardError.write(DiagnosticRenderer(color: Terminal.standardError.wantsColor).text(diagnostics))
    }

    /// Runs `body`; bad input it throws (diagnostics, a refused takeover) is printed and exits 2.
    static func badInputExits<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let list as DiagnosticList {
            report(list.diagnostics)
            throw CommandExit(status: .invalidInput)
        } catch let refused as RunLauncher.TakeoverRefused {
            throw CLIError(refused.description)
        }
    }

    /// Enters the plan's concurrency group, saying what it waits for; `forbid` exits 1 and a
    /// cancellation while waiting exits 130, both creating nothing. A schedule's fire refused by
    /// `forbid` is recorded as skipped, with the run that holds the group.
    static func enterGroup(_ launcher: RunLauncher, _ plan: RunPlan, database: RunDatabase, signals: CommandSignals,
                           trigger: RunTrigger? = nil) async throws -> GroupLock? {
        let outcome: ConcurrencyEntry.Outcome
        do {
            outcome = try await launcher.enterGroup(of: plan, database: database, isCancelled: { signals.isCancelled }) { notice in
                switch notice {
                case .waiting(let holder):
                    Terminal.standardError.write("waiting for \(holder) to finish (policy queue)\n")
                case .replacing(let run, let group):
                    Terminal.standardError.write("replacing run \(run) of concurrency group \(group) (policy replace): cancelling it\n")
                case .cannotCancel(let run, let reason):
                    Terminal.standardError.write("flow: cannot cancel run \(run): \(reason); waiting for it instead\n")
                }
            }
        } catch let error as GroupLock.LockError {
            throw CLIError("\(error)")
        }
        switch outcome {
        case .entered(let lock):
            return lock
        case .forbidden(let holder):
            Terminal.standardError.write("flow: \(holder) is still running (policy forbid)\n")
            if let trigger {
                try? database.refuseFire(pipeline: plan.pipelineName, trigger: trigger,
                                         reason: "\(holder) was still running (policy forbid)", at: launcher.clock.now())
            }
            throw CommandExit(status: .failure)
        case .cancelled(let group):
            Terminal.standardError.write("cancelled while waiting for concurrency group \(group); no run was started\n")
            throw CommandExit(status: .cancelled)
        }
    }
}
