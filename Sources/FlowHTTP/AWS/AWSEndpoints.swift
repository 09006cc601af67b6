import Foundation

/// An AWS service as flow calls it: the name requests are signed with, the host prefix of
/// its regional endpoint, and its id for `AWS_ENDPOINT_URL_<ID>`.
public struct AWSService: Sendable, Equatable, CustomStringConvertible {
    /// SigV4 service name (`ecr`, `cloudformation`, `s3`, …).
    public let signingName: String
    /// First labels of the endpoint host (`api.ecr` in `api.ecr.us-east-1.amazonaws.com`).
    public let hostPrefix: String
    /// The service id in upper case with underscores, as in `AWS_ENDPOINT_URL_CLOUDFORMATION`.
    public let environmentID: String
    /// Global services have one endpoint per partition, signed for its home region.
    public let isGlobal: Bool

    public init(signingName: String, hostPrefix: String, environmentID: String, isGlobal: Bool = false) {
        self.signingName = signingName
        self.hostPrefix = hostPrefix
        self.environmentID = environmentID
        self.isGlobal = isGlobal
    }

    public var description: String { signingName }

    public static let sts = AWSService(signingName: "sts", hostPrefix: "sts", environmentID: "STS")
    public static let ecr = AWSService(signingName: "ecr", hostPrefix: "api.ecr", environmentID: "ECR")
    public static let cloudFormation = AWSService(signingName: "cloudformation", hostPrefix: "cloudformation",
                                                  environmentID: "CLOUDFORMATION")
    public static let s3 = AWSService(signingName: "s3", hostPrefix: "s3", environmentID: "S3")
    public static let codeBuild = AWSService(signingName: "codebuild", hostPrefix: "codebuild", environmentID: "CODEBUILD")
    public static let logs = AWSService(signingName: "logs", hostPrefix: "logs", environmentID: "CLOUDWATCH_LOGS")
    public static let events = AWSService(signingName: "events", hostPrefix: "events", environmentID: "EVENTBRIDGE")
    public static let iam = AWSService(signingName: "iam", hostPrefix: "iam", environmentID: "IAM", isGlobal: true)
}

/// Where a service's requests go and the region they are signed for.
public struct AWSEndpoint: Sendable, Equatable {
    /// Scheme, host and optional port and base path, no trailing slash.
    public var url: String
    public var signingRegion: String
    /// True when the URL came from `AWS_ENDPOINT_URL*`: S3 then uses path-style addressing
    /// (`endpoint/bucket/key`), which local and compatible servers expect.
    public var isOverride: Bool

    public init(url: String, signingRegion: String, isOverride: Bool) {
        self.url = url
        self.signingRegion = signingRegion
        self.isOverride = isOverride
    }

    /// The endpoint for `service` in `region`:
    /// 1. `AWS_ENDPOINT_URL_<ID>`, then `AWS_ENDPOINT_URL` (both as the AWS SDKs define them);
    /// 2. otherwise the partition's regional host: `amazonaws.com`, or `amazonaws.com.cn`
    ///    for `cn-` regions. Global services (IAM) use the partition's one endpoint, signed
    ///    for `us-east-1` (`cn-north-1` in China, `us-gov-west-1` in GovCloud).
    public static func resolve(_ service: AWSService, region: String, environment: [String: String]) -> AWSEndpoint {
        let specific = environment["AWS_ENDPOINT_URL_\(service.environmentID)"].flatMap(nonEmpty)
        if let override = specific ?? environment["AWS_ENDPOINT_URL"].flatMap(nonEmpty) {
            let trimmed = override.hasSuffix("/") ? String(override.dropLast()) : override
            return AWSEndpoint(url: trimmed, signingRegion: service.isGlobal ? Partition(region).globalRegion : region,
                               isOverride: true)
        }
        let partition = Partition(region)
        if service.isGlobal {
            let host = partition == .china ? "\(service.hostPrefix).\(partition.globalRegion).\(partition.domain)"
                : partition == .govCloud ? "\(service.hostPrefix).us-gov.\(partition.domain)"
                : "\(service.hostPrefix).\(partition.domain)"
            return AWSEndpoint(url: "https://\(host)", signingRegion: partition.globalRegion, isOverride: false)
        }
        return AWSEndpoint(url: "https://\(service.hostPrefix).\(region).\(partition.domain)", signingRegion: region,
                           isOverride: false)
    }

    private static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// The AWS partitions flow knows: where a region's endpoints live.
enum Partition: Equatable {
    case aws, china, govCloud

    init(_ region: String) {
        self = region.hasPrefix("cn-") ? .china : region.hasPrefix("us-gov-") ? .govCloud : .aws
    }

    var domain: String { self == .china ? "amazonaws.com.cn" : "amazonaws.com" }

    var globalRegion: String {
        switch self {
        case .aws: "us-east-1"
        case .china: "cn-north-1"
        case .govCloud: "us-gov-west-1"
        }
    }
}
