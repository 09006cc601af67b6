import Foundation
import FlowHTTP

/// The CloudFormation calls flow makes (Query protocol, 2010-05-15), typed: stacks, change sets,
/// events, templates and the recovery operations. `deploy-stack` and `remediate` share it; it
/// knows nothing of either step's inputs. Errors are `AWSError`s as the API sent them
/// (``CloudFormationFailure`` turns them into step errors).
public struct CloudFormationClient: Sendable {
    public let aws: AWSClient
    static let version = "2010-05-15"

    public init(_ aws: AWSClient) { self.aws = aws }

    public var region: String { aws.region }

    func call(_ action: String, _ parameters: [(String, String)] = []) async throws -> XMLTree {
        try await aws.query(.cloudFormation, action: action, version: Self.version, parameters: parameters)
    }

    // MARK: Stacks

    /// The stack, or nil when it does not exist (CloudFormation's `ValidationError` "Stack with
    /// id X does not exist"). `DELETE_COMPLETE` stacks are only found by stack id.
    public func describeStack(_ stack: String) async throws -> StackDescription? {
        let tree: XMLTree
        do {
            tree = try await call("DescribeStacks", [("StackName", stack)])
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return nil
        }
        guard let member = tree.find("Stacks")?.all("member").first else { return nil }
        return Self.stack(member)
    }

    static func stack(_ member: XMLTree) -> StackDescription {
        let outputs = (member.child("Outputs")?.all("member") ?? []).map {
            (key: $0.child("OutputKey")?.text ?? "", value: $0.child("OutputValue")?.text ?? "")
        }
        let parameters = (member.child("Parameters")?.all("member") ?? []).map {
            (key: $0.child("ParameterKey")?.text ?? "", value: $0.child("ParameterValue")?.text ?? "")
        }
        return StackDescription(stackID: member.child("StackId")?.text ?? "", name: member.child("StackName")?.text ?? "",
                                status: StackStatus(member.child("StackStatus")?.text ?? ""),
                                statusReason: member.child("StackStatusReason")?.text.nonEmpty,
                                outputs: outputs, parameters: parameters,
                                lastUpdated: (member.child("LastUpdatedTime") ?? member.child("CreationTime")).flatMap { Self.date($0.text) })
    }

    /// `DeleteStack`; `token` is its `ClientRequestToken` (its events carry it).
    public func deleteStack(_ stack: String, token: String? = nil, roleARN: String? = nil) async throws {
        var parameters = [("StackName", stack)]
        if let token { parameters.append(("ClientRequestToken", token)) }
        if let roleARN { parameters.append(("RoleARN", roleARN)) }
        _ = try await call("DeleteStack", parameters)
    }

    /// `UpdateTerminationProtection`.
    public func setTerminationProtection(_ stack: String, enabled: Bool) async throws {
        _ = try await call("UpdateTerminationProtection", [("StackName", stack), ("EnableTerminationProtection", enabled ? "true" : "false")])
    }

    /// The template the stack was last deployed with, as it was written (`TemplateStage=Original`).
    public func template(_ stack: String) async throws -> String {
        let tree = try await call("GetTemplate", [("StackName", stack), ("TemplateStage", "Original")])
        return tree.find("TemplateBody")?.text ?? ""
    }

    /// `RollbackStack`: a stack in `UPDATE_FAILED` (or `*_FAILED` with rollback disabled) goes
    /// back to its last stable state.
    public func rollbackStack(_ stack: String, token: String? = nil, roleARN: String? = nil) async throws {
        var parameters = [("StackName", stack)]
        if let token { parameters.append(("ClientRequestToken", token)) }
        if let roleARN { parameters.append(("RoleARN", roleARN)) }
        _ = try await call("RollbackStack", parameters)
    }

    /// `ContinueUpdateRollback` for a stack in `UPDATE_ROLLBACK_FAILED`, skipping `skipping`.
    public func continueUpdateRollback(_ stack: String, skipping: [String] = [], token: String? = nil) async throws {
        var parameters = [("StackName", stack)]
        for (i, logicalID) in skipping.enumerated() { parameters.append(("ResourcesToSkip.member.\(i + 1)", logicalID)) }
        if let token { parameters.append(("ClientRequestToken", token)) }
        _ = try await call("ContinueUpdateRollback", parameters)
    }

