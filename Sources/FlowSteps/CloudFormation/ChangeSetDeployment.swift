import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// Deploys a template to a stack through a change set: the one code path `deploy-stack` and
/// `remediate`'s `rollback-stack` share. It waits for a stack that is moving, deletes a failed
/// create when asked, creates a CREATE or UPDATE change set, waits for it, prints its changes,
/// and (unless a dry run) executes it and waits with the stack's events in the log. "No
/// changes" is success. Failures are step errors: terminal for template and stack faults,
/// retryable for throttling and transient resource failures.
public struct ChangeSetDeployment: Sendable {
    public var client: CloudFormationClient
    public var clock: any FlowClock
    public var log: @Sendable (String) -> Void
    public var mask: @Sendable (String) -> String
    public var backoff: StackWaiter.Backoff

    public init(client: CloudFormationClient, clock: any FlowClock, backoff: StackWaiter.Backoff = .standard,
                log: @escaping @Sendable (String) -> Void, mask: @escaping @Sendable (String) -> String) {
        self.client = client
        self.clock = clock
        self.backoff = backoff
        self.log = log
        self.mask = mask
    }

    /// The deployment for a step: its log, clock and masking.
    public init(client: CloudFormationClient, context: StepContext, backoff: StackWaiter.Backoff = .standard) {
        let log = context.log
        self.init(client: client, clock: context.clock, backoff: backoff, log: { log.note($0) }, mask: { context.mask($0) })
    }

    /// What to deploy.
    public struct Request: Sendable {
        public var stack: String
        public var template: TemplateSource
        public var parameters: [StackParameter]
        public var capabilities: [String]
        public var tags: [(key: String, value: String)]
        public var roleARN: String?
        /// The change set's name (letters, digits, hyphens; a letter first).
        public var changeSetName: String
        /// `ClientToken` of the change set and `ClientRequestToken` of its execution; the same
        /// token on a repeated request does not make a second change set.
        public var token: String
        public var dryRun: Bool
        public var deleteOnFailedCreate: Bool
        /// When every wait gives up.
        public var deadline: Date
        /// Called with the stack before an UPDATE change set is executed (a snapshot to roll back to).
        public var beforeUpdate: (@Sendable (StackDescription) async throws -> Void)?

        public init(stack: String, template: TemplateSource, parameters: [StackParameter] = [], capabilities: [String] = [],
                    tags: [(key: String, value: String)] = [], roleARN: String? = nil, changeSetName: String, token: String,
                    dryRun: Bool = false, deleteOnFailedCreate: Bool = false, deadline: Date,
                    beforeUpdate: (@Sendable (StackDescription) async throws -> Void)? = nil) {
            self.stack = stack
            self.template = template
            self.parameters = parameters
            self.capabilities = capabilities
            self.tags = tags
            self.roleARN = roleARN
            self.changeSetName = changeSetName
            self.token = token
            self.dryRun = dryRun
            self.deleteOnFailedCreate = deleteOnFailedCreate
            self.deadline = deadline
            self.beforeUpdate = beforeUpdate
        }
    }

    /// How a deployment ended (failures are thrown).
    public struct Outcome: Sendable {
        public enum Kind: String, Sendable { case created, updated, noChange = "no-change", dryRun = "dry-run" }
        public var kind: Kind
        /// The stack at the end (nil after a dry run of a CREATE: no stack exists yet).
        public var stack: StackDescription?
        /// The change set's id (ARN); nil when there was nothing to change (it was deleted).
        public var changeSetID: String?
        public var changes: [ResourceChange]
    }

