import Foundation
import FlowCore

/// The `with:` of a `remediate` step; its fields are the step's schema.
public struct RemediateInput: StepInputSchema {
    public var runbook: InputPath
    public var minConfidence: Double
    public var dryRun: Bool
    public var alarm: AlarmInput?
    public var alarms: AlarmSource?
    public var region: String?

    enum CodingKeys: String, CodingKey {
        case runbook, minConfidence = "min-confidence", dryRun = "dry-run", alarm, alarms, region
    }

    public static let help: [String: InputHelp] = [
        "runbook": InputHelp("the runbook: a YAML file of rules (`when` → `action`, with a `confidence`)", mustExist: true),
        "min-confidence": InputHelp("act only on a rule at least this sure (0…1); below it the step reports \"needs a person\"", default: "0.8"),
        "dry-run": InputHelp("decide and record, but act on nothing: every decision is \"needs a person\" with what would be done", default: "false"),
        "alarm": InputHelp("a CloudWatch alarm as evidence: a file, JSON text, or a mapping holding an EventBridge \"CloudWatch Alarm State Change\" event or an SNS alarm notification"),
        "alarms": InputHelp("`describe`: also take every alarm in ALARM, read through CloudWatch DescribeAlarms"),
        "region": InputHelp("the AWS region for DescribeAlarms and stack actions (default: AWS_REGION or the profile's)"),
    ]
}

/// Where more alarms come from.
public enum AlarmSource: String, InputChoice {
    case describe
}

/// `alarm:`: a mapping (the event itself), JSON text, or a path to a file holding the event.
public struct AlarmInput: InputValue, Sendable {
    public enum Form: Sendable {
        case inline(ExpressionValue)
        case text(String)
    }

    public var form: Form

    public init(_ form: Form) { self.form = form }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            form = .text(text)
        } else {
            form = .inline(try container.decode(JSONValue.self).expressionValue)
        }
    }

    public static var inputKind: InputKind { .either([.mapping(.any), .string]) }
    public static var placeholder: AlarmInput { AlarmInput(.text("")) }
}
