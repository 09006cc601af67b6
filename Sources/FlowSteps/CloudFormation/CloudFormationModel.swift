import Foundation

/// A stack as `DescribeStacks` gives it (the fields flow reads).
public struct StackDescription: Sendable, Hashable {
    public var stackID: String
    public var name: String
    public var status: StackStatus
    public var statusReason: String?
    /// Output key → value, in the order the answer lists them.
    public var outputs: [(key: String, value: String)]
    /// Parameter key → value as the stack holds it (`****` for a `NoEcho` parameter).
    public var parameters: [(key: String, value: String)]
    public var lastUpdated: Date?

    public init(stackID: String, name: String, status: StackStatus, statusReason: String? = nil,
                outputs: [(key: String, value: String)] = [], parameters: [(key: String, value: String)] = [],
                lastUpdated: Date? = nil) {
        self.stackID = stackID
        self.name = name
        self.status = status
        self.statusReason = statusReason
        self.outputs = outputs
        self.parameters = parameters
        self.lastUpdated = lastUpdated
    }

    public func output(_ key: String) -> String? { outputs.first { $0.key == key }?.value }

    public static func == (a: StackDescription, b: StackDescription) -> Bool {
        a.stackID == b.stackID && a.name == b.name && a.status == b.status && a.statusReason == b.statusReason
            && a.outputs.elementsEqual(b.outputs, by: ==) && a.parameters.elementsEqual(b.parameters, by: ==)
            && a.lastUpdated == b.lastUpdated
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stackID)
        hasher.combine(status)
    }
}

/// One parameter for a change set: a value, or "keep the stack's current value".
public struct StackParameter: Sendable, Hashable, Codable {
    public var key: String
    /// nil: `UsePreviousValue=true` (a `NoEcho` value flow never saw).
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }

    public static func usePrevious(_ key: String) -> StackParameter { StackParameter(key: key, value: nil) }
}

/// Where a change set's template comes from.
public enum TemplateSource: Sendable, Hashable {
    /// The template text (`TemplateBody`, at most 51,200 bytes).
    case body(String)
    /// An `https://` S3 URL (`TemplateURL`), read by CloudFormation, not by flow.
    case url(String)
    /// The stack's current template (`UsePreviousTemplate`).
    case previous
}

/// A change set as `DescribeChangeSet` gives it.
public struct ChangeSetDescription: Sendable, Hashable {
    public var id: String
    public var name: String
    public var stackID: String
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `DELETE_*`, `FAILED`.
    public var status: String
    /// `UNAVAILABLE`, `AVAILABLE`, `EXECUTE_*`, `OBSOLETE`.
    public var executionStatus: String
    public var statusReason: String?
    public var changes: [ResourceChange]

    public init(id: String, name: String, stackID: String, status: String, executionStatus: String,
                statusReason: String?, changes: [ResourceChange]) {
        self.id = id
        self.name = name
        self.stackID = stackID
        self.status = status
        self.executionStatus = executionStatus
        self.statusReason = statusReason
        self.changes = changes
    }

    /// Still being made.
    public var isPending: Bool { status == "CREATE_PENDING" || status == "CREATE_IN_PROGRESS" }

    /// `FAILED` because the template and parameters change nothing: a no-op, not an error.
    public var isNoChange: Bool {
        guard status == "FAILED", let reason = statusReason else { return false }
        return reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
    }
}

/// One resource change of a change set: what the log prints before it executes.
public struct ResourceChange: Sendable, Hashable {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    public var action: String
    public var logicalID: String
    public var physicalID: String?
    public var resourceType: String
    /// `True`, `False`, `Conditional` (for `Modify`); nil otherwise.
    public var replacement: String?

    public init(action: String, logicalID: String, physicalID: String? = nil, resourceType: String, replacement: String? = nil) {
        self.action = action
        self.logicalID = logicalID
        self.physicalID = physicalID
        self.resourceType = resourceType
        self.replacement = replacement
    }

    /// `Modify  Topic  AWS::SNS::Topic  (replacement: True)`.
    public var line: String {
        var text = "\(action) \(logicalID) \(resourceType)"
        if let replacement, action == "Modify" { text += " (replacement: \(replacement))" }
        return text
    }
}

/// One stack event, as `DescribeStackEvents` gives it.
public struct StackEvent: Sendable, Hashable {
    public var id: String
    public var timestamp: Date
    public var logicalID: String
    public var resourceType: String
    public var status: String
    public var reason: String?
    public var clientRequestToken: String?

    public init(id: String, timestamp: Date, logicalID: String, resourceType: String, status: String,
                reason: String? = nil, clientRequestToken: String? = nil) {
        self.id = id
        self.timestamp = timestamp
        self.logicalID = logicalID
        self.resourceType = resourceType
        self.status = status
        self.reason = reason
        self.clientRequestToken = clientRequestToken
    }

    /// `CREATE_FAILED Bucket (AWS::S3::Bucket): Bucket name should not contain uppercase characters`.
    public var line: String {
        "\(status) \(logicalID) (\(resourceType))" + (reason.map { $0.isEmpty ? "" : ": \($0)" } ?? "")
    }
}
