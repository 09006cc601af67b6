import Foundation

/// CloudWatch Logs (JSON 1.1, `Logs_20140328`): reading one log stream from its head.
public struct CloudWatchLogsClient: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    static let target = "Logs_20140328"

    public struct Event: Sendable, Hashable, Decodable {
        public var timestamp: Int64?
        public var message: String
    }

    /// One page of a stream, oldest first, and the token of the next page. The stream has no
    /// more events (for now) when the token handed back equals the one sent.
    public struct Page: Sendable, Hashable, Decodable {
        public var events: [Event]
        public var nextForwardToken: String?
    }

    public func getLogEvents(group: String, stream: String, nextToken: String?, limit: Int? = nil) async throws -> Page {
        struct Input: Encodable {
            var logGroupName: String
            var logStreamName: String
            var startFromHead = true
            var nextToken: String?
            var limit: Int?
        }
        return try await client.json(.logs, targetPrefix: Self.target, operation: "GetLogEvents",
                                     input: Input(logGroupName: group, logStreamName: stream, nextToken: nextToken, limit: limit))
    }
}
