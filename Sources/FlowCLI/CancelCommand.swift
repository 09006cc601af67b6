import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow cancel RUN`: stop a run from another terminal, or record an abandoned one as cancelled.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run: stop it if it is running, or record it as cancelled.",
        discussion: """
            A run whose flow process is alive on this host is sent SIGTERM, exactly as Ctrl-C would stop it: \
            its steps are stopped (SIGTERM, grace period, SIGKILL of their process groups) and recorded \
            cancelled; this command waits for that and prints the outcome. A run whose flow process is gone \
            (interrupted), or that failed, is recorded as cancelled here and any step processes it left \
            behind are stopped. Cancelled runs can still be resumed. \
            Steps whose `if` calls always() or cancelled() still run to their end in a cancelled run, as \
            GitHub Actions and Argo's exit handlers do; --force (SIGUSR1) stops those too, as a second \
            Ctrl-C does.
            Exit codes: 0 the run is cancelled (now or already), 1 it could not be (it succeeded, it runs on \
            another host, or it did not stop in time), 2 unknown run.
            """)

    @Argument(help: "The run id.") var runID: String
    @Option(help: ArgumentHelp("How long to wait for a running run to stop, in seconds (0: send the signal and return).", valueName: "seconds"))
    var wait = 15
    @Flag(help: "Stop the run's cleanup steps (`if: always()` or `cancelled()`) too, as a second Ctrl-C does.")
    var force = false
    @OptionGroup var state: StateOptions

    func validate() throws {
        if wait < 0 { throw ValidationError("--wait cannot be negative") }
    }

    func run() async throws {
        let database = try state.database()
        let run = try state.run(runID, in: database)
        let cancellation = RunCancellation.local(database, now: Date(), force: force)
        let signalName = force ? "SIGUSR1" : "SIGTERM"
        let outcome: RunCancellation.Outcome
        do { outcome = try cancellation.cancel(run.id, at: Date()) } catch { throw CLIError("\(error)") }
        switch outcome {
        case .signalled(let pid) where wait == 0:
            print("run \(run.id): cancellation requested (sent \(signalName) to flow, pid \(pid))")
        case .signalled(let pid):
            Terminal.standardError.write("cancelling run \(run.id): sent \(signalName) to flow (pid \(pid)); waiting for its steps to stop\n")
            try await waitForEnd(run.id, pid: pid, database: database)
        case .recorded(let from):
            let stopped = await LeftoverProcesses.stop(runID: run.id, grace: .seconds(5))
            ScratchDirectory.removeLeftovers(of: run.id)
            print("run \(run.id) cancelled (it was \(from.rawValue))" + (stopped > 0 ? "; stopped \(stopped) leftover step process\(stopped == 1 ? "" : "es")" : ""))
        case .alreadyCancelled:
            print("run \(run.id) is already cancelled")
        case .succeeded:
            Terminal.standardError.write("flow: run \(run.id) already succeeded; there is nothing to cancel\n")
            throw CommandExit(status: .failure)
        case .elsewhere(let pid, let host):
            Terminal.standardError.write("flow: run \(run.id) is running on host \(host ?? "?") (pid \(pid.map(String.init) ?? "?")); cancel it there\n")
            throw CommandExit(status: .failure)
        }
    }

    /// Polls the run's recorded status (the owner commits `cancelled` once its steps have stopped)
    /// until it is no longer running, for at most `wait` seconds. An owner that vanished without
    /// recording anything is recorded here.
    func waitForEnd(_ id: String, pid: Int32, database: RunDatabase) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(wait))
        while true {
            guard let now = try database.run(id) else { throw CLIError("run \(id) disappeared") }
            if now.status != .running {
                if now.status == .cancelled {
                    print("run \(id) cancelled")
                    return
                }
                Terminal.standardError.write("flow: run \(id) finished as \(now.status.rawValue) before it could be cancelled\n")
                throw CommandExit(status: .failure)
            }
            if RunOwnership.local(now: Date()).verdict(for: now) == .ownerGone {
                // The owner died without recording its end (killed hard in the meantime).
                _ = try? RunCancellation.local(database, now: Date()).cancel(id, at: Date())
                continue
            }
            guard ContinuousClock.now < deadline else {
                Terminal.standardError.write("flow: run \(id) is still stopping after \(wait)s (pid \(pid)); `flow status \(id)` shows when it has\n")
                throw CommandExit(status: .failure)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
