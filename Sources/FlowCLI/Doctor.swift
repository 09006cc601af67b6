import FlowCore
import FlowEngine
import FlowHTTP
import FlowSystem
import Foundation

/// What `flow doctor` found: one check per subject, each ok, a warning (worth knowing, not
/// blocking) or a problem (something flow's pipelines need does not work), with what to do.
struct DoctorReport: Encodable {
    enum Verdict: String, Encodable { case ok, warning, problem }

    struct Check: Encodable {
        var name: String
        var verdict: Verdict
        var summary: String
        /// What to do about it (warnings and problems).
        var fix: String?
    }

    struct State: Encodable {
        var directory: String
        var database: String
        var exists: Bool
        var sqliteVersion: String
        var integrity: String?
    }

    struct HTTPLibrary: Encodable {
        var libcurl: String
        var tls: String
    }

    struct ContainerEngine: Encodable {
        var name: String
        var path: String?
        var usable: Bool
        var detail: String
    }

    struct AWS: Encodable {
        var region: String?
        var credentialSource: String?
        /// The key id's last four characters (`…WXYZ`); the key itself is not printed.
        var accessKey: String?
        var account: String?
        var arn: String?
        var stsEndpoint: String?
        var error: String?
    }

    struct CodeBuild: Encodable {
        var inside: Bool
        var buildID: String?
        var region: String?
    }

    var version: String
    var state: State
    var http: HTTPLibrary
    var containerEngines: [ContainerEngine]
    var aws: AWS
    var codebuild: CodeBuild
    var checks: [Check]

    var ok: Bool { !checks.contains { $0.verdict == .problem } }

    enum CodingKeys: String, CodingKey { case version, ok, state, http, containerEngines, aws, codebuild, checks }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(ok, forKey: .ok)
        try container.encode(state, forKey: .state)
        try container.encode(http, forKey: .http)
        try container.encode(containerEngines, forKey: .containerEngines)
        try container.encode(aws, forKey: .aws)
        try container.encode(codebuild, forKey: .codebuild)
        try container.encode(checks, forKey: .checks)
    }
}

/// The checks behind `flow doctor`, from the environment and the machine it is given.
struct Doctor {
    var environment: [String: String]
    var stateDirectory: StateDirectory
    var clock: any FlowClock
    /// How long a container engine's `info` may take before it counts as not usable.
    var probeTimeout: Double = 15

    func run() async -> DoctorReport {
        var checks: [DoctorReport.Check] = []
        let state = checkState(&checks)
        let library = CurlTransport.libraryVersion
        if let problem = CurlTransport.libraryProblem {
            checks.append(.init(name: "http", verdict: .problem, summary: problem,
                                fix: "install libcurl (apt install libcurl4); flow loads it on its first request"))
        } else {
            checks.append(.init(name: "http", verdict: .ok, summary: "libcurl \(library.version), \(library.tls)"))
        }
        let engines = await ContainerEngineProbe.probeAll(environment: environment, timeout: probeTimeout, clock: clock)
        checks.append(engineCheck(engines))
        let aws = await checkAWS(&checks)
        let codebuild = DoctorReport.CodeBuild(inside: environment["CODEBUILD_BUILD_ID"] != nil,
                                               buildID: environment["CODEBUILD_BUILD_ID"],
                                               region: environment["CODEBUILD_BUILD_ID"] == nil ? nil : environment["AWS_REGION"])
        checks.append(.init(name: "codebuild", verdict: .ok,
                            summary: codebuild.inside ? "inside CodeBuild, build \(codebuild.buildID ?? "")" : "not inside CodeBuild"))
        return DoctorReport(version: FlowCommand.version, state: state,
                            http: .init(libcurl: library.version, tls: library.tls),
                            containerEngines: engines, aws: aws, codebuild: codebuild, checks: checks)
    }

    private func checkState(_ checks: inout [DoctorReport.Check]) -> DoctorReport.State {
        let exists = FileManager.default.fileExists(atPath: stateDirectory.databasePath)
        var state = DoctorReport.State(directory: stateDirectory.path, database: stateDirectory.databasePath, exists: exists,
                                       sqliteVersion: RunDatabase.sqliteVersion)
        guard exists else {
            let parent = URL(fileURLWithPath: stateDirectory.path).deletingLastPathComponent().path
            let creatable = FileManager.default.isWritableFile(atPath: FileManager.default.fileExists(atPath: stateDirectory.path)
                                                               ? stateDirectory.path : parent)
            checks.append(creatable
                ? .init(name: "state", verdict: .ok,
                        summary: "\(stateDirectory.path) (no runs yet; created by the first run), SQLite \(state.sqliteVersion)")
                : .init(name: "state", verdict: .problem, summary: "\(stateDirectory.path) cannot be created here",
                        fix: "point --state-dir or FLOW_HOME at a directory you can write"))
            return state
        }
        do {
            let integrity = try RunDatabase(path: stateDirectory.databasePath).quickCheck()
            state.integrity = integrity
            checks.append(integrity == "ok"
                ? .init(name: "state", verdict: .ok, summary: "\(stateDirectory.databasePath), SQLite \(state.sqliteVersion)")
                : .init(name: "state", verdict: .problem, summary: "\(stateDirectory.databasePath) is damaged: \(integrity)",
                        fix: "move the file aside and start again, or restore it from a copy"))
        } catch {
            state.integrity = "\(error)"
            checks.append(.init(name: "state", verdict: .problem, summary: "\(stateDirectory.databasePath) cannot be opened: \(error)",
                                fix: "check the file's owner and permissions (flow keeps it 0600 in a 0700 directory)"))
        }
        return state
    }

