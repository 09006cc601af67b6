import Dispatch
import Foundation
import CFlowSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Checks whether our direct child has ended, without reaping it.
///
/// swift-subprocess reaps the child after its `run` body returns, so during the body the
/// ended child stays a zombie and its pid (also the pgid of its group) cannot be reused.
/// `waitid(..., WNOWAIT)` looks at that state without consuming it.
struct ChildProbe: Sendable {
    let pid: pid_t

    /// True once the child has exited or been killed (it is a zombie, or already reaped).
    func hasExited() -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                // Linux zeroes si_signo when no child is waitable under WNOHANG.
                return info.si_signo == SIGCHLD
            }
            if errno == EINTR { continue }
            // ECHILD: no longer our waitable child, i.e. it ended and was reaped.
            return true
        }
    }

    /// Returns once the child has ended, or at `deadline`; returns whether it ended.
    ///
    /// Without a deadline (the watcher that runs for the whole life of a step) the wait is an
    /// event: a pidfd, which becomes readable the moment the child exits, watched by a dispatch
    /// source. Polling there would add up to half its interval to every step's duration. With a
    /// deadline (teardown only), or on a kernel without pidfds (before 5.3), it polls.
    @discardableResult
    func waitForExit(deadline: ContinuousClock.Instant? = nil) async -> Bool {
        if deadline == nil, let exited = await waitForExitEvent() { return exited }
        return await Poll.until(deadline: deadline, maxInterval: .milliseconds(25)) { hasExited() }
    }

    /// The event-driven wait; nil when no pidfd can be had. Ends early if the task is cancelled.
    private func waitForExitEvent() async -> Bool? {
        let fd = flow_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        let signal = OneShot()
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: Self.queue)
        source.setEventHandler { source.cancel() }
        source.setCancelHandler {
            close(fd)
            signal.fire()
        }
        source.activate()
        let handle = CancelHandle(source: source)
        await withTaskCancellationHandler {
            await signal.wait()
        } onCancel: {
            handle.source.cancel()
        }
        return hasExited()
    }

    /// Where the pidfd sources deliver; their handlers only cancel and resume.
    private static let queue = DispatchQueue(label: "flow.child-exit")
}

/// A dispatch source, to cancel from the task's cancellation handler. `cancel()` is
/// thread-safe (libdispatch's contract), which is all that is called through it.
private struct CancelHandle: @unchecked Sendable {
    let source: any DispatchSourceRead
}

/// A signal that fires once and can be awaited by one task, before or after it fires.
final class OneShot: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var continuation: CheckedContinuation<Void, Never>?

    func fire() {
        lock.lock()
        fired = true
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if fired {
                lock.unlock()
                continuation.resume()
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
    }
}
