import Foundation
import FlowCore
import FlowEngine

/// One thing that went wrong, which a runbook rule may match: a step of this run that did not
/// succeed, or a CloudWatch alarm.
public enum Evidence: Sendable {
    case step(StepEvidence)
    case alarm(AlarmEvidence)

    /// `evidence.*` in a runbook's expressions, and the evidence as the audit table stores it.
    public var value: ExpressionValue {
        switch self {
        case .step(let s):
            var object: [String: ExpressionValue] = [
                "kind": "step", "step": .string(s.step), "status": .string(s.status.rawValue),
                "attempts": .number(Double(s.attempts)),
            ]
            object["error-class"] = s.errorClass.map { .string($0.rawValue) } ?? .null
            object["exit-code"] = s.exitCode.map { .number(Double($0)) } ?? .null
            object["error"] = s.error.map(ExpressionValue.string) ?? .null
            object["log"] = s.logPath.map(ExpressionValue.string) ?? .null
            return .object(object)
        case .alarm(let a):
            return .object([
                "kind": "alarm", "alarm": .string(a.name), "arn": .string(a.arn ?? ""), "state": .string(a.state),
                "old": .string(a.previousState ?? ""), "reason": .string(a.reason ?? ""), "time": .string(a.time ?? ""),
                "metric": .string(a.metric ?? ""), "namespace": .string(a.namespace ?? ""),
                "dimensions": .object(a.dimensions.mapValues(ExpressionValue.string)), "source": .string(a.source),
            ])
        }
    }

    /// One line for the log: `step train failed (exit-code 137)`, `alarm HighCPU ALARM (AWS/EC2 CPUUtilization)`.
    public var summary: String {
        switch self {
        case .step(let s):
            var text = "step \(s.step) \(s.status.rawValue)"
            var details: [String] = []
            if let c = s.errorClass { details.append(c.rawValue) }
            if let code = s.exitCode { details.append("exit \(code)") }
            if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
            if let e = s.error { text += ": " + e }
            return text
        case .alarm(let a):
            var text = "alarm \(a.name) \(a.state)"
            if let metric = a.metric { text += " (" + [a.namespace, metric].compactMap { $0 }.joined(separator: " ") + ")" }
            return text
        }
    }
}

/// A step of this run that did not succeed, as recorded.
public struct StepEvidence: Sendable {
    public var step: String
    public var status: StepStatus
    public var error: String?
    public var errorClass: ErrorClass?
    public var exitCode: Int32?
    public var attempts: Int
    /// The last attempt's log (masked as written).
    public var logPath: String?

    /// The failed, cancelled and skipped steps of the run, in plan order, except `excluding` (the
    /// remediate step itself).
    static func gather(_ view: RunView, excluding self: String) throws -> [StepEvidence] {
        try view.steps().compactMap { record -> StepEvidence? in
            guard record.stepId != self, [.failed, .cancelled, .skipped].contains(record.status) else { return nil }
            let attempt = try view.lastAttempt(of: record.stepId)
            let error = record.error ?? record.reason
            let exitCode = record.exitCode ?? attempt?.exitCode
            return StepEvidence(step: record.stepId, status: record.status, error: error,
                                errorClass: classify(status: record.status, error: attempt?.error ?? error, exitCode: exitCode),
                                exitCode: exitCode, attempts: record.attempts, logPath: attempt?.logPath)
        }
    }

    /// The error class from what flow records: the status, the last attempt's error text (the
    /// engine's own wording for timeouts, signals and exit codes) and its exit code.
    static func classify(status: StepStatus, error: String?, exitCode: Int32?) -> ErrorClass? {
        switch status {
        case .cancelled: return .cancelled
        case .failed: break
        default: return nil
        }
        let text = error ?? ""
        if text.hasPrefix("timed out after") { return .timeout }
        if text.hasPrefix("killed by signal") { return .signal }
        if text.hasPrefix("exited with code") { return .exitCode }
        if let code = exitCode, code != 0 { return code > 128 ? .signal : .exitCode }
        return .error
    }

    /// The last MiB of the last attempt's log (it is masked already), or "" when there is none.
    func logTail() -> String {
        guard let logPath, let bytes = try? UntrustedFile.readTail(logPath, limit: 1 << 20, links: .refuse) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A CloudWatch alarm, normalised from an EventBridge event, an SNS notification or DescribeAlarms
/// (DOMAIN §7): `{alarm, arn, new, old, reason, time, metric, dims}`.
public struct AlarmEvidence: Sendable, Hashable {
    public var name: String
    public var arn: String?
    public var state: String
    public var previousState: String?
    public var reason: String?
    public var time: String?
    public var metric: String?
    public var namespace: String?
    public var dimensions: [String: String]
    /// `eventbridge`, `sns`, `describe-alarms`.
    public var source: String

    /// Two reports of one state change (an SNS retry, an alarm given twice) are one piece of evidence.
    var identity: String { (arn ?? name) + "@" + (time ?? state) }
}
