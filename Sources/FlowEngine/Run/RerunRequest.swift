import Foundation
import FlowCore

/// What a step asks to run again once the run's current pass ends (`flow retry` semantics).
public struct RerunRequest: Sendable, Hashable, Codable {
    public var steps: [String]            // step ids (a matrix id names all its instances)
    public var params: [String: String]   // replaces these run params for the rerun (recorded)
    public var reason: String             // shown in the log, the events and `flow runs`

    public init(steps: [String], params: [String: String] = [:], reason: String) {
        self.steps = steps
        self.params = params
        self.reason = reason
    }

    /// At most this many passes per run: its first and up to four reruns asked for by steps,
    /// counted over the run's whole life (a resume does not reset it).
    public static let maxPasses = 5
}

extension StepContext {
    /// Records the request (committed before it returns); throws a terminal StepError for an
    /// unknown step or param. The rerun itself happens after this pass of the run ends.
    public func requestRerun(_ request: RerunRequest) throws {
        guard let reruns else {
            throw StepError("this run cannot re-run steps on request: it was not started by `flow run`, `flow resume` or `flow retry`",
                            kind: .terminal)
        }
        let summary = try reruns.record(request, stepID: stepID, attempt: attempt)
        log.note("rerun requested: \(summary)")
    }

    /// How many reruns this run has had so far that were requested by `by` (a step id).
    public func rerunCount(requestedBy: String) throws -> Int {
        guard let reruns else { return 0 }
        return try reruns.count(requestedBy: requestedBy)
    }
}
