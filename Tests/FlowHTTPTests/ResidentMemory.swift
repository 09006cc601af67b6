import Foundation
import FlowTestSupport
import Synchronization

/// This process's resident memory while something runs: `VmRSS` from /proc/self/status before
/// and after, and the peak, both sampled every millisecond on a thread of its own and read as
/// `VmHWM` (the kernel's high-water mark, reset at the start through /proc/self/clear_refs).
final class ResidentMemory: Sendable {
    struct Report: CustomStringConvertible {
        var before: Int
        var after: Int
        var peak: Int
        /// How far above `before` the peak went.
        var growth: Int { max(peak, after) - before }
        var description: String {
            "resident memory \(before >> 10) KiB before, \(after >> 10) KiB after, \(peak >> 10) KiB at the peak (+\(growth >> 10) KiB)"
        }
    }

    private struct State {
        var peak = 0
        var running = true
    }

    private let state = Mutex(State())
    private let stopped = DispatchSemaphore(value: 0)
    private let before: Int

    /// Starts watching.
    init() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        before = Self.read("VmRSS")
        state.withLock { $0.peak = before }
        let thread = Thread { [self] in
            while state.withLock({ $0.running }) {
                let now = Self.read("VmRSS")
                state.withLock { $0.peak = max($0.peak, now) }
                usleep(1000)
            }
            stopped.signal()
        }
        thread.name = "rss-watch"
        thread.start()
    }

    /// Stops watching.
    func stop() -> Report {
        state.withLock { $0.running = false }
        stopped.wait()
        let sampled = state.withLock { $0.peak }
        return Report(before: before, after: Self.read("VmRSS"), peak: max(sampled, Self.read("VmHWM")))
    }

    /// A `kB` field of /proc/self/status, in bytes.
    static func read(_ field: String) -> Int { processStatusKiB(field) << 10 }
}
