import Foundation
import FlowCore

/// How a fire's run ended, as the launcher saw it.
public struct FireEnd: Sendable, Hashable {
    /// `succeeded`, `failed`, `cancelled` or `error` (no run: the reason says why).
    public var outcome: String
    public var reason: String?

    public init(outcome: String, reason: String? = nil) {
        self.outcome = outcome
        self.reason = reason
    }
}

/// Starts the run of one fire and waits for it to end. Cancelling the calling task stops the
/// run the way Ctrl-C would (it is cancelled and recorded), and still waits for its end.
public protocol FireLauncher: Sendable {
    func run(_ fire: FireRecord, rule: ScheduleRule) async -> FireEnd
}

/// `flow schedule`'s engine: looks at the pipelines folder, decides what is due through the
/// database (``RunDatabase/claimFires(_:now:by:limit:)``, where the unique key makes two daemons
/// fire a time once), starts a run per fire through its launcher, and records how each ended.
/// Time comes only from its clock, so tests drive a day of fires without sleeping.
public actor ScheduleDaemon {
    public enum Event: Sendable {
        case folder(ScheduleFolder.Change)
        /// A fire this daemon claimed and is starting.
        case firing(FireRecord, ScheduleRule)
        /// Times this daemon recorded as skipped or missed.
        case decided(FireRecord, ScheduleRule)
        case finished(FireRecord, ScheduleRule, FireEnd)
        /// The database could not be read or written; the daemon goes on and tries again.
        case stateProblem(String)
    }

    /// How often the folder is looked at for changes while nothing is due.
    public static let reloadInterval: Duration = .seconds(1)

    private var folder: ScheduleFolder
    private let database: RunDatabase
    private let clock: any EngineClock
    private let launcher: any FireLauncher
    private let identity: String
    private let onEvent: @Sendable (Event) -> Void
    /// Per entry (``ScheduleRule/id``): its next fire after the last claim (nil: it never fires
    /// again), so a look costs no database call until something is due, and the daemon knows
    /// how long it may sleep.
    private var nextDue: [String: Date?] = [:]
    private var running: [Int64: Task<Void, Never>] = [:]
    /// The entries in force at the last look, by id.
    private var known: [String: ScheduleRule] = [:]
    /// Set by ``stop()``: a fire claimed from here on is recorded cancelled, not started.
    private var stopping = false

    public init(folder: ScheduleFolder, database: RunDatabase, clock: any EngineClock, launcher: any FireLauncher,
                identity: String, onEvent: @escaping @Sendable (Event) -> Void) {
        self.folder = folder
        self.database = database
        self.clock = clock
        self.launcher = launcher
        self.identity = identity
        self.onEvent = onEvent
    }

    /// One look: reload what changed in the folder, claim what is due, start those runs.
    /// Returns the rows this daemon recorded.
    @discardableResult
    public func tick() -> [FireRecord] {
        for change in folder.refresh() { onEvent(.folder(change)) }
        let rules = folder.rules
        let current = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, gone) in known where current[id] == nil {
            nextDue[id] = nil
            try? database.forgetScheduleEntry(pipeline: gone.pipeline, entry: gone.key)
        }
        known = current
        let now = clock.now()
        var recorded: [FireRecord] = []
        for rule in rules {
            let id = rule.id
            if let next = nextDue[id] {
                guard let next, next <= now else { continue }
            }
            let claimed: [FireRecord]
            do {
                claimed = try database.claimFires(rule, now: now, by: identity)
            } catch {
                onEvent(.stateProblem("\(error)"))
                continue
            }
            nextDue[id] = .some(rule.timeline.next(after: now))
            for fire in claimed {
                recorded.append(fire)
                if fire.decision == CatchupDecision.Kind.fire.rawValue {
                    start(fire, rule)
                } else {
                    onEvent(.decided(fire, rule))
                }
            }
        }
        return recorded
    }

    private func start(_ fire: FireRecord, _ rule: ScheduleRule) {
        guard let seq = fire.seq else { return }
        if stopping {
            finished(fire, rule, FireEnd(outcome: "cancelled", reason: "the daemon was stopping"))
            return
        }
        onEvent(.firing(fire, rule))
        let launcher = launcher
        running[seq] = Task {
            let end = await launcher.run(fire, rule: rule)
            self.finished(fire, rule, end)
        }
    }

    private func finished(_ fire: FireRecord, _ rule: ScheduleRule, _ end: FireEnd) {
        guard let seq = fire.seq else { return }
        running[seq] = nil
        var recorded = fire
        do {
            try database.finishFire(seq, outcome: end.outcome, reason: end.reason, at: clock.now())
            recorded = try database.fire(seq) ?? fire
        } catch {
            onEvent(.stateProblem("\(error)"))
        }
        // What the row says wins: a run refused by `forbid` recorded itself as skipped.
        onEvent(.finished(recorded, rule, FireEnd(outcome: recorded.outcome ?? end.outcome, reason: recorded.reason ?? end.reason)))
    }

    /// Ticks until the calling task is cancelled, sleeping until the next fire or the next look
    /// at the folder, whichever comes first; then stops the runs it started (each is cancelled
    /// and recorded) and waits for them.
    public func run() async {
        while !Task.isCancelled {
            tick()
            let now = clock.now()
            var wait = Self.reloadInterval
            // The earliest next fire the last look computed (no timeline walked again here).
            if let next = nextDue.values.compactMap({ $0 }).min() {
                let until = Duration.milliseconds(Int64(max(0, next.timeIntervalSince(now)) * 1000))
                if until < wait { wait = until }
            }
            do { try await clock.sleep(for: wait) } catch { break }
        }
        await stop()
    }

    /// Cancels every run still going and waits for each to be recorded.
    public func stop() async {
        stopping = true
        let tasks = Array(running.values)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Waits for the runs started so far to end (`flow schedule --once`).
    public func waitForRuns() async {
        while let task = running.values.first {
            await task.value
        }
    }
}
