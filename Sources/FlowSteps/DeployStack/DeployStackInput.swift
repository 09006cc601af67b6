import FlowCore

/// The `with:` of a `deploy-stack` step; its fields are the step's schema.
public struct DeployStackInput: StepInputSchema {
    public var stack: String
    public var template: String
    public var parameters: StackParametersInput?
    public var capabilities: [Capability]?
    public var tags: [String: String]?
    public var roleARN: String?
    public var region: String?
    public var terminationProtection: Bool?
    public var dryRun: Bool
    public var deleteOnFailedCreate: Bool
    public var timeout: DurationValue

    enum CodingKeys: String, CodingKey {
        case stack, template, parameters, capabilities, tags, roleARN = "role-arn", region,
             terminationProtection = "termination-protection", dryRun = "dry-run",
             deleteOnFailedCreate = "delete-on-failed-create", timeout
    }

    public static let help: [String: InputHelp] = [
        "stack": InputHelp("the stack's name (letters, digits and hyphens, a letter first; at most 128)"),
        "template": InputHelp("the template: a YAML or JSON file (checked before any call, sent as the body; at most 51,200 bytes), or an S3 URL (`https://…` or `s3://bucket/key`) that CloudFormation reads"),
        "parameters": InputHelp("parameter values: a mapping (`{ ImageUri: …, Env: prod }`), or a JSON/YAML file holding the AWS CLI's `[{ParameterKey, ParameterValue}]` list or a flat mapping"),
        "capabilities": InputHelp("what the template may do that CloudFormation asks to acknowledge: `CAPABILITY_IAM`, `CAPABILITY_NAMED_IAM`, `CAPABILITY_AUTO_EXPAND`"),
        "tags": InputHelp("tags for the stack (CloudFormation puts them on the resources it makes)"),
        "role-arn": InputHelp("an IAM role CloudFormation assumes to make the stack's resources (default: the caller's credentials)"),
        "region": InputHelp("the AWS region (default: AWS_REGION or the profile's)"),
        "termination-protection": InputHelp("turn the stack's termination protection on or off after the deploy (default: leave it as it is)"),
        "dry-run": InputHelp("create the change set and print its changes, but do not execute it (the change set is kept for review)", default: "false"),
        "delete-on-failed-create": InputHelp("a stack left in ROLLBACK_COMPLETE by a failed create is deleted, then created again", default: "false"),
        "timeout": InputHelp("how long to wait for the change set and the stack (a stack already moving, a deletion, the deploy itself)", default: "60m"),
    ]

    /// What a template may do that must be acknowledged.
    public enum Capability: String, Sendable, Hashable, CaseIterable, InputChoice {
        case iam = "CAPABILITY_IAM"
        case namedIAM = "CAPABILITY_NAMED_IAM"
        case autoExpand = "CAPABILITY_AUTO_EXPAND"
    }
}
