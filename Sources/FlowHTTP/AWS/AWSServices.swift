import Foundation

// Typed callers for the AWS operations flow uses, one small namespace per service. Field
// names follow the APIs; only the fields flow reads are decoded.

/// STS (Query, 2011-06-15).
public struct STS: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    public struct CallerIdentity: Sendable, Equatable {
        public var account: String
        public var arn: String
        public var userID: String
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let tree = try await client.query(.sts, action: "GetCallerIdentity", version: "2011-06-15")
        guard let result = tree.find("GetCallerIdentityResult"), let account = result.child("Account")?.text else {
            throw AWSError(service: "sts", operation: "GetCallerIdentity", status: 200, code: "UnreadableResponse",
                           message: "no Account in the answer")
        }
        return CallerIdentity(account: account, arn: result.child("Arn")?.text ?? "", userID: result.child("UserId")?.text ?? "")
    }
}

/// ECR (JSON 1.1, `AmazonEC2ContainerRegistry_V20150921`).
public struct ECR: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    static let target = "AmazonEC2ContainerRegistry_V20150921"

    public struct Repository: Sendable, Equatable, Decodable {
        public var repositoryName: String
        public var repositoryUri: String
        public var repositoryArn: String
        public var registryId: String
        public var imageTagMutability: String?
    }

    public enum TagMutability: String, Sendable { case mutable = "MUTABLE", immutable = "IMMUTABLE" }

    public func createRepository(_ name: String, tagMutability: TagMutability = .mutable) async throws -> Repository {
        struct Input: Encodable { var repositoryName: String; var imageTagMutability: String }
        struct Output: Decodable { var repository: Repository }
        let output: Output = try await client.json(.ecr, targetPrefix: ECR.target, operation: "CreateRepository",
                                                   input: Input(repositoryName: name, imageTagMutability: tagMutability.rawValue))
        return output.repository
    }

    /// The named repositories (all when `names` is empty). A missing one throws
    /// `RepositoryNotFoundException`.
    public func describeRepositories(_ names: [String] = []) async throws -> [Repository] {
        struct Input: Encodable { var repositoryNames: [String]?; var nextToken: String? }
        struct Output: Decodable { var repositories: [Repository]; var nextToken: String? }
        var repositories: [Repository] = []
        var token: String?
        repeat {
            let output: Output = try await client.json(.ecr, targetPrefix: ECR.target, operation: "DescribeRepositories",
                                                       input: Input(repositoryNames: names.isEmpty ? nil : names, nextToken: token))
            repositories += output.repositories
            token = output.nextToken
        } while token != nil
        return repositories
    }
}

/// CloudFormation (Query, 2010-05-15).
public struct CloudFormation: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    static let version = "2010-05-15"

    public struct StackSummary: Sendable, Equatable {
        public var stackName: String
        public var stackID: String
        public var stackStatus: String

        public init(stackName: String, stackID: String, stackStatus: String) {
            self.stackName = stackName
            self.stackID = stackID
            self.stackStatus = stackStatus
        }
    }

    /// Every stack (following `NextToken`), optionally only those in the given statuses.
    public func listStacks(statuses: [String] = []) async throws -> [StackSummary] {
        var stacks: [StackSummary] = []
        var token: String?
        repeat {
            var parameters = statuses.enumerated().map { ("StackStatusFilter.member.\($0.offset + 1)", $0.element) }
            if let token { parameters.append(("NextToken", token)) }
            let tree = try await client.query(.cloudFormation, action: "ListStacks", version: CloudFormation.version,
                                              parameters: parameters)
            let result = tree.find("ListStacksResult")
            for member in result?.child("StackSummaries")?.all("member") ?? [] {
                stacks.append(StackSummary(stackName: member.child("StackName")?.text ?? "",
                                           stackID: member.child("StackId")?.text ?? "",
                                           stackStatus: member.child("StackStatus")?.text ?? ""))
            }
            token = result?.child("NextToken")?.text
        } while token != nil
        return stacks
    }
}

/// S3 (REST-XML). Path-style addressing against an endpoint override (local servers),
/// virtual-hosted (`bucket.s3.<region>.amazonaws.com`) against AWS when the bucket name
/// allows it (no dots: a dotted name would not match the wildcard certificate).
public struct S3: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    /// A write's condition: S3's conditional writes make a put create-only or compare-and-set.
    public enum WriteCondition: Sendable, Equatable {
        case none
        /// `If-None-Match: *`: only when the key does not exist (else 412 `PreconditionFailed`).
        case ifAbsent
        /// `If-Match: <etag>`: only over this version (else 412; 404 when the key is gone).
        case ifMatch(String)
    }

    public func url(bucket: String, key: String? = nil) -> String {
        let endpoint = client.endpoint(.s3)
        let path = key.map { "/" + AWSClient.encodePath($0) } ?? "/"
        if endpoint.isOverride || bucket.contains(".") {
            return endpoint.url + "/" + AWSClient.encode(bucket) + (key == nil ? "" : path)
        }
        let host = endpoint.url.replacingOccurrences(of: "https://", with: "https://\(bucket).")
        return host + path
    }

    public func createBucket(_ bucket: String) async throws {
        var body = HTTPBody.none
        if client.region != "us-east-1" {
            let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(client.region)</LocationConstraint></CreateBucketConfiguration>"
            body = .bytes(Data(xml.utf8))
        }
        _ = try await client.send(.s3, operation: "CreateBucket", method: "PUT", url: url(bucket: bucket), body: body)
    }

    /// Writes an object; returns its new ETag (quotes included, as S3 sends it).
    @discardableResult
    public func putObject(bucket: String, key: String, body: HTTPBody, contentType: String? = nil,
                          condition: WriteCondition = .none) async throws -> String {
        var headers = HTTPHeaders()
        if let contentType { headers.set("Content-Type", contentType) }
        switch condition {
        case .none: break
        case .ifAbsent: headers.set("If-None-Match", "*")
        case .ifMatch(let etag): headers.set("If-Match", etag)
        }
        let response = try await client.send(.s3, operation: "PutObject", method: "PUT", url: url(bucket: bucket, key: key),
                                             headers: headers, body: body)
        return response.headers["ETag"] ?? ""
    }

    /// Reads an object into memory or a file; the response carries its ETag.
    public func getObject(bucket: String, key: String,
                          destination: ResponseDestination = .memory(limit: ResponseDestination.defaultMemoryLimit)) async throws -> HTTPResponse {
        try await client.send(.s3, operation: "GetObject", method: "GET", url: url(bucket: bucket, key: key),
                              destination: destination)
    }
}
