import Foundation

/// The one path from a decision to the world: a batch of state changes is committed in one
/// transaction, and only then are its events emitted. Batches go through one at a time, from
/// the coordinator and from steps' tasks alike, so events reach the handler one at a time and
/// in the order their state was committed. A commit that fails throws, and its events are
/// not emitted: nothing may act on, or report, a state the database does not hold.
final class RunRecorder: @unchecked Sendable {
    let database: RunDatabase
    let runID: String
    private let onEvent: RunEventHandler
    private let lock = NSLock()

    init(database: RunDatabase, runID: String, onEvent: @escaping RunEventHandler) {
        self.database = database
        self.runID = runID
        self.onEvent = onEvent
    }

    /// Commits `batch`, then emits its events.
    func record(_ batch: Decisions) throws {
        try lock.withLock {
            if !batch.transitions.isEmpty || !batch.attempts.isEmpty || !batch.expansions.isEmpty || !batch.labels.isEmpty
                || !batch.cacheEntries.isEmpty || batch.runEnd != nil {
                try database.apply(runId: runID, batch.transitions, attempts: batch.attempts, expansions: batch.expansions, labels: batch.labels,
                                   cacheEntries: batch.cacheEntries, runEnd: batch.runEnd)
            }
            batch.events.forEach(onEvent)
        }
    }

    /// Emits an event that changes no state (the run started, a step's attempt began).
    func emit(_ event: RunEvent) {
        lock.withLock { onEvent(event) }
    }
}

/// State changes decided together and the events that report them once committed.
struct Decisions: Sendable {
    var transitions: [RunDatabase.Transition] = []
    var attempts: [AttemptRecord] = []
    /// Runtime matrices reached: their instances' rows, written before the transitions.
    var expansions: [RunDatabase.Expansion] = []
    /// Names rendered once a sub-pipeline was entered (they read its params).
    var labels: [String: StepLabel] = [:]
    /// Memoized steps' successes, recorded with them (``CacheEntryRecord``).
    var cacheEntries: [CacheEntryRecord] = []
    var events: [RunEvent] = []
    /// The run's end, recorded after the rest (``RunDatabase/RunEnd``).
    var runEnd: RunDatabase.RunEnd?

    var isEmpty: Bool {
        transitions.isEmpty && attempts.isEmpty && events.isEmpty && expansions.isEmpty && labels.isEmpty && cacheEntries.isEmpty
            && runEnd == nil
    }
}