    /// `CancelUpdateStack`: an `UPDATE_IN_PROGRESS` stack rolls back.
    public func cancelUpdate(_ stack: String, token: String? = nil) async throws {
        var parameters = [("StackName", stack)]
        if let token { parameters.append(("ClientRequestToken", token)) }
        _ = try await call("CancelUpdateStack", parameters)
    }

    // MARK: Events

    /// Events newer than `after` (exclusive), newest first as the API gives them: pages are read
    /// until one holds the event `after` or an event older than `since`.
    public func events(_ stack: String, since: Date? = nil, after knownIDs: Set<String> = [], maxPages: Int = 20) async throws -> [StackEvent] {
        var events: [StackEvent] = []
        var token: String?
        var pages = 0
        repeat {
            var parameters = [("StackName", stack)]
            if let token { parameters.append(("NextToken", token)) }
            let tree = try await call("DescribeStackEvents", parameters)
            let result = tree.find("DescribeStackEventsResult")
            var reachedKnown = false
            for member in result?.child("StackEvents")?.all("member") ?? [] {
                guard let event = Self.event(member) else { continue }
                if knownIDs.contains(event.id) { reachedKnown = true; continue }
                if let since, event.timestamp < since { reachedKnown = true; continue }
                events.append(event)
            }
            token = result?.child("NextToken")?.text.nonEmpty
            pages += 1
            if reachedKnown { break }
        } while token != nil && pages < maxPages
        return events
    }

    static func event(_ member: XMLTree) -> StackEvent? {
        guard let id = member.child("EventId")?.text, let timestamp = member.child("Timestamp").flatMap({ date($0.text) }) else { return nil }
        return StackEvent(id: id, timestamp: timestamp, logicalID: member.child("LogicalResourceId")?.text ?? "",
                          resourceType: member.child("ResourceType")?.text ?? "",
                          status: member.child("ResourceStatus")?.text ?? "",
                          reason: member.child("ResourceStatusReason")?.text.nonEmpty,
                          clientRequestToken: member.child("ClientRequestToken")?.text.nonEmpty)
    }

    // MARK: Change sets

    /// What `CreateChangeSet` takes.
    public struct ChangeSetRequest: Sendable, Hashable {
        public var stack: String
        public var name: String
        /// `CREATE` or `UPDATE`.
        public var type: String
        public var template: TemplateSource
        public var parameters: [StackParameter]
        public var capabilities: [String]
        public var tags: [(key: String, value: String)]
        public var roleARN: String?
        /// Idempotency: the same token again returns the same change set.
        public var clientToken: String?
        public var description: String?

        public init(stack: String, name: String, type: String, template: TemplateSource, parameters: [StackParameter] = [],
                    capabilities: [String] = [], tags: [(key: String, value: String)] = [], roleARN: String? = nil,
                    clientToken: String? = nil, description: String? = nil) {
            self.stack = stack
            self.name = name
            self.type = type
            self.template = template
            self.parameters = parameters
            self.capabilities = capabilities
            self.tags = tags
            self.roleARN = roleARN
            self.clientToken = clientToken
            self.description = description
        }

        public static func == (a: ChangeSetRequest, b: ChangeSetRequest) -> Bool {
            a.stack == b.stack && a.name == b.name && a.type == b.type && a.template == b.template && a.parameters == b.parameters
                && a.capabilities == b.capabilities && a.tags.elementsEqual(b.tags, by: ==) && a.roleARN == b.roleARN
                && a.clientToken == b.clientToken && a.description == b.description
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(stack)
            hasher.combine(name)
        }

        var queryParameters: [(String, String)] {
            var p = [("StackName", stack), ("ChangeSetName", name), ("ChangeSetType", type)]
            switch template {
            case .body(let text): p.append(("TemplateBody", text))
            case .url(let url): p.append(("TemplateURL", url))
            case .previous: p.append(("UsePreviousTemplate", "true"))
            }
            for (i, parameter) in parameters.enumerated() {
                p.append(("Parameters.member.\(i + 1).ParameterKey", parameter.key))
                if let value = parameter.value {
                    p.append(("Parameters.member.\(i + 1).ParameterValue", value))
                } else {
                    p.append(("Parameters.member.\(i + 1).UsePreviousValue", "true"))
                }
            }
            for (i, capability) in capabilities.enumerated() { p.append(("Capabilities.member.\(i + 1)", capability)) }
            for (i, tag) in tags.enumerated() {
                p.append(("Tags.member.\(i + 1).Key", tag.key))
                p.append(("Tags.member.\(i + 1).Value", tag.value))
            }
            if let roleARN { p.append(("RoleARN", roleARN)) }
            if let clientToken { p.append(("ClientToken", clientToken)) }
            if let description { p.append(("Description", description)) }
            return p
        }
    }

