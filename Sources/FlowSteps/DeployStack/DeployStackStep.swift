import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// `deploy-stack`: deploys a CloudFormation template to a stack through a change set (see
/// `docs/deploy-stack.md`). The template and parameters are checked before any call; the
/// change set's changes and the stack's events go to the log; the stack's outputs become the
/// step's. Before an update the stack's current template and parameters are saved in the run's
/// state (``StackSnapshot``) for `remediate`'s `rollback-stack`.
public struct DeployStackStep: BuiltinStepType {
    public typealias Input = DeployStackInput

    public static let name = "deploy-stack"
    public static let summary = "Deploys a CloudFormation stack through a change set (checked template, changes and events in the log, outputs as step outputs)"
    public static let outputs = StepTypeSignature.Outputs.openEnded([
        StepOutput("stack-id", "the stack's id (ARN)"),
        StepOutput("status", "the stack's status at the end (`CREATE_COMPLETE`, `UPDATE_COMPLETE`, …), or `DRY_RUN` for a dry run"),
        StepOutput("change-set-id", "the change set's id (ARN); empty when there was nothing to change"),
    ], because: "every Output of the stack is an output of the step, by its key")
    public static let example = """
        deploy:
          uses: deploy-stack
          needs: [push]
          with:
            stack: fsdp-${{ params.env }}
            template: examples/fsdp/stack.yml
            parameters: { ImageUri: "${{ steps.push.outputs.uri }}", Env: "${{ params.env }}" }
            capabilities: [CAPABILITY_IAM]
            tags: { team: ml }
        """

    public init() {}