    private func engineCheck(_ engines: [DoctorReport.ContainerEngine]) -> DoctorReport.Check {
        let usable = engines.filter(\.usable)
        let listing = engines.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
        if usable.isEmpty {
            return .init(name: "containers", verdict: .problem, summary: "no usable container engine (\(listing))",
                         fix: "install buildah (apt-get install buildah; it needs no daemon), or start the Docker or Podman service")
        }
        return .init(name: "containers", verdict: .ok, summary: listing)
    }

    private func checkAWS(_ checks: inout [DoctorReport.Check]) async -> DoctorReport.AWS {
        var aws = DoctorReport.AWS()
        do {
            aws.region = try AWSRegion.resolve(environment: environment)
        } catch {
            aws.error = "\(error)"
            checks.append(.init(name: "aws", verdict: .problem, summary: "the AWS configuration cannot be read: \(error)",
                                fix: "correct the line named above (the AWS CLI reads the same files)"))
            return aws
        }
        let http = HTTPClient(transport: CurlTransport(environment: environment), clock: clock,
                              retry: HTTPRetryPolicy(attempts: 2))
        let chain = AWSCredentialChain(environment: environment, http: http, clock: clock)
        let credentials: AWSCredentials
        do {
            credentials = try await chain.credentials()
        } catch {
            aws.error = "\(error)"
            let text = "\(error)"
            checks.append(.init(name: "aws", verdict: .problem,
                                summary: text.hasPrefix("no AWS credentials") ? text : "no AWS credentials: \(text)",
                                fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials; in CodeBuild, give the project a service role"))
            return aws
        }
        aws.credentialSource = credentials.source.name
        aws.accessKey = "…" + credentials.accessKeyId.suffix(4)
        guard let region = aws.region else {
            checks.append(.init(name: "aws", verdict: .problem,
                                summary: "credentials from \(credentials.source), but no region",
                                fix: "set AWS_REGION (or AWS_DEFAULT_REGION, or region in the profile)"))
            return aws
        }
        let client = AWSClient(http: http, credentials: StaticCredentials(credentials), region: region, environment: environment)
        aws.stsEndpoint = client.endpoint(.sts).url
        do {
            let identity = try await STS(client).getCallerIdentity()
            aws.account = identity.account
            aws.arn = identity.arn
            checks.append(.init(name: "aws", verdict: .ok,
                                summary: "credentials from \(credentials.source) (key \(aws.accessKey ?? "")), account \(identity.account), region \(region)"))
        } catch {
            aws.error = "\(error)"
            checks.append(.init(name: "aws", verdict: .problem,
                                summary: "credentials from \(credentials.source) (key \(aws.accessKey ?? "")) were refused by STS: \(error)",
                                fix: "check the keys are current and the clock is right; with AWS_ENDPOINT_URL set, check that endpoint answers"))
        }
        return aws
    }
}

/// Which container engines are installed, and whether each answers `info`.
enum ContainerEngineProbe {
    static let names = ["docker", "podman", "buildah"]

    /// Probes every engine of ``names`` at once (each may take up to `timeout` seconds), in that order.
    static func probeAll(environment: [String: String], timeout: Double, clock: any FlowClock) async -> [DoctorReport.ContainerEngine] {
        await withTaskGroup(of: (Int, DoctorReport.ContainerEngine).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask { (index, await probe(name, environment: environment, timeout: timeout, clock: clock)) }
            }
            var engines: [(Int, DoctorReport.ContainerEngine)] = []
            for await engine in group { engines.append(engine) }
            return engines.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    static func probe(_ name: String, environment: [String: String], timeout: Double, clock: any FlowClock) async -> DoctorReport.ContainerEngine {
        guard let path = which(name, environment: environment) else {
            return .init(name: name, path: nil, usable: false, detail: "not installed")
        }
        let arguments = name == "docker" ? ["info", "--format", "{{.ServerVersion}}"] : ["info"]
        let (status, output) = await run(path, arguments, environment: environment, timeout: timeout, clock: clock)
        if status == 0 { return .init(name: name, path: path, usable: true, detail: "usable (\(path))") }
        let reason = status == nil ? "`\(name) info` did not answer within \(Int(timeout)) s"
            : output.split(whereSeparator: \.isNewline).last.map { String($0.prefix(200)) } ?? "`\(name) info` failed"
        return .init(name: name, path: path, usable: false, detail: "installed, not usable: \(reason)")
    }

    /// The engine's program on the environment's `PATH` (flow's one lookup), or nil.
    static func which(_ name: String, environment: [String: String]) -> String? {
        try? ExecutableLookup.resolve(name, environment: environment)
    }

    /// Runs the command with output captured, killed (with its group) after `timeout` seconds
    /// on `clock`: its status (-1 when a signal ended it or it could not start) and what it
    /// said, standard error when it said anything there, else standard output; a nil status
    /// when it outlived the timeout.
    static func run(_ path: String, _ arguments: [String], environment: [String: String], timeout: Double,
                    clock: any FlowClock) async -> (Int32?, String) {
        do {
            let result = try await ChildProcess.run([path] + arguments, environment: environment, timeout: .seconds(timeout),
                                                    sleep: { try await clock.sleep(for: $0) })
            let said = result.standardErrorText.contains(where: { !$0.isWhitespace }) ? result.standardErrorText : result.standardOutputText
            return (result.exitStatus ?? -1, said)
        } catch {
            if case .timedOut = error { return (nil, "") }
            return (-1, "\(error)")
        }
    }
}
