import Foundation
import FlowEngine

/// A stack as it was before a run updated it: its template body (as written, `GetTemplate
/// Original`) and its parameter values, saved by `deploy-stack` in the run's state at
/// `<run folder>/stacks/<region>/<stack>.json` (mode 0600) before it executes an UPDATE, so that
/// `remediate`'s `rollback-stack` can deploy it back through a change set. A parameter whose value
/// is `NoEcho` (`****`) or holds one of the run's secrets is recorded as "use the previous value"
/// and its value is never stored. The first snapshot of a stack in a run is kept: rolling back
/// means going back to the stack as it was before this run touched it.
public struct StackSnapshot: Sendable, Hashable, Codable {
    public var stack: String
    public var region: String
    public var stackID: String
    public var template: String
    public var parameters: [StackParameter]
    /// The stack's outputs when the snapshot was taken (for the log and for checking a rollback).
    public var outputs: [String: String]
    public var status: String

    public init(stack: String, region: String, stackID: String, template: String, parameters: [StackParameter],
                outputs: [String: String], status: String) {
        self.stack = stack
        self.region = region
        self.stackID = stackID
        self.template = template
        self.parameters = parameters
        self.outputs = outputs
        self.status = status
    }

    /// Reads the stack's current template and turns `description` into a snapshot.
    public static func capture(_ description: StackDescription, client: CloudFormationClient,
                               isSecret: (String) -> Bool) async throws -> StackSnapshot {
        let template = try await client.template(description.stackID.isEmpty ? description.name : description.stackID)
        let parameters = description.parameters.map { parameter -> StackParameter in
            parameter.value == "****" || isSecret(parameter.value) ? .usePrevious(parameter.key) : StackParameter(key: parameter.key, value: parameter.value)
        }
        var outputs: [String: String] = [:]
        for output in description.outputs where !isSecret(output.value) { outputs[output.key] = output.value }
        return StackSnapshot(stack: description.name, region: client.region, stackID: description.stackID, template: template,
                             parameters: parameters, outputs: outputs, status: description.status.rawValue)
    }

    /// `<run folder>/stacks/<region>/<stack>.json`; the run folder is the parent of the step's.
    public static func path(stack: String, region: String, context: StepContext) -> String {
        path(stack: stack, region: region, runFolder: (context.stepDirectory as NSString).deletingLastPathComponent)
    }

    /// Writes the snapshot (0600) unless this run already holds one for the stack; returns
    /// whether it wrote.
    @discardableResult
    public func save(context: StepContext) throws -> Bool {
        let path = Self.path(stack: stack, region: region, context: context)
        if FileManager.default.fileExists(atPath: path) { return false }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw StepError("cannot write the stack snapshot \(path)", kind: .terminal)
        }
        if rename(temporary, path) != 0 { throw StepError("cannot write the stack snapshot \(path)", kind: .terminal) }
        return true
    }

    /// The snapshot this run saved for `stack` in `region`, or nil when it saved none.
    public static func load(stack: String, region: String, context: StepContext) throws -> StackSnapshot? {
        try load(path: Self.path(stack: stack, region: region, context: context))
    }

    /// `<run folder>/stacks/<region>/<stack>.json` of a run's state folder.
    public static func path(stack: String, region: String, runFolder: String) -> String {
        runFolder + "/stacks/" + RunID.directoryName(forStep: region) + "/" + RunID.directoryName(forStep: stack) + ".json"
    }

    /// The snapshot at `path`, or nil when there is none.
    public static func load(path: String) throws -> StackSnapshot? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let bytes = try UntrustedFile.read(path, limit: 4 << 20, links: .refuse)
            return try JSONDecoder().decode(StackSnapshot.self, from: Data(bytes))
        } catch {
            throw StepError("the stack snapshot \(path) cannot be read: \(error)", kind: .terminal)
        }
    }

    /// Deploys the snapshot back to its stack through a change set (what `rollback-stack` does):
    /// its template and parameters, `NoEcho` ones kept at the stack's current value.
    /// The capabilities default to all three: the template was deployed before, so they were
    /// acknowledged then.
    public func restore(with deployment: ChangeSetDeployment, changeSetName: String, token: String,
                        capabilities: [String] = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                        roleARN: String? = nil, deadline: Date) async throws -> ChangeSetDeployment.Outcome {
        try await deployment.deploy(ChangeSetDeployment.Request(
            stack: stack, template: .body(template), parameters: parameters, capabilities: capabilities,
            roleARN: roleARN, changeSetName: changeSetName, token: token, deadline: deadline))
    }
}
