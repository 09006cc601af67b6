import Foundation
import FlowEngine
import FlowHTTP

/// Where one push goes: the registry as named (`uri` uses the host actually pushed to), the
/// repository, the login, and for ECR the region.
public struct PushTarget: Sendable, Hashable {
    /// The registry's name: `host[:port]`, or ECR's `<account>.dkr.ecr.<region>.amazonaws.com`.
    public var registry: String
    /// The `host[:port]` pushed to and verified at (the registry, unless `registry-endpoint`).
    public var endpoint: String
    public var repository: String
    public var credentials: RegistryCredentials?
    public var region: String?

    public func destination(_ tag: String) -> String { "\(endpoint)/\(repository):\(tag)" }
}

/// Resolves a push's targets from its input: one OCI registry, or ECR in one or more regions.
enum PushTargets {
    /// The repository pushed to: `repository`, else the image's name without registry and tag.
    static func repository(_ input: PushInput) throws -> String {
        guard let reference = ImageReference(input.image) else {
            throw StepError("input `image`: `\(input.image)` is not an image name", kind: .terminal)
        }
        let repository = input.repository ?? reference.repository
        guard ImageReference.isValidRepository(repository) else {
            throw StepError("input `repository`: `\(repository)` is not a repository name (lowercase letters, digits, `.`, `_`, `-`, separated by `/`); give `repository`",
                            kind: .terminal)
        }
        return repository
    }

    /// Input mistakes found before anything runs: ECR-only inputs without ECR, a login half given.
    static func check(_ input: PushInput) throws {
        _ = try repository(input)
        guard !isECR(input) else { return }
        if input.registryEndpoint != nil {
            throw StepError("input `registry-endpoint`: it stands in for an ECR registry; give `region` (ECR) or put the address in `registry`", kind: .terminal)
        }
        if input.account != nil {
            throw StepError("input `account`: it names an ECR account; give `region` or `regions` for ECR, or remove it", kind: .terminal)
        }
        _ = try registry(input)
    }

    /// Whether the push goes to ECR: a region is given, or the registry is an ECR host.
    static func isECR(_ input: PushInput) -> Bool {
        input.region != nil || !(input.regions ?? []).isEmpty || input.registry.flatMap(ECRRegistryHost.init) != nil
    }

    static func registry(_ input: PushInput) throws -> PushTarget {
        let repository = try repository(input)
        let named = input.registry ?? ImageReference(input.image)?.registry.flatMap { $0 == "localhost" ? nil : $0 }
        guard let registry = named, !registry.isEmpty else {
            throw StepError("input `registry`: no registry to push to; give `registry: host[:port]` (or `region` for ECR)", kind: .terminal)
        }
        try checkHost(registry, input: "registry")
        let credentials: RegistryCredentials?
        switch (input.username, input.password) {
        case (nil, nil): credentials = nil
        case (let user?, let password?) where !user.isEmpty: credentials = RegistryCredentials(username: user, password: password)
        case (nil, _?), (_?, _?):
            throw StepError("input `username`: a `password` needs a `username`", kind: .terminal)
        case (_?, nil):
            throw StepError("input `password`: a `username` needs a `password` (from a secret: `password: ${{ env.REGISTRY_PASSWORD }}`)", kind: .terminal)
        }
        return PushTarget(registry: registry, endpoint: registry, repository: repository, credentials: credentials, region: nil)
    }

    static func checkHost(_ host: String, input: String) throws {
        guard !host.contains("://"), !host.contains("/"), !host.contains("@"), !host.contains(where: \.isWhitespace) else {
            throw StepError("input `\(input)`: `\(host)` is not `host[:port]` (no scheme or path; `insecure: true` allows plain HTTP)",
                            kind: .terminal)
        }
    }

    /// For each region: the login, and the repository (created when missing and allowed).
    static func ecr(_ input: PushInput, context: StepContext) async throws -> [PushTarget] {
        let repository = try repository(input)
        let named = input.registry.flatMap(ECRRegistryHost.init)
        if input.registry != nil, named == nil {
            throw StepError("input `registry`: `\(input.registry!)` is not an ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`), but `region` or `regions` asks for ECR",
                            kind: .terminal)
        }
        if input.username != nil || input.password != nil {
            throw StepError("input `username`/`password`: ECR's login comes from GetAuthorizationToken; remove them", kind: .terminal)
        }
        if let endpoint = input.registryEndpoint { try checkHost(endpoint, input: "registry-endpoint") }
        var regions: [String?] = (input.regions ?? []) + (input.region.map { [$0] } ?? [])
        if regions.isEmpty { regions = [named?.region] }
        var seen = Set<String?>()
        regions = regions.filter { seen.insert($0).inserted }
        let network = try context.network()
        var targets: [PushTarget] = []
        for region in regions {
            let client = try network.aws(region: region)
            let ecr = ECRRegistry(client)
            let account = input.account ?? named?.account
            do {
                let login = try await ecr.login(account: account)
                context.addSecret(login.token)
                context.addSecret(login.credentials.password)
                let registry = account.map { ECRRegistryHost(account: $0, region: client.region).host } ?? login.host
                try await ensureRepository(repository, ecr: ecr, input: input, account: account, context: context)
                let endpoint = input.registryEndpoint ?? login.host
                if input.registryEndpoint != nil {
                    context.log.note("ECR \(client.region): pushing to \(endpoint) in place of \(registry) (`registry-endpoint`; for local runs and tests)")
                }
                targets.append(PushTarget(registry: registry, endpoint: endpoint, repository: repository,
                                          credentials: login.credentials, region: client.region))
            } catch let error as AWSError {
                throw StepError("ECR in \(client.region): \(error)", kind: error.isRetryable ? .retryable : .terminal)
            }
        }
        return targets
    }

    static func ensureRepository(_ name: String, ecr: ECRRegistry, input: PushInput, account: String?, context: StepContext) async throws {
        let region = ecr.client.region
        if let existing = try await ecr.describe(name, account: account) {
            let scan = existing.imageScanningConfiguration?.scanOnPush ?? false
            let immutable = existing.imageTagMutability == "IMMUTABLE"
            context.log.note("ECR \(region): repository \(name) exists (scan-on-push \(scan), tags \(immutable ? "immutable" : "mutable"))")
            if scan != input.scanOnPush || immutable != input.immutableTags {
                context.log.note("ECR \(region): the repository's settings differ from `scan-on-push`/`immutable-tags`; flow applies those only when it creates the repository")
            }
            return
        }
        guard input.createRepository else {
            throw StepError("ECR \(region): repository \(name) does not exist and `create-repository` is false; create it or set `create-repository: true`",
                            kind: .terminal)
        }
        let created = try await ecr.create(name, scanOnPush: input.scanOnPush, immutableTags: input.immutableTags, account: account)
        context.log.note("ECR \(region): created repository \(created.repositoryName) (scan-on-push \(input.scanOnPush), tags \(input.immutableTags ? "immutable" : "mutable"))")
    }
}
