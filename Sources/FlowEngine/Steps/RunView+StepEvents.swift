import Foundation

extension RunView {
    /// Records an event of `step` in the run's event log (its values masked), committed when this
    /// returns: what a step must find again if the process dies (a remote build it started).
    public func recordStepEvent(_ step: String, kind: String, data: [String: String], at: Date) throws {
        try database.appendStepEvent(runId: runID, stepId: step, kind: kind, data: data.mapValues { secrets.mask($0) }, at: at)
    }

    /// The events `step` recorded whose kind starts with `kindPrefix`, across its attempts and the
    /// run's resumes, oldest first, each as its kind and its data.
    public func stepEvents(_ step: String, kindPrefix: String) throws -> [(kind: String, data: [String: String])] {
        try database.stepEvents(runId: runID, stepId: step, kindPrefix: kindPrefix).map { record in
            let data = record.data.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            return (record.kind.rawValue, data)
        }
    }
}