    /// `CreateChangeSet` → the change set's id (ARN) and the stack's id.
    public func createChangeSet(_ request: ChangeSetRequest) async throws -> (id: String, stackID: String) {
        let tree = try await call("CreateChangeSet", request.queryParameters)
        guard let id = tree.find("Id")?.text.nonEmpty else {
            throw AWSError(service: "cloudformation", operation: "CreateChangeSet", status: 200, code: "UnreadableResponse",
                           message: "no change set Id in the answer")
        }
        return (id, tree.find("StackId")?.text ?? "")
    }

    /// `DescribeChangeSet`, every page of its changes.
    public func describeChangeSet(_ id: String, stack: String? = nil) async throws -> ChangeSetDescription {
        var changes: [ResourceChange] = []
        var token: String?
        var first: XMLTree?
        var pages = 0
        repeat {
            var parameters = [("ChangeSetName", id)]
            if let stack { parameters.append(("StackName", stack)) }
            if let token { parameters.append(("NextToken", token)) }
            let tree = try await call("DescribeChangeSet", parameters)
            let result = tree.find("DescribeChangeSetResult") ?? tree
            if first == nil { first = result }
            for member in result.child("Changes")?.all("member") ?? [] {
                guard let change = member.child("ResourceChange") else { continue }
                changes.append(ResourceChange(action: change.child("Action")?.text ?? "",
                                              logicalID: change.child("LogicalResourceId")?.text ?? "",
                                              physicalID: change.child("PhysicalResourceId")?.text.nonEmpty,
                                              resourceType: change.child("ResourceType")?.text ?? "",
                                              replacement: change.child("Replacement")?.text.nonEmpty))
            }
            token = result.child("NextToken")?.text.nonEmpty
            pages += 1
        } while token != nil && pages < 100
        let result = first!
        return ChangeSetDescription(id: result.child("ChangeSetId")?.text ?? id, name: result.child("ChangeSetName")?.text ?? "",
                                    stackID: result.child("StackId")?.text ?? "", status: result.child("Status")?.text ?? "",
                                    executionStatus: result.child("ExecutionStatus")?.text ?? "",
                                    statusReason: result.child("StatusReason")?.text.nonEmpty, changes: changes)
    }

    /// `ExecuteChangeSet`; the stack's events of this execution carry `token`.
    public func executeChangeSet(_ id: String, stack: String? = nil, token: String? = nil) async throws {
        var parameters = [("ChangeSetName", id)]
        if let stack { parameters.append(("StackName", stack)) }
        if let token { parameters.append(("ClientRequestToken", token)) }
        _ = try await call("ExecuteChangeSet", parameters)
    }

    public func deleteChangeSet(_ id: String, stack: String? = nil) async throws {
        var parameters = [("ChangeSetName", id)]
        if let stack { parameters.append(("StackName", stack)) }
        _ = try await call("DeleteChangeSet", parameters)
    }

    // MARK: Dates

    /// CloudFormation's timestamps: ISO 8601 in UTC, with or without fractional seconds
    /// (`2026-12-07T03:40:12.123Z`, `2026-12-07T03:40:12.123456+00:00`).
    static func date(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: trimmed) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: trimmed) { return date }
        // More than three fraction digits: keep three.
        if let dot = trimmed.firstIndex(of: ".") {
            let digits = trimmed[trimmed.index(after: dot)...].prefix { $0.isNumber }
            let rest = trimmed[trimmed.index(after: dot)...].dropFirst(digits.count)
            let shortened = String(trimmed[..<dot]) + "." + String(digits.prefix(3)) + String(rest)
            return fractional.date(from: shortened)
        }
        return nil
    }
}

extension String {
    /// nil for an empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
