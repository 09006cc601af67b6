import GRDB

/// The names of what happens in a run: one vocabulary for the append-only `events` table and for
/// the renderers (the `event` of every `--json` line, ``RunEvent/kind``). A happening that is
/// both recorded and shown has one name in both (`step-started`, `step-finished`,
/// `run-finished`: what state it ended in is the event's `status`, not its name).
///
/// | kind | recorded | emitted | what |
/// | --- | --- | --- | --- |
/// | `run-started` | ✓ | ✓ | a run was created |
/// | `run-resumed`, `run-retried` | ✓ | | a run was taken over by `flow resume` / `flow retry` (with the steps run again) |
/// | `step-started` | ✓ | ✓ | a step's attempt started (`attempt`) |
/// | `step-retrying` | | ✓ | an attempt failed and the next waits (`attempt`, `delayMs`, `error`) |
/// | `step-finished` | ✓ | ✓ | a step ended (`status`: succeeded, failed, skipped, cancelled; `reason`, `error`, `cachedFrom`) |
/// | `matrix-expanded` | ✓ | | a runtime matrix made its instances |
/// | `cancel-requested` | ✓ | | `flow cancel` asked a run to stop |
/// | `rerun-requested`, `rerun-refused`, `rerun-dropped` | ✓ | `rerun-refused` | a step asked for a rerun; a request not carried out, and why |
/// | `run-rerun` | ✓ | ✓ | the run starts another pass for its rerun requests |
/// | `run-error` | | ✓ | state could not be recorded |
/// | `run-finished` | ✓ | ✓ | the run ended (`status`) |
///
/// A step type may record kinds of its own, named after it (`codebuild-started`,
/// ``RunDatabase/appendStepEvent(runId:stepId:kind:data:at:)``).
public struct RunEventKind: RawRepresentable, Hashable, Sendable, Codable, DatabaseValueConvertible, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }

    public static let runStarted = RunEventKind("run-started")
    public static let runResumed = RunEventKind("run-resumed")
    public static let runRetried = RunEventKind("run-retried")
    public static let stepStarted = RunEventKind("step-started")
    public static let stepRetrying = RunEventKind("step-retrying")
    public static let stepFinished = RunEventKind("step-finished")
    public static let matrixExpanded = RunEventKind("matrix-expanded")
    public static let cancelRequested = RunEventKind("cancel-requested")
    public static let rerunRequested = RunEventKind("rerun-requested")
    public static let rerunRefused = RunEventKind("rerun-refused")
    public static let rerunDropped = RunEventKind("rerun-dropped")
    public static let runRerun = RunEventKind("run-rerun")
    public static let runError = RunEventKind("run-error")
    public static let runFinished = RunEventKind("run-finished")

    /// What a step's change of status is called: a start (a new attempt too) or an end.
    static func step(to status: StepStatus) -> RunEventKind {
        status == .running ? .stepStarted : .stepFinished
    }

    public var description: String { rawValue }

    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> RunEventKind? {
        String.fromDatabaseValue(value).map(RunEventKind.init(rawValue:))
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension RunEvent {
    /// This event's name in the one vocabulary (``RunEventKind``).
    public var kind: RunEventKind {
        switch self {
        case .runStarted: .runStarted
        case .stepStarted: .stepStarted
        case .stepRetrying: .stepRetrying
        case .stepFinished: .stepFinished
        case .runFinished: .runFinished
        case .runError: .runError
        case .runRerun: .runRerun
        case .rerunRefused: .rerunRefused
        }
    }
}
