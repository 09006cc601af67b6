import FlowEngine
import FlowHTTP

/// Copies a build's CloudWatch Logs stream into the step log as it grows: `GetLogEvents` from the
/// head, then from each `nextForwardToken`; the stream has nothing more for now when the token
/// comes back unchanged. A stream that does not exist yet (the build is still provisioning) is
/// no events yet.
struct CodeBuildLogFollower {
    let logs: CloudWatchLogsClient
    var group: String
    var stream: String
    private(set) var token: String?
    private(set) var lines = 0

    init(logs: CloudWatchLogsClient, group: String, stream: String) {
        self.logs = logs
        self.group = group
        self.stream = stream
    }

    /// Reads every page there is now into `log`; returns how many events it copied.
    @discardableResult
    mutating func drain(into log: StepLog, pageLimit: Int? = nil) async throws -> Int {
        var copied = 0
        while true {
            let page: CloudWatchLogsClient.Page
            do {
                page = try await logs.getLogEvents(group: group, stream: stream, nextToken: token, limit: pageLimit)
            } catch let error as AWSError where error.code == "ResourceNotFoundException" {
                return copied
            }
            for event in page.events {
                var message = event.message
                if !message.hasSuffix("\n") { message += "\n" }
                log.write(Array(message.utf8))
            }
            copied += page.events.count
            lines += page.events.count
            let next = page.nextForwardToken
            defer { token = next ?? token }
            if next == nil || next == token || page.events.isEmpty { return copied }
        }
    }
}
