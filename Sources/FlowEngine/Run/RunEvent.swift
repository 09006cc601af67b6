import FlowCore

/// What happens during a run, in order, for renderers (plain lines, JSON, the live view).
/// Every text in an event is already masked.
public enum RunEvent: Sendable, Hashable {
    /// `names`: the display names of the steps that have one (`name:`), by id.
    case runStarted(runID: String, pipeline: String, steps: [String], names: [String: String])
    /// `name`: the step's display name (`name:`), when it has one.
    case stepStarted(stepID: String, attempt: Int, logPath: String, name: String?)
    case stepRetrying(stepID: String, attempt: Int, delay: DurationValue, error: String)
    case stepFinished(StepSummary)
    /// `outputs`: the pipeline's `outputs:`, in declaration order (masked).
    case runFinished(runID: String, status: RunStatus, seconds: Double, outputs: [RunOutput])
    /// The engine could not record state (disk full, the database taken by another process):
    /// the run stops, since acting on unrecorded state would break resume.
    case runError(message: String)
    /// A pass of the run ended with rerun requests pending, and they are carried out now: the
    /// run starts another pass under the same id (``RerunRequest``).
    case runRerun(runID: String, RerunPass)
    /// Pending rerun requests that will not be carried out (the pass bound, a cancelled run), and why.
    case rerunRefused(runID: String, message: String)
}

/// One of the pipeline's `outputs:` as the run ended.
public struct RunOutput: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
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
    /// The step's display name (`name:`), when it has one.
    public var name: String? = nil
    /// A memoized step that reused an earlier success: that success's run.
    public var cachedFrom: String? = nil
}

/// Receives run events; called from the coordinator, one event at a time.
public typealias RunEventHandler = @Sendable (RunEvent) -> Void
