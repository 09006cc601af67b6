import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
@testable import FlowSteps
import FlowTestSupport

/// Alarms as evidence: an EventBridge event and an SNS notification from files (DOMAIN §7), and
/// the alarms in ALARM read from moto's CloudWatch through DescribeAlarms.
@Suite("Remediate alarms")
struct RemediateAlarmTests {
    static let eventBridge = """
        {"version":"0","id":"c4c1c1c9-6542-e61b-6ef0-8c4d36933a92","detail-type":"CloudWatch Alarm State Change",
         "source":"aws.cloudwatch","account":"123456789012","time":"2019-10-02T17:04:40Z","region":"us-east-1",
         "resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
         "detail":{"alarmName":"ServerCpuTooHigh",
           "state":{"value":"ALARM","reason":"Threshold Crossed: 1 datapoint [99.5] was greater than 90","reasonData":"{}","timestamp":"2019-10-02T17:04:40.985+0000"},
           "previousState":{"value":"OK","reason":"fine","timestamp":"2019-10-02T17:00:00.000+0000"},
           "configuration":{"description":"cpu","metrics":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/EC2",
             "name":"CPUUtilization","dimensions":{"InstanceId":"i-12345678901234567"}},"period":300,"stat":"Average"},"returnData":true}]}}}
        """

    static let sns: String = {
        let message = """
            {"AlarmName":"QueueDepth","AlarmDescription":null,"AWSAccountId":"123456789012","NewStateValue":"ALARM",
             "NewStateReason":"Threshold Crossed","StateChangeTime":"2026-12-01T10:00:00.000+0000","Region":"US East (N. Virginia)",
             "AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:QueueDepth","OldStateValue":"OK",
             "Trigger":{"MetricName":"ApproximateNumberOfMessagesVisible","Namespace":"AWS/SQS","StatisticType":"Statistic",
               "Statistic":"AVERAGE","Unit":null,"Dimensions":[{"value":"jobs","name":"QueueName"}],"Period":60,
               "EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":100.0}}
            """
        let quoted = JSONText.quote(message.replacingOccurrences(of: "\n", with: ""))
        return """
            {"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
             "TopicArn":"arn:aws:sns:us-east-1:123456789012:alarms","Subject":"ALARM: QueueDepth",
             "Message":\(quoted),"Timestamp":"2026-12-01T10:00:01.000Z","SignatureVersion":"1","Signature":"EXAMPLE",
             "SigningCertURL":"https://sns.us-east-1.amazonaws.com/cert.pem","UnsubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}
            """
    }()

    static let rules = """
        rules:
          - id: cpu
            when: { alarm: { name: "Server*", metric: CPUUtilization, namespace: AWS/EC2, dimensions: { InstanceId: i-12345678901234567 }, state: ALARM } }
            action: { run: "echo scaling out for ${{ evidence.alarm }} on ${{ evidence.dimensions.InstanceId }}" }
            confidence: 0.9
          - id: queue
            when: { alarm: { metric: ApproximateNumberOfMessagesVisible, dimensions: { QueueName: jobs } } }
            action: { run: "echo draining ${{ evidence.alarm }} from ${{ evidence.source }}" }
            confidence: 0.9
        """

