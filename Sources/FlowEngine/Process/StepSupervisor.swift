import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Something the supervisor reacts to while the child runs.
enum SupervisorEvent: Sendable {
    /// The output stream ended (EOF, or swift-subprocess stopped it because the child exited).
    case outputClosed
    /// The exit poller saw the child end.
    case exited
    /// `ProcessSpec.timeout` passed.
    case timedOut
    /// The task that called `run` was cancelled.
    case cancelled
}

/// What happened during supervision; the termination status comes from swift-subprocess,
/// which reaps the child after the supervision (its `run` body) returns.
struct SupervisionReport: Sendable, Hashable {
    var timedOut = false
    var cancelled = false
    var strayProcessesKilled = 0
}

/// Watches one running child: pumps its output, waits for it to end, a timeout or a
/// cancellation, stops its process group when needed, and sweeps escaped descendants.
///
/// Runs as the body of swift-subprocess's `run`, i.e. while the child is not yet reaped:
/// the child's pid, which is also its pgid, stays valid for every signal sent here.
struct StepSupervisor: Sendable {
    let plan: LaunchPlan
    let channel: OutputChannel
    let events: AsyncStream<SupervisorEvent>
    let sink: AsyncStream<SupervisorEvent>.Continuation

    func supervise(pid: pid_t, output: SubprocessOutputSequence) async -> SupervisionReport {
        let started = ContinuousClock.now
        let child = ChildProbe(pid: pid)
        let pump = OutputPump(child: child, channel: channel)
        let sink = self.sink
        return await withTaskGroup(of: Void.self, returning: SupervisionReport.self) { reader in
            // The pump is never cancelled: it ends by itself once the child is gone (see OutputPump).
            reader.addTask {
                await pump.pump(output)
                sink.yield(.outputClosed)
            }
            let report = await withTaskGroup(of: Void.self, returning: SupervisionReport.self) { watchers in
                watchers.addTask {
                    if await child.waitForExit(deadline: nil) { sink.yield(.exited) }
                }
                if let timeout = plan.timeout {
                    watchers.addTask {
                        do {
                            try await Task.sleep(for: timeout)
                            sink.yield(.timedOut)
                        } catch {
                            // Cancelled: the child ended first.
                        }
                    }
                }
                let report = await control(child: child, group: ProcessGroup(id: pid), started: started)
                watchers.cancelAll()
                return report
            }
            await reader.waitForAll()
            return report
        }
    }

    /// Waits for the first decisive event, stops the group if it was a timeout or a
    /// cancellation, then sweeps. Returns once the child has ended and the sweep is done.
    private func control(child: ChildProbe, group: ProcessGroup, started: ContinuousClock.Instant) async -> SupervisionReport {
        var report = SupervisionReport()
        var stop: SupervisorEvent? = nil
        waiting: for await event in events {
            switch event {
            case .exited:
                break waiting
            case .outputClosed:
                // EOF can come before exit (the child closed fds 1 and 2); keep waiting then.
                if child.hasExited() { break waiting }
            case .timedOut, .cancelled:
                // Ended on its own just now? Then it was neither timed out nor cancelled.
                if !child.hasExited() { stop = event }
                break waiting
            }
        }
        if let stop {
            report.timedOut = stop == .timedOut
            report.cancelled = stop == .cancelled
            await group.terminate(gracePeriod: plan.gracePeriod)
            // SIGKILL cannot be ignored; this only guards against a child stuck in D state.
            await child.waitForExit(deadline: .now + ProcessGroup.killSettleLimit)
        }
        report.strayProcessesKilled = await StraySweeper.sweepAfter(child.pid, marker: plan.marker, started: started)
        return report
    }
}
