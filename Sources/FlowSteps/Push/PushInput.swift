import FlowCore

/// The `with:` of a `push` step; its fields are the step's schema.
public struct PushInput: StepInputSchema {
    public var image: String
    public var registry: String?
    public var repository: String?
    public var tags: PushTags?
    public var version: String?
    public var username: String?
    public var password: String?
    public var insecure: Bool
    public var caCert: InputPath?
    public var engine: EngineChoice
    public var region: String?
    public var regions: [String]?
    public var account: String?
    public var createRepository: Bool
    public var scanOnPush: Bool
    public var immutableTags: Bool
    public var registryEndpoint: String?

    enum CodingKeys: String, CodingKey {
        case image, registry, repository, tags, version, username, password, insecure, caCert = "ca-cert", engine,
             region, regions, account, createRepository = "create-repository", scanOnPush = "scan-on-push",
             immutableTags = "immutable-tags", registryEndpoint = "registry-endpoint"
    }

    public static let help: [String: InputHelp] = [
        "image": InputHelp("the local image to push (`build`'s output `image`)"),
        "registry": InputHelp("`host[:port]` of an OCI registry, or an ECR registry `<account>.dkr.ecr.<region>.amazonaws.com` (default: the registry in `image`'s name, or ECR when `region`/`regions` is given)"),
        "repository": InputHelp("the repository under the registry (default: `image`'s name without registry and tag)"),
        "tags": InputHelp("literal tags and tag strategies (`git-sha`, `semver`, `latest`, `timestamp`, `run-id`, `auto`, `semantic`): `[v1, git-sha]`, `latest` or `{ strategy: git-sha }` (default: `image`'s own tag, else `latest`)"),
        "version": InputHelp("the version for `semver` and `semantic` (default: the git tag at HEAD)"),
        "username": InputHelp("the registry user (not for ECR, whose login is `GetAuthorizationToken`)"),
        "password": InputHelp("the registry password or token; written only to a mode-0600 auth file of the attempt", secret: true),
        "insecure": InputHelp("allow plain HTTP or an unverified certificate for this registry only (said in the log)", default: "false"),
        "ca-cert": InputHelp("a PEM file of CA certificates to trust for this registry (a self-signed registry's)", mustExist: true),
        "engine": InputHelp("the engine that pushes", default: "auto"),
        "region": InputHelp("the ECR region (ECR when given without `registry`)"),
        "regions": InputHelp("several ECR regions: the image is pushed to each region's registry and verified there"),
        "account": InputHelp("the ECR account id (default: the account `GetAuthorizationToken` names)"),
        "create-repository": InputHelp("ECR: create the repository when it is missing", default: "true"),
        "scan-on-push": InputHelp("ECR: a created repository scans images on push", default: "false"),
        "immutable-tags": InputHelp("ECR: a created repository refuses to move a tag", default: "false"),
        "registry-endpoint": InputHelp("ECR, for local runs and tests: push to and verify at this `host[:port]` instead of the registry ECR names (an emulator's registry)"),
    ]
}

/// `tags:` of a push: a list (`[v1, git-sha]`), one word (`latest`) or `{ strategy: …, version: … }`.
/// In a list or as a word, a strategy's name means the strategy; any other word is a literal tag.
public struct PushTags: InputValue, Sendable, Hashable {
    /// One entry: a literal tag or a strategy.
    public enum Entry: Sendable, Hashable {
        case literal(String)
        case strategy(TagStrategy)

        init(_ word: String) {
            self = TagStrategy(rawValue: word).map(Entry.strategy) ?? .literal(word)
        }
    }

    public var entries: [Entry]
    /// `version` given inside the object form.
    public var version: String?

    public init(_ entries: [Entry], version: String? = nil) {
        self.entries = entries
        self.version = version
    }

    struct Object: Decodable {
        var strategy: Strategies
        var version: String?
    }

    /// One strategy or a list of them.
    struct Strategies: Decodable {
        var list: [TagStrategy]
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(TagStrategy.self) { list = [one] } else { list = try container.decode([TagStrategy].self) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            entries = [Entry(word)]
        } else if let words = try? container.decode([String].self) {
            entries = words.map(Entry.init)
        } else {
            let object = try container.decode(Object.self)
            entries = object.strategy.list.map(Entry.strategy)
            version = object.version
        }
    }

    static let strategyChoice = InputKind.choice(TagStrategy.allCases.map(\.rawValue))

    public static var inputKind: InputKind {
        .either([
            .list(.string),
            .object([
                StepInput("strategy", "a tag strategy or a list of them", kind: .either([.list(strategyChoice), strategyChoice]), required: true),
                StepInput("version", "the version for `semver` and `semantic`"),
            ]),
            .string,
        ])
    }

    public static var placeholder: PushTags { PushTags([]) }
}