    public func run(_ input: DeployStackInput, context: StepContext) async throws -> StepOutcome {
        try Self.checkStackName(input.stack)
        let given = try input.parameters?.load(workingDirectory: context.workingDirectory) ?? []
        let source = try Self.templateSource(input.template, context: context)
        let aws = try context.network().aws(region: input.region)
        let client = CloudFormationClient(aws)
        var template: StackTemplate?
        if case .body(let body) = source {
            template = try Self.checkedTemplate(body, file: input.template, given: given, context: context)
        } else {
            context.log.note("template \(input.template) is read by CloudFormation, not by flow: its parameters are checked by CloudFormation")
        }
        // A NoEcho parameter's value is a secret from now on.
        for parameter in given {
            if let value = parameter.value, template?.parameter(parameter.key)?.noEcho == true, !value.isEmpty {
                context.addSecret(value)
            }
        }

        let deployment = ChangeSetDeployment(client: client, context: context)
        let timeout = input.timeout
        let deadline = context.clock.now().addingTimeInterval(timeout.seconds)
        let names = Self.names(context)
        let region = aws.region
        let request = ChangeSetDeployment.Request(
            stack: input.stack, template: source, parameters: given.map { StackParameter(key: $0.key, value: $0.value) },
            capabilities: (input.capabilities ?? []).map(\.rawValue),
            tags: (input.tags ?? [:]).sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) },
            roleARN: input.roleARN, changeSetName: names.changeSet, token: names.token, dryRun: input.dryRun,
            deleteOnFailedCreate: input.deleteOnFailedCreate, deadline: deadline,
            beforeUpdate: { stack in
                let snapshot = try await CloudFormationFailure.mapping("read the template of stack \(stack.name)", mask: { context.mask($0) }) {
                    try await StackSnapshot.capture(stack, client: client, isSecret: { context.mask($0) != $0 })
                }
                if try snapshot.save(context: context) {
                    context.log.note("saved stack \(stack.name)'s current template and parameters for a rollback (\(StackSnapshot.path(stack: input.stack, region: region, context: context)))")
                }
            })
        let outcome = try await deployment.deploy(request)

        if let protection = input.terminationProtection, outcome.kind != .dryRun, let stack = outcome.stack {
            try await CloudFormationFailure.mapping("set termination protection of stack \(input.stack)", mask: { context.mask($0) }) {
                try await client.setTerminationProtection(stack.stackID, enabled: protection)
            }
            context.log.note("termination protection of stack \(input.stack): \(protection ? "on" : "off")")
        }
        return StepOutcome(outputs: Self.outputs(outcome, template: template, context: context))
    }

    /// The step's outputs: every stack output, `stack-id`, `status`, `change-set-id`. Outputs
    /// echoing a `NoEcho` parameter are masked by the run like any secret.
    static func outputs(_ outcome: ChangeSetDeployment.Outcome, template: StackTemplate?, context: StepContext) -> [String: String] {
        var outputs: [String: String] = [:]
        for output in outcome.stack?.outputs ?? [] { outputs[output.key] = output.value }
        outputs["stack-id"] = outcome.stack?.stackID ?? ""
        outputs["status"] = outcome.kind == .dryRun ? "DRY_RUN" : outcome.stack?.status.rawValue ?? ""
        outputs["change-set-id"] = outcome.changeSetID ?? ""
        let summary: String
        switch outcome.kind {
        case .created: summary = "created"
        case .updated: summary = "updated"
        case .noChange: summary = "unchanged"
        case .dryRun: summary = "not changed (dry run)"
        }
        let status = outcome.stack?.status.rawValue ?? "no stack yet"
        context.log.note("stack \(outcome.stack?.name ?? "") \(summary): \(status); outputs: "
            + ((outcome.stack?.outputs ?? []).map(\.key).joined(separator: ", ").nonEmpty ?? "none"))
        return outputs
    }

    /// Change set `flow-<run-id>-<step>-<attempt>` (letters, digits and hyphens, a letter
    /// first, at most 100 so that suffixed tokens stay under CloudFormation's 128) and a token for its `ClientToken` and its execution: the same for a
    /// request repeated within one attempt, another for the next attempt.
    static func names(_ context: StepContext) -> (changeSet: String, token: String) {
        let base = "flow-\(sanitized(context.runID))-\(sanitized(context.stepID))-\(context.attempt)"
        guard base.count > 100 else { return (base, base) }
        // Long step ids: cut, with a stable hash of the whole so two long ids stay apart; room
        // is left for the suffixes the deletion tokens add.
        var hash: UInt32 = 2_166_136_261
        for byte in base.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let name = String(base.prefix(80)) + "-" + String(hash, radix: 16) + "-\(context.attempt)"
        return (name, name)
    }

    static func sanitized(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let isAlphanumeric = (scalar.value >= 0x30 && scalar.value <= 0x39) || (scalar.value >= 0x41 && scalar.value <= 0x5A)
                || (scalar.value >= 0x61 && scalar.value <= 0x7A)
            out += isAlphanumeric ? String(scalar) : (out.hasSuffix("-") ? "" : "-")
        }
        return out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    static func checkStackName(_ name: String) throws {
        let valid = !name.isEmpty && name.count <= 128 && name.first!.isASCII && name.first!.isLetter
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
        if !valid && !name.hasPrefix("arn:") {
            throw StepError("input `stack`: `\(name)` is not a stack name: letters, digits and hyphens, a letter first, at most 128", kind: .terminal)
        }
    }

    /// A file is read (bounded, as an untrusted file); an S3 URL is passed on.
    static func templateSource(_ template: String, context: StepContext) throws -> TemplateSource {
        if template.hasPrefix("https://") { return .url(template) }
        if template.hasPrefix("s3://") {
            let rest = template.dropFirst("s3://".count)
            guard let slash = rest.firstIndex(of: "/"), rest.index(after: slash) < rest.endIndex else {
                throw StepError("input `template`: `\(template)` is not `s3://bucket/key`", kind: .terminal)
            }
            return .url("https://\(rest[..<slash]).s3.amazonaws.com/\(rest[rest.index(after: slash)...])")
        }
        if template.hasPrefix("http://") {
            // Plain HTTP only on loopback: an emulator's S3 (LocalStack), never over a network.
            guard let host = URLComponents(string: template)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
                throw StepError("input `template`: an http:// URL is taken only for a local emulator (127.0.0.1, localhost); give an https:// or s3:// URL", kind: .terminal)
            }
            return .url(template)
        }
        let path = template.hasPrefix("/") ? template : context.workingDirectory + "/" + template
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(path, limit: 1 << 20, links: .follow)
        } catch {
            throw StepError("input `template`: cannot read \(template): \(error)", kind: .terminal)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StepError("input `template`: \(template) is not UTF-8 text", kind: .terminal)
        }
        return .body(text)
    }

    /// Parses and checks the template and the parameters given to it; all problems, located.
    static func checkedTemplate(_ body: String, file: String, given: [TemplateCheck.GivenParameter],
                                context: StepContext) throws -> StackTemplate {
        let (template, problems) = StackTemplate.parse(Array(body.utf8), file: file)
        var diagnostics = problems
        if let template {
            diagnostics += TemplateCheck.check(template, given: given,
                                               inputLocation: SourceLocation(file: "input `parameters`", line: 1, column: 1),
                                               bodySize: body.utf8.count, stackExists: true)
        }
        if diagnostics.hasErrors || template == nil {
            let text = DiagnosticRenderer(color: false).text(diagnostics.sortedByLocation())
            context.log.write(Array(text.utf8))
            let count = diagnostics.filter { $0.severity == .error }.count
            throw StepError("the template \(file) has \(count) problem\(count == 1 ? "" : "s") (see the log); nothing was sent to CloudFormation:\n" + context.mask(text),
                            kind: .terminal)
        }
        return template!
    }
}
