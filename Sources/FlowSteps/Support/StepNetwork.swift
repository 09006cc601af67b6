import FlowCore
import FlowEngine
import FlowHTTP

/// The HTTP and AWS clients a run's steps share: one HTTP client over libcurl, one AWS
/// credential chain (environment, profile, container and instance credentials), endpoints from
/// `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`. Made once per run by whoever starts it
/// and handed to steps through ``StepResources``.
public struct StepNetwork: Sendable {
    public var http: HTTPClient
    public var credentials: any AWSCredentialProvider
    /// The environment the clients read (`AWS_*`, proxies, `HOME`).
    public var environment: [String: String]

    public init(http: HTTPClient, credentials: any AWSCredentialProvider, environment: [String: String]) {
        self.http = http
        self.credentials = credentials
        self.environment = environment
    }

    /// The clients for a run started with `environment`.
    public static func standard(environment: [String: String], clock: any FlowClock) -> StepNetwork {
        let http = HTTPClient(transport: CurlTransport(environment: environment), clock: clock)
        return StepNetwork(http: http, credentials: AWSCredentialChain(environment: environment, http: http, clock: clock),
                           environment: environment)
    }

    /// An AWS client for `region`, or for the region the environment and profile name.
    public func aws(region: String? = nil) throws -> AWSClient {
        let resolved: String
        if let region, !region.isEmpty {
            resolved = region
        } else {
            do {
                guard let found = try AWSRegion.resolve(environment: environment) else {
                    throw StepError("no AWS region: give the step a `region`, or set AWS_REGION", kind: .terminal)
                }
                resolved = found
            } catch let error as StepError {
                throw error
            } catch {
                throw StepError("the AWS configuration cannot be read: \(error)", kind: .terminal)
            }
        }
        return AWSClient(http: http, credentials: credentials, region: resolved, environment: environment)
    }

    /// The key under which a run carries its network.
    public enum Key: StepResourceKey {
        public typealias Value = StepNetwork
    }
}

extension StepContext {
    /// The run's HTTP and AWS clients; a terminal error when the run was started without them.
    public func network() throws -> StepNetwork {
        guard let network = resources[StepNetwork.Key.self] else {
            throw StepError("this run has no HTTP or AWS client (it was started without one)", kind: .terminal)
        }
        return network
    }
}

extension StepResources {
    /// The resources every run started by flow's commands carries.
    public static func standard(environment: [String: String], clock: any FlowClock) -> StepResources {
        var resources = StepResources()
        resources[StepNetwork.Key.self] = .standard(environment: environment, clock: clock)
        return resources
    }
}
