/// What the status functions `success()`, `failure()` and `cancelled()` read.
public struct StatusContext: Hashable, Sendable {
    /// Whether a step this one depends on (directly or not) failed.
    public var anyUpstreamFailed: Bool
    /// Whether the run is being cancelled.
    public var cancelled: Bool
    /// Whether a step this one needs directly was skipped (GitHub Actions skips its dependents by default).
    public var anyUpstreamSkipped: Bool

    public init(anyUpstreamFailed: Bool = false, cancelled: Bool = false, anyUpstreamSkipped: Bool = false) {
        self.anyUpstreamFailed = anyUpstreamFailed
        self.cancelled = cancelled
        self.anyUpstreamSkipped = anyUpstreamSkipped
    }
}

/// Everything an expression can read: the top-level contexts by name and the run's status.
public struct EvaluationContext: Sendable {
    /// Top-level contexts by name: "params", "env", "steps", "run", "pipeline", "git", "matrix".
    /// A name that is not here evaluates to `null`.
    public var values: [String: ExpressionValue]
    public var status: StatusContext

    public init(values: [String: ExpressionValue] = [:], status: StatusContext = StatusContext()) {
        self.values = values
        self.status = status
    }
}
