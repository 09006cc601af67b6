import Foundation
import FlowCore
import FlowHTTP

/// Reads CloudWatch alarms from what AWS delivers (DOMAIN §7): an EventBridge "CloudWatch Alarm
/// State Change" event, an SNS notification whose `Message` is the alarm as a JSON string, that
/// alarm message by itself, or a list of any of these.
enum AlarmEvents {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func alarms(from value: ExpressionValue) throws -> [AlarmEvidence] {
        switch value {
        case .array(let items): return try items.flatMap { try alarms(from: $0) }
        case .object(let o):
            if o["detail-type"] != nil || o["detail"] != nil { return [try eventBridge(o)] }
            if o["Type"]?.stringValue == "Notification", let message = o["Message"]?.stringValue {
                let inner: ExpressionValue
                do { inner = try ExpressionValue(json: message) } catch {
                    throw Unreadable(description: "the SNS notification's `Message` is not JSON: \(error.message)")
                }
                guard case .object(let m) = inner else { throw Unreadable(description: "the SNS notification's `Message` is not a JSON object") }
                return [try snsMessage(m, source: "sns")]
            }
            if o["Type"] != nil {
                throw Unreadable(description: "an SNS `\(o["Type"]!.stringValue)` message holds no alarm; only a `Notification` does")
            }
            if o["AlarmName"] != nil { return [try snsMessage(o, source: "sns")] }
            throw Unreadable(description: "it is neither an EventBridge alarm event (`detail-type`, `detail`) nor an SNS alarm notification (`Type`, `Message`)")
        default:
            throw Unreadable(description: "an alarm is a JSON object, not \(value.kindWord)")
        }
    }

    static func eventBridge(_ o: [String: ExpressionValue]) throws -> AlarmEvidence {
        let type = o["detail-type"]?.stringValue ?? ""
        guard type == "CloudWatch Alarm State Change" else {
            throw Unreadable(description: "the EventBridge event is a `\(type)`, not a `CloudWatch Alarm State Change`")
        }
        guard case .object(let detail)? = o["detail"], let name = detail["alarmName"]?.nonEmpty else {
            throw Unreadable(description: "the EventBridge event has no `detail.alarmName`")
        }
        let state = detail["state"]?.member("value")?.nonEmpty
        guard let state else { throw Unreadable(description: "the EventBridge event has no `detail.state.value`") }
        var alarm = AlarmEvidence(name: name, arn: o["resources"]?.element(0)?.nonEmpty, state: state,
                                  previousState: detail["previousState"]?.member("value")?.nonEmpty,
                                  reason: detail["state"]?.member("reason")?.nonEmpty,
                                  time: detail["state"]?.member("timestamp")?.nonEmpty ?? o["time"]?.nonEmpty,
                                  dimensions: [:], source: "eventbridge")
        // The first metric of the configuration (a metric-math alarm has several; a composite none).
        if case .array(let metrics)? = detail["configuration"]?.member("metrics") {
            for m in metrics {
                guard let metric = m.member("metricStat")?.member("metric") else { continue }
                alarm.metric = metric.member("name")?.nonEmpty
                alarm.namespace = metric.member("namespace")?.nonEmpty
                if case .object(let dims)? = metric.member("dimensions") { alarm.dimensions = dims.mapValues(\.stringValue) }
                break
            }
        }
        return alarm
    }

    static func snsMessage(_ m: [String: ExpressionValue], source: String) throws -> AlarmEvidence {
        guard let name = m["AlarmName"]?.nonEmpty, let state = m["NewStateValue"]?.nonEmpty else {
            throw Unreadable(description: "the SNS alarm message has no `AlarmName` or `NewStateValue`")
        }
        var alarm = AlarmEvidence(name: name, arn: m["AlarmArn"]?.nonEmpty, state: state, previousState: m["OldStateValue"]?.nonEmpty,
                                  reason: m["NewStateReason"]?.nonEmpty, time: m["StateChangeTime"]?.nonEmpty,
                                  dimensions: [:], source: source)
        if case .object(let trigger)? = m["Trigger"] {
            alarm.metric = trigger["MetricName"]?.nonEmpty
            alarm.namespace = trigger["Namespace"]?.nonEmpty
            if case .array(let dims)? = trigger["Dimensions"] {
                for d in dims {
                    // SNS writes `{name, value}`; accept `{Name, Value}` as the API does.
                    if let key = (d.member("name") ?? d.member("Name"))?.nonEmpty {
                        alarm.dimensions[key] = (d.member("value") ?? d.member("Value"))?.stringValue ?? ""
                    }
                }
            }
        }
        return alarm
    }

    /// The alarms in ALARM through CloudWatch `DescribeAlarms` (Query, 2010-08-01), every page
    /// up to `maxPages`.
    static func describe(_ client: AWSClient, maxPages: Int = 20) async throws -> [AlarmEvidence] {
        var alarms: [AlarmEvidence] = []
        var token: String?
        for _ in 0..<maxPages {
            var parameters = [("StateValue", "ALARM"), ("AlarmTypes.member.1", "MetricAlarm")]
            if let token { parameters.append(("NextToken", token)) }
            let tree = try await client.query(cloudWatch, action: "DescribeAlarms", version: "2010-08-01", parameters: parameters)
            let result = tree.find("DescribeAlarmsResult")
            for member in result?.child("MetricAlarms")?.all("member") ?? [] {
                guard let name = member.child("AlarmName")?.text, !name.isEmpty else { continue }
                var dims: [String: String] = [:]
                for d in member.child("Dimensions")?.all("member") ?? [] {
                    if let key = d.child("Name")?.text { dims[key] = d.child("Value")?.text ?? "" }
                }
                alarms.append(AlarmEvidence(
                    name: name, arn: member.child("AlarmArn")?.text, state: member.child("StateValue")?.text ?? "ALARM",
                    previousState: nil, reason: member.child("StateReason")?.text, time: member.child("StateUpdatedTimestamp")?.text,
                    metric: member.child("MetricName")?.text, namespace: member.child("Namespace")?.text, dimensions: dims,
                    source: "describe-alarms"))
            }
            token = result?.child("NextToken")?.text
            if token?.isEmpty ?? true { break }
        }
        return alarms
    }

    /// CloudWatch's Query endpoint (`monitoring`), overridden by `AWS_ENDPOINT_URL_CLOUDWATCH`.
    static let cloudWatch = AWSService(signingName: "monitoring", hostPrefix: "monitoring", environmentID: "CLOUDWATCH")
}

extension ExpressionValue {
    func member(_ key: String) -> ExpressionValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    func element(_ index: Int) -> ExpressionValue? {
        if case .array(let a) = self, index < a.count { return a[index] }
        return nil
    }

    /// The string form, nil when null or empty.
    var nonEmpty: String? {
        if case .null = self { return nil }
        let s = stringValue
        return s.isEmpty ? nil : s
    }

    var kindWord: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
