import FlowCore

/// What happens during a run, in order, for renderers (plain lines, JSON, the live view).
/// Every text in an event is already masked.
public enum RunEvent: Sendable, Hashable {
    case runStarted(runID: String, pipeline: String, steps: [String])
    case stepStarted(stepID: String, attempt: Int, logPath: String)
    case stepRetrying(stepID: String, attempt: Int, delay: DurationValue, error: String)
    case stepFinished(StepSummary)
    case runFinished(runID: String, status: RunStatus, seconds: Double)
    /// The engine could not record state (disk full, the database taken by another process):
    /// the run stops, since acting on unrecorded state would break resume.
    case runError(message: String)
    /// A pass of the run ended with rerun requests pending, and they are carried out now: the
    /// run starts another pass under the same id (``RerunRequest``).
    case runRerun(runID: String, RerunPass)
    /// Pending rerun requests that will not be carried out (the pass bound, a cancelled run), and why.
    case rerunRefused(runID: String, message: String)
}

/// How a step ended, for events and the end-of-run report.
public struct StepSummary: Sendable, Hashable {
    public var stepID: String
    public var status: StepStatus
    public var attempts: Int
    public var exitCode: Int32?
    /// Why it failed, was skipped or was cancelled.
    public var reason: String?
    public var seconds: Double
    public var logPath: String?
}

/// Receives run events; called from the coordinator, one event at a time.
public typealias RunEventHandler = @Sendable (RunEvent) -> Void
