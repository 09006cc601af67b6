import Foundation
import FlowCore

/// What a step may know of its own run beyond its inputs: the recorded state of the run's steps
/// (read-only), the values the run's expressions read when this step started (`params`, `env`,
/// `run`, `steps`, …), and the remediation audit, which it may append to. Set by the engine for
/// every attempt; reached through ``StepContext/runView()``.
public struct RunView: Sendable {
    public let runID: String
    /// The expression contexts as the engine had them when it prepared this step; empty for a
    /// type that does not say it reads them (``StepType/readsRunValues``). Every step holding
    /// them would hold the run's `steps` object while it runs, and each step finishing meanwhile
    /// would then copy it: a cost per step that grew with the run (quadratic at 50,000 steps).
    public let values: [String: ExpressionValue]
    let database: RunDatabase
    let secrets: RunSecrets

    public init(runID: String, values: [String: ExpressionValue], database: RunDatabase, secrets: RunSecrets) {
        self.runID = runID
        self.values = values
        self.database = database
        self.secrets = secrets
    }

    /// The run's steps as recorded now, in plan order.
    public func steps() throws -> [StepRecord] { try database.steps(of: runID) }

    /// The newest attempt of `step`, if it has one.
    public func lastAttempt(of step: String) throws -> AttemptRecord? {
        try database.attempts(of: runID, step: step).max { $0.number < $1.number }
    }

    /// Appends a decision to the audit table, masked.
    @discardableResult
    public func recordAudit(_ record: AuditRecord) throws -> AuditRecord {
        try database.recordAudit(record, secrets: secrets)
    }

    /// This run's audit rows, oldest first.
    public func audits() throws -> [AuditRecord] { try database.audits(of: runID) }

    /// The key under which the engine hands it to a step.
    public enum Key: StepResourceKey {
        public typealias Value = RunView
    }
}

extension StepContext {
    /// This attempt's view of its run; a terminal error when the step was started outside a run.
    public func runView() throws -> RunView {
        guard let view = resources[RunView.Key.self] else {
            throw StepError("this step was started outside a run: it cannot read the run's steps", kind: .terminal)
        }
        return view
    }
}
