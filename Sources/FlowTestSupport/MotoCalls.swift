import Foundation
import FlowHTTP
import FlowSteps

/// Calls tests make to moto itself for CodeBuild (creating projects and log streams, listing
/// builds): the state a real account would have, which flow only reads.
public struct MotoCalls: Sendable {
    public let client: AWSClient

    public init(_ moto: MotoServer) { client = moto.client() }

    public init(client: AWSClient) { self.client = client }

    public func createProject(_ name: String) async throws {
        struct Input: Encodable {
            struct Source: Encodable { var type = "S3"; var location = "flow-test-sources/source.zip" }
            struct Artifacts: Encodable { var type = "NO_ARTIFACTS" }
            struct Environment: Encodable {
                var type = "LINUX_CONTAINER"; var image = "aws/codebuild/standard:7.0"; var computeType = "BUILD_GENERAL1_SMALL"
            }
            var name: String
            var source = Source()
            var artifacts = Artifacts()
            var environment = Environment()
            var serviceRole = "arn:aws:iam::123456789012:role/flow-test-codebuild"
        }
        let _: JSONValue = try await client.json(.codeBuild, targetPrefix: "CodeBuild_20161006", operation: "CreateProject", input: Input(name: name))
    }

    public func builds(of project: String) async throws -> [String] {
        struct Input: Encodable { var projectName: String }
        struct Output: Decodable { var ids: [String]? }
        let output: Output = try await client.json(.codeBuild, targetPrefix: "CodeBuild_20161006", operation: "ListBuildsForProject",
                                                   input: Input(projectName: project))
        return output.ids ?? []
    }

    public func putLogEvents(group: String, stream: String, _ messages: [String]) async throws {
        struct Group: Encodable { var logGroupName: String }
        struct Stream: Encodable { var logGroupName: String; var logStreamName: String }
        struct Event: Encodable { var timestamp: Int64; var message: String }
        struct Put: Encodable { var logGroupName: String; var logStreamName: String; var logEvents: [Event] }
        do {
            let _: JSONValue = try await client.json(.logs, targetPrefix: "Logs_20140328", operation: "CreateLogGroup", input: Group(logGroupName: group))
        } catch let error as AWSError where error.code == "ResourceAlreadyExistsException" {}
        do {
            let _: JSONValue = try await client.json(.logs, targetPrefix: "Logs_20140328", operation: "CreateLogStream",
                                                     input: Stream(logGroupName: group, logStreamName: stream))
        } catch let error as AWSError where error.code == "ResourceAlreadyExistsException" {}
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        let events = messages.enumerated().map { Event(timestamp: start + Int64($0.offset), message: $0.element) }
        let _: JSONValue = try await client.json(.logs, targetPrefix: "Logs_20140328", operation: "PutLogEvents",
                                                 input: Put(logGroupName: group, logStreamName: stream, logEvents: events))
    }
}