    public func deploy(_ request: Request) async throws -> Outcome {
        let name = request.stack
        var existing = try await step("describe stack \(name)") { try await client.describeStack(name) }
        if let stack = existing, stack.status.isInProgress, !stack.status.isReview {
            log("stack \(name) is \(stack.status); waiting for it to end first")
            existing = try await waitForStack(stack.stackID, deadline: request.deadline, what: "the operation already under way").stack
        }
        if let stack = existing, stack.status.phase == .failed {
            existing = try await recover(stack, request: request)
        }
        let isCreate = existing == nil || existing!.status.isReview
        let changeSetType = isCreate ? "CREATE" : "UPDATE"
        let changeSetRequest = CloudFormationClient.ChangeSetRequest(
            stack: name, name: request.changeSetName, type: changeSetType, template: request.template,
            parameters: request.parameters, capabilities: request.capabilities, tags: request.tags, roleARN: request.roleARN,
            clientToken: request.token, description: "flow")
        let created = try await step("create change set \(request.changeSetName) for stack \(name)") {
            try await client.createChangeSet(changeSetRequest)
        }
        log("change set \(request.changeSetName) (\(changeSetType)) for stack \(name): \(created.id)")
        let changeSet = try await waitForChangeSet(created.id, deadline: request.deadline)
        if changeSet.isNoChange {
            log("no changes: stack \(name) already matches the template and parameters")
            try? await client.deleteChangeSet(changeSet.id)
            let stack = try await step("describe stack \(name)") { try await client.describeStack(name) }
            return Outcome(kind: .noChange, stack: stack, changeSetID: nil, changes: [])
        }
        guard changeSet.status == "CREATE_COMPLETE" else {
            let reason = changeSet.statusReason ?? "no reason given"
            throw StepError(mask("change set \(request.changeSetName) for stack \(name) is \(changeSet.status): \(reason)"),
                            kind: CloudFormationFailure.isTransientReason(reason) ? .retryable : .terminal)
        }
        log("changes (\(changeSet.changes.count)):")
        for change in changeSet.changes { log("  " + change.line) }
        if request.dryRun {
            log("dry run: change set \(request.changeSetName) was not executed; it is kept for review: \(changeSet.id)")
            let stack = try await step("describe stack \(name)") { try await client.describeStack(name) }
            return Outcome(kind: .dryRun, stack: stack.flatMap { $0.status.isReview ? nil : $0 }, changeSetID: changeSet.id,
                           changes: changeSet.changes)
        }
        if !isCreate, let stack = existing, let beforeUpdate = request.beforeUpdate {
            try await beforeUpdate(stack)
        }
        let stackID = changeSet.stackID.isEmpty ? created.stackID : changeSet.stackID
        let waiter = self.waiter(stackID.isEmpty ? name : stackID)
        let known = try await step("read the events of stack \(name)") { try await waiter.baseline() }
        try await step("execute change set \(request.changeSetName)") {
            try await client.executeChangeSet(changeSet.id, token: request.token)
        }
        let result = try await wait(waiter, deadline: request.deadline, token: request.token, known: known,
                                    startStatus: existing?.status, what: "change set \(request.changeSetName)")
        try check(result, stack: name, operation: isCreate ? "create" : "update")
        return Outcome(kind: isCreate ? .created : .updated, stack: result.stack, changeSetID: changeSet.id, changes: changeSet.changes)
    }

    /// A stack whose last operation failed: a failed create is deleted (when allowed) so the
    /// deploy creates it anew; a stack whose update rolled back is updated as usual; anything
    /// else needs a person or `remediate`.
    func recover(_ stack: StackDescription, request: Request) async throws -> StackDescription? {
        let name = request.stack
        if stack.status.isFailedCreate {
            guard request.deleteOnFailedCreate else {
                throw StepError("stack \(name) is \(stack.status) (its create failed): it can only be deleted; set `delete-on-failed-create: true` or delete it", kind: .terminal)
            }
            log("stack \(name) is \(stack.status) (its create failed); deleting it before creating it again (`delete-on-failed-create`)")
            try await delete(stack, token: Self.token(request.token, suffix: "-delete"), roleARN: request.roleARN, deadline: request.deadline)
            return nil
        }
        switch stack.status.rawValue {
        case "UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE":
            return stack
        case "UPDATE_FAILED":
            throw StepError("stack \(name) is UPDATE_FAILED (an update failed with rollback disabled): roll it back first (RollbackStack, `remediate`'s rollback-stack)", kind: .terminal)
        case "UPDATE_ROLLBACK_FAILED":
            throw StepError("stack \(name) is UPDATE_ROLLBACK_FAILED: its rollback needs ContinueUpdateRollback (perhaps skipping the resources that fail) before it can be deployed", kind: .terminal)
        default:
            throw StepError("stack \(name) is \(stack.status)" + (stack.statusReason.map { ": \(mask($0))" } ?? "") + "; it cannot be deployed to as it is", kind: .terminal)
        }
    }

