import Foundation
import FlowCore

/// What started a run, or took it over: a typed value stored in columns of `runs` (the trigger
/// that created the run) and of `launches` (every start and takeover, in order).
public enum RunTrigger: Sendable, Hashable, Codable {
    /// `flow run` by a person or a script.
    case manual
    /// `flow resume`.
    case resume
    /// `flow retry --step`.
    case retry
    /// `flow schedule`: the entry's key and the *scheduled* instant (not the time it fired).
    case schedule(entry: String, scheduledAt: Date)
    /// Inside AWS CodeBuild (`CODEBUILD_BUILD_ID` set): the build's id (`project:uuid`).
    case codebuild(buildID: String)

    /// The kind's name as stored and shown: `manual`, `resume`, `retry`, `schedule`, `codebuild`.
    public var kind: String {
        switch self {
        case .manual: "manual"
        case .resume: "resume"
        case .retry: "retry"
        case .schedule: "schedule"
        case .codebuild: "codebuild"
        }
    }

    /// One line for people: `schedule 2026-03-08T07:00:00Z (nightly)`, `codebuild fsdp:1f2e…`.
    public var description: String {
        switch self {
        case .manual, .resume, .retry: kind
        case .schedule(let entry, let at): "schedule \(ISO8601.seconds(at)) (\(entry))"
        case .codebuild(let build): build.isEmpty ? kind : "codebuild \(build)"
        }
    }

    /// Rebuilds a trigger from its stored columns; an unknown kind (a newer flow's) reads as
    /// `manual` rather than failing the whole listing.
    public init(kind: String, entry: String?, scheduledAt: Date?, buildID: String?) {
        switch kind {
        case "resume": self = .resume
        case "retry": self = .retry
        case "schedule": self = .schedule(entry: entry ?? "", scheduledAt: scheduledAt ?? Date(timeIntervalSince1970: 0))
        case "codebuild": self = .codebuild(buildID: buildID ?? "")
        default: self = .manual
        }
    }

    /// Inside AWS CodeBuild (`CODEBUILD_BUILD_ID` set and not empty) the build is the trigger,
    /// whatever the command; elsewhere `otherwise` (`manual` for `flow run`, `resume`, `retry`).
    public static func detect(environment: [String: String], otherwise: RunTrigger) -> RunTrigger {
        if let build = environment["CODEBUILD_BUILD_ID"], !build.isEmpty { return .codebuild(buildID: build) }
        return otherwise
    }

    /// The git commit CodeBuild resolved for the build's source (`CODEBUILD_RESOLVED_SOURCE_VERSION`),
    /// when flow runs inside CodeBuild and it is a commit id (S3 sources give an object version).
    public static func codebuildCommit(environment: [String: String]) -> String? {
        guard environment["CODEBUILD_BUILD_ID"]?.isEmpty == false,
              let sha = environment["CODEBUILD_RESOLVED_SOURCE_VERSION"],
              (7...64).contains(sha.count), sha.allSatisfy(\.isHexDigit) else { return nil }
        return sha.lowercased()
    }

    /// The schedule entry's key, when a schedule fired the run.
    public var scheduleEntry: String? {
        if case .schedule(let entry, _) = self { entry } else { nil }
    }

    /// The scheduled instant, when a schedule fired the run.
    public var scheduledAt: Date? {
        if case .schedule(_, let at) = self { at } else { nil }
    }

    /// The CodeBuild build id, when the run was started or taken over inside CodeBuild.
    public var buildID: String? {
        if case .codebuild(let id) = self { id } else { nil }
    }

    /// The trigger as a JSON object for `--json` outputs: `{"kind":"schedule","entry":…,"scheduledAt":…}`.
    public var jsonObject: String {
        var fields = ["\"kind\":\(JSONText.quote(kind))"]
        if let entry = scheduleEntry { fields.append("\"entry\":\(JSONText.quote(entry))") }
        if let at = scheduledAt { fields.append("\"scheduledAt\":\(JSONText.quote(ISO8601.seconds(at)))") }
        if let build = buildID { fields.append("\"buildId\":\(JSONText.quote(build))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private enum CodingKeys: String, CodingKey { case kind, entry, scheduledAt, buildId }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(String.self, forKey: .kind), entry: try c.decodeIfPresent(String.self, forKey: .entry),
                  scheduledAt: try c.decodeIfPresent(Date.self, forKey: .scheduledAt), buildID: try c.decodeIfPresent(String.self, forKey: .buildId))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(scheduleEntry, forKey: .entry)
        try c.encodeIfPresent(scheduledAt, forKey: .scheduledAt)
        try c.encodeIfPresent(buildID, forKey: .buildId)
    }
}
