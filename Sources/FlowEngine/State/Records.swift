import Foundation
import GRDB
import FlowCore

/// The status of a run as stored. `interrupted` is derived on read for a `running` run whose
/// owner is gone; it is stored only once something (resume, status) notices.
public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case running, succeeded, failed, cancelled, interrupted
    public var isFinished: Bool { self != .running }
}

/// The status of one step instance of a run.
public enum StepStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case pending, running, succeeded, failed, skipped, cancelled
    public var isFinished: Bool { self != .pending && self != .running }
}

/// One row of `runs`.
public struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "runs"
    public var id: String
    public var pipeline: String
    public var file: String
    /// The pipeline file's text when the run started, with the secret values known then masked;
    /// resume uses it unless told to reload (or, when masking changed it, the file itself while
    /// its digest is still `sourceDigest`).
    public var source: String
    /// The digest of the file's text as read, before masking.
    public var sourceDigest: String
    /// Parameter values as a JSON object; secret params are left out (`secretNames` names them).
    public var params: String
    public var profile: String?
    /// The kind of the trigger that created the run (column `trigger`); ``trigger`` is the typed value.
    public var triggerKind: String
    /// The schedule entry's key, for a run a schedule fired.
    public var triggerEntry: String?
    /// The scheduled instant, for a run a schedule fired.
    public var triggerScheduledAt: Date?
    /// The CodeBuild build id, for a run started inside CodeBuild.
    public var triggerBuildId: String?
    public var gitSha: String?
    /// Names (never values) of the secrets masked in this run: the `secrets:` names, then
    /// `params.NAME` for each secret param (a JSON list in its column, as every typed list here).
    public var secretNames: [String]
    public var status: RunStatus
    public var createdAt: Date
    public var finishedAt: Date?
    public var ownerPid: Int32?
    public var ownerHost: String?
    public var heartbeatAt: Date?
    public var resumeCount: Int
    /// The step names of `flow run --only`; `nil` when the whole pipeline runs. Resume and retry
    /// narrow the plan the same way.
    public var selection: [String]?
    /// The `--image NAME=IMAGE` overrides the run was started with, in order; resume applies
    /// them again over the pipeline's and profile's map.
    public var images: [NamedValue]?
    /// The pipeline's `outputs:` when the run ended, in declaration order (masked).
    public var outputs: [NamedValue]? = nil

    public init(id: String, pipeline: String, file: String, source: String, sourceDigest: String, params: String,
                profile: String?, trigger: RunTrigger, gitSha: String?, secretNames: [String], status: RunStatus, createdAt: Date,
                finishedAt: Date? = nil, ownerPid: Int32?, ownerHost: String?, heartbeatAt: Date?, resumeCount: Int,
                selection: [String]? = nil, images: [NamedValue]? = nil) {
        self.images = images
        self.id = id
        self.pipeline = pipeline
        self.file = file
        self.source = source
        self.sourceDigest = sourceDigest
        self.params = params
        self.profile = profile
        self.triggerKind = trigger.kind
        self.triggerEntry = trigger.scheduleEntry
        self.triggerScheduledAt = trigger.scheduledAt
        self.triggerBuildId = trigger.buildID
        self.gitSha = gitSha
        self.secretNames = secretNames
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.ownerPid = ownerPid
        self.ownerHost = ownerHost
        self.heartbeatAt = heartbeatAt
        self.resumeCount = resumeCount
        self.selection = selection
    }

    /// The `--image` overrides this run was started with.
    public var imageOverrides: [(name: String, value: String)] { (images ?? []).map { ($0.name, $0.value) } }

    /// What created the run.
    public var trigger: RunTrigger {
        RunTrigger(kind: triggerKind, entry: triggerEntry, scheduledAt: triggerScheduledAt, buildID: triggerBuildId)
    }

    private enum CodingKeys: String, CodingKey {
        case id, pipeline, file, source, sourceDigest, params, profile
        case triggerKind = "trigger"
        case triggerEntry, triggerScheduledAt, triggerBuildId, gitSha, secretNames, status, createdAt, finishedAt
        case ownerPid, ownerHost, heartbeatAt, resumeCount, selection, images, outputs
    }

    /// The `--only` names this run was narrowed to, if any.
    public var selectedSteps: [String]? { selection }
}

/// One row of `steps`: a step instance of a run and its latest state.
public struct StepRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "steps"
    public var runId: String
    public var stepId: String
    /// The step's place in the plan's order.
    public var position: Int
    public var status: StepStatus
    public var attempts: Int
    /// Outputs by name (masked).
    public var outputs: [String: String]?
    public var exitCode: Int32?
    public var error: String?
    /// Why it was skipped or cancelled, in words.
    public var reason: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The step's `name:` (rendered, masked); nil shows the id.
    public var name: String? = nil
    public var description: String? = nil
    /// On a runtime matrix's gate: its combinations, in order.
    public var matrix: [MatrixCombination]? = nil
    /// A memoized step that reused an earlier success: that success's run (its outputs are this row's).
    public var cachedFrom: String? = nil

    public var outputValues: [String: String] { outputs ?? [:] }
}

/// One row of `attempts`: one try of a step.
public struct AttemptRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "attempts"
    public var runId: String
    public var stepId: String
    public var number: Int
    public var status: StepStatus
    public var exitCode: Int32?
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var logPath: String
}

/// One row of the append-only `events` log.
public struct EventRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "events"
    public var seq: Int64?
    public var runId: String
    public var at: Date
    /// What happened, in the vocabulary the renderers share (``RunEventKind``).
    public var kind: RunEventKind
    public var stepId: String?
    /// Event details as a JSON object (masked).
    public var data: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}

/// One row of `artifacts`: a file a step kept (a SARIF report, a JUnit file, a patch), stored
/// under the run's folder, masked like logs.
public struct ArtifactRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord, StoredDates {
    public static let databaseTableName = "artifacts"
    public var runId: String
    public var stepId: String
    public var attempt: Int
    public var name: String
    /// What it is: `sarif`, `junit`, `patch`, `json`, `text`, … (the step type says).
    public var kind: String
    /// Absolute path of the stored file.
    public var path: String
    public var size: Int
    public var sha256: String
    public var createdAt: Date

    public init(runId: String, stepId: String, attempt: Int, name: String, kind: String, path: String, size: Int, sha256: String, createdAt: Date) {
        self.runId = runId
        self.stepId = stepId
        self.attempt = attempt
        self.name = name
        self.kind = kind
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }
}