    /// Deletes the stack and waits until it is gone. A deletion that ends `DELETE_FAILED` is
    /// asked for once more (a resource that failed to delete may go the second time, as after a
    /// dependency's timing); a second failure is the step's, naming the resource.
    public func delete(_ stack: StackDescription, token: String? = nil, roleARN: String? = nil, deadline: Date) async throws {
        let target = stack.stackID.isEmpty ? stack.name : stack.stackID
        let waiter = self.waiter(target)
        var known = try await step("read the events of stack \(stack.name)") { try await waiter.baseline() }
        var result: StackWaiter.Result?
        for round in 1...2 {
            try await step("delete stack \(stack.name)") {
                try await client.deleteStack(target, token: token.map { round == 1 ? $0 : Self.token($0, suffix: "-again") }, roleARN: roleARN)
            }
            let ended = try await wait(waiter, deadline: deadline, token: nil, known: known,
                                       startStatus: round == 1 ? stack.status : StackStatus("DELETE_FAILED"),
                                       what: "the deletion of stack \(stack.name)")
            result = ended
            if ended.status.rawValue == "DELETE_COMPLETE" { break }
            known.formUnion(ended.events.map(\.id))
            if round == 1 {
                let cause = ended.firstFailure.map { " (\($0.logicalID): \(mask($0.reason ?? $0.status)))" } ?? ""
                log("the deletion of stack \(stack.name) ended \(ended.status)\(cause); asking CloudFormation to delete it once more")
            }
        }
        guard let result, result.status.rawValue == "DELETE_COMPLETE" else {
            let cause = result?.firstFailure.map { ": \($0.logicalID) \($0.status): \(mask($0.reason ?? ""))" } ?? ""
            throw StepError("stack \(stack.name) could not be deleted (\(result?.status.rawValue ?? "unknown"))\(cause)", kind: .terminal)
        }
        log("stack \(stack.name) deleted")
    }

    /// Waits for a stack operation started elsewhere (a rollback, a cancel), events shown.
    public func waitForStack(_ stack: String, deadline: Date, what: String, known: Set<String>? = nil) async throws -> StackWaiter.Result {
        let waiter = self.waiter(stack)
        let baseline: Set<String>
        if let known { baseline = known } else { baseline = try await step("read the events of stack \(stack)") { try await waiter.baseline() } }
        return try await wait(waiter, deadline: deadline, token: nil, known: baseline, what: what)
    }

    func waiter(_ stack: String) -> StackWaiter {
        StackWaiter(client: client, stack: stack, clock: clock, backoff: backoff, log: { [mask, log] in log(mask($0)) })
    }

    func wait(_ waiter: StackWaiter, deadline: Date, token: String?, known: Set<String>, startStatus: StackStatus? = nil,
              what: String) async throws -> StackWaiter.Result {
        do {
            return try await waiter.wait(deadline: deadline, token: token, known: known, startStatus: startStatus)
        } catch let timedOut as StackWaiter.TimedOut {
            throw StepError("\(what): the stack is still \(timedOut.status) when the step's `timeout` ran out; CloudFormation goes on with it (a retry waits for it to end first)",
                            kind: .retryable, timedOut: true)
        } catch {
            throw CloudFormationFailure.stepError(error, doing: "wait for \(what)", mask: mask)
        }
    }

    /// Throws when the operation did not end in success, naming the first failed resource.
    func check(_ result: StackWaiter.Result, stack: String, operation: String) throws {
        guard result.status.phase != .succeeded else { return }
        var message = "the \(operation) of stack \(stack) failed: the stack is \(result.status)"
        var transient = false
        if let failure = result.firstFailure {
            message += "; first failure: \(failure.logicalID) (\(failure.resourceType)) \(failure.status): \(failure.reason ?? "")"
            transient = CloudFormationFailure.isTransientReason(failure.reason ?? "")
        } else if let reason = result.stack?.statusReason {
            message += ": \(reason)"
        }
        if result.status.isFailedCreate {
            message += " (a failed create: `delete-on-failed-create: true` deletes it before the next create)"
        }
        throw StepError(mask(message), kind: transient ? .retryable : .terminal)
    }

    /// Polls the change set until it is made (or failed).
    func waitForChangeSet(_ id: String, deadline: Date) async throws -> ChangeSetDescription {
        var interval = backoff.initial
        while true {
            let changeSet = try await step("describe change set \(id)") { try await client.describeChangeSet(id) }
            if !changeSet.isPending { return changeSet }
            if clock.now() >= deadline {
                throw StepError("change set \(id) is still \(changeSet.status) when the step's `timeout` ran out", kind: .retryable, timedOut: true)
            }
            let pause = Swift.min(interval.seconds, Swift.max(deadline.timeIntervalSince(clock.now()), 0))
            try await clock.sleep(for: .milliseconds(Int64(pause * 1000)))
            interval = backoff.next(after: interval)
        }
    }

    /// `base` + `suffix` within CloudFormation's 128 characters for a request token.
    static func token(_ base: String, suffix: String) -> String {
        String(base.prefix(128 - suffix.count)) + suffix
    }

    func step<T: Sendable>(_ doing: String, _ body: () async throws -> T) async throws -> T {
        try await CloudFormationFailure.mapping(doing, mask: mask, body)
    }
}