    func alarmPipeline(_ with: String) -> String {
        """
        name: alarms
        steps:
          remediate:
            uses: remediate
            with:
        \(with.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    @Test func anEventBridgeEventFromAFileIsEvidence() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.rules)
        try h.write("event.json", Self.eventBridge)
        let r = try await h.run(alarmPipeline("runbook: runbook.yml\nalarm: event.json"))
        #expect(r.outputs["rule"] == "cpu", "\(r.log)")
        #expect(r.log.contains("scaling out for ServerCpuTooHigh on i-12345678901234567"))
        let evidence = try ExpressionValue(json: try #require(r.audit.first?.evidence))
        #expect(evidence.member("arn") == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh")
        #expect(evidence.member("old") == "OK" && evidence.member("source") == "eventbridge")
        #expect(evidence.member("time") == "2019-10-02T17:04:40.985+0000")
    }

    @Test func anSNSNotificationFromAFileIsEvidence() async throws {
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.rules)
        try h.write("sns.json", Self.sns)
        let r = try await h.run(alarmPipeline("runbook: runbook.yml\nalarm: sns.json"))
        #expect(r.outputs["rule"] == "queue", "\(r.log)")
        #expect(r.log.contains("draining QueueDepth from sns"))
    }

    @Test func anInlineEventAndJSONTextAreEvidenceToo() async throws {
        let value = try ExpressionValue(json: Self.eventBridge)
        let alarms = try AlarmEvents.alarms(from: .array([value, try ExpressionValue(json: Self.sns)]))
        #expect(alarms.map(\.name) == ["ServerCpuTooHigh", "QueueDepth"])
        #expect(alarms[1].dimensions == ["QueueName": "jobs"] && alarms[1].namespace == "AWS/SQS" && alarms[1].previousState == "OK")
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.rules)
        let r = try await h.run(alarmPipeline("runbook: runbook.yml\nalarm: { detail-type: CloudWatch Alarm State Change, detail: { alarmName: ServerCpuX, state: { value: ALARM } } }"))
        #expect(r.audit.first?.rule == nil, "no metric: the cpu rule does not match")
        #expect(r.outputs["outcome"] == "needs-person")
    }

    @Test func somethingThatIsNotAnAlarmIsATerminalError() async throws {
        #expect(throws: AlarmEvents.Unreadable.self) { try AlarmEvents.alarms(from: ["Type": "SubscriptionConfirmation", "Token": "x"]) }
        #expect(throws: AlarmEvents.Unreadable.self) { try AlarmEvents.alarms(from: ["detail-type": "CloudWatch Alarm Configuration Change", "detail": [:]]) }
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.rules)
        try h.write("nothing.json", #"{"hello": "world"}"#)
        let r = try await h.run(alarmPipeline("runbook: runbook.yml\nalarm: nothing.json"))
        #expect(r.steps["remediate"]?.status == .failed)
        #expect(r.steps["remediate"]?.error?.hasPrefix("alarm file nothing.json holds no CloudWatch alarm") == true)
    }

    /// moto keeps alarms and `SetAlarmState`; real CloudWatch would also evaluate the metric and
    /// move the alarm back, which moto does not.
    @Test func alarmsInAlarmAreReadThroughDescribeAlarms() async throws {
        let moto = try await MotoServer.shared()
        let client = moto.client(region: "eu-west-1")
        let name = "flow-remediate-\(UUID().uuidString.prefix(8))"
        let service = AWSService(signingName: "monitoring", hostPrefix: "monitoring", environmentID: "CLOUDWATCH")
        _ = try await client.query(service, action: "PutMetricAlarm", version: "2010-08-01", parameters: [
            ("AlarmName", name), ("MetricName", "CPUUtilization"), ("Namespace", "AWS/EC2"), ("Statistic", "Average"),
            ("Period", "60"), ("EvaluationPeriods", "1"), ("Threshold", "90"), ("ComparisonOperator", "GreaterThanThreshold"),
            ("Dimensions.member.1.Name", "InstanceId"), ("Dimensions.member.1.Value", "i-12345678901234567"),
        ])
        _ = try await client.query(service, action: "SetAlarmState", version: "2010-08-01", parameters: [
            ("AlarmName", name), ("StateValue", "ALARM"), ("StateReason", "test"),
        ])
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", Self.rules.replacingOccurrences(of: "name: \"Server*\"", with: "name: \"flow-remediate-*\""))
        let environment = [
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey, "AWS_REGION": "eu-west-1",
        ]
        let r = try await h.run(alarmPipeline("runbook: runbook.yml\nalarms: describe"), environment: environment)
        #expect(r.steps["remediate"]?.status == .succeeded, "\(r.log)")
        let mine = r.audit.filter { ($0.evidence ?? "").contains(name) }
        #expect(mine.count == 1)
        #expect(mine.first?.rule == "cpu" && mine.first?.outcome == "acted")
        #expect(r.log.contains("scaling out for \(name) on i-12345678901234567"))
        let evidence = try ExpressionValue(json: try #require(mine.first?.evidence))
        #expect(evidence.member("source") == "describe-alarms" && evidence.member("state") == "ALARM")
    }
}
