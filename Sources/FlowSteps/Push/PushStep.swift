import Foundation
import FlowCore
import FlowEngine

/// `push`: pushes a local image to an OCI registry or to ECR (one or more regions) under the
/// tags its strategies give, then reads each tag's manifest back over HTTP and fails unless it
/// is the one pushed (see `docs/push.md`). Logins go to a mode-0600 auth file, never to argv.
public struct PushStep: BuiltinStepType {
    public typealias Input = PushInput

    public static let name = "push"
    public static let summary = "Pushes an image to an OCI registry or ECR (tag strategies, ECR login and repository), then verifies each tag's digest over HTTP"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("uri", "`<registry>/<repository>:<first tag>` (the first target's)"),
        StepOutput("digest", "the pushed manifest's digest (`sha256:…`), as read back from the registry"),
        StepOutput("tags", "the tags pushed, comma-separated"),
        StepOutput("ref", "`<registry>/<repository>@<digest>`: the image by digest"),
        StepOutput("uris", "every target's `uri`, comma-separated (several ECR regions)"),
    ])
    public static let example = """
        push:
          uses: push
          needs: [build]
          with:
            image: ${{ steps.build.outputs.image }}
            registry: registry.example.com
            tags: [git-sha, latest]
            username: ci
            password: ${{ env.REGISTRY_PASSWORD }}
        """

    public init() {}

    public func run(_ input: PushInput, context: StepContext) async throws -> StepOutcome {
        var input = input
        // An expression that chose no endpoint (`${{ local && env.FLOW_REGISTRY || '' }}`, as in
        // pipelines/fsdp.yml under `--profile aws`) gives "": the same as not giving it.
        if input.registryEndpoint?.isEmpty == true { input.registryEndpoint = nil }
        let entries = input.tags?.entries ?? PushTagging.defaultEntries(image: input.image)
        let version = input.version ?? input.tags?.version
        let facts = await PushTagging.facts(entries, version: version, context: context)
        let tags: [String]
        do { tags = try PushTagging.tags(entries, facts: facts) } catch { throw StepError(error.description, kind: .terminal) }

        try PushTargets.check(input)
        let engine = try ContainerEngine.select(input.engine, environment: context.environment)
        if engine.kind == .docker, input.insecure || input.caCert != nil {
            context.log.note("docker takes registry TLS settings from its daemon (`insecure-registries`, /etc/docker/certs.d); `insecure` and `ca-cert` apply to flow's verification only")
        }
        let imageID = try await engine.imageID(input.image, context: context)
        let targets = PushTargets.isECR(input) ? try await PushTargets.ecr(input, context: context)
            : [try PushTargets.registry(input)]
        let tls = try tlsSetting(input, context: context)
        if input.insecure {
            context.log.note("TLS verification is off for \(targets.map(\.endpoint).joined(separator: ", ")) (`insecure: true`): plain HTTP or an unverified certificate is accepted for this registry only")
        }
        let http = try context.network().http

        var first: (uri: String, digest: String, ref: String)?
        var uris: [String] = []
        for (t, target) in targets.enumerated() {
            let pusher = ImagePusher(engine: engine, target: target, tls: tls, context: context, index: t)
            var digests: [String: String] = [:]
            for tag in tags {
                digests[tag] = try await pusher.push(input.image, tag: tag)
            }
            let registry = RegistryClient(http: http, endpoint: target.endpoint, credentials: target.credentials,
                                          insecure: input.insecure, caBundle: input.caCert.map { absolute($0.path, context) })
            var verifiedDigest: String?
            for tag in tags {
                let verification = try await verify(registry, target: target, tag: tag, expected: digests[tag]!, imageID: imageID)
                verifiedDigest = verifiedDigest ?? verification.digest
                if verification.digest != verifiedDigest {
                    context.log.note("tag \(tag) has digest \(verification.digest), not \(verifiedDigest!) as the first tag (the engine wrote another manifest)")
                }
            }
            let digest = verifiedDigest!
            let uri = "\(target.endpoint)/\(target.repository):\(tags[0])"
            uris.append(uri)
            if first == nil { first = (uri, digest, "\(target.endpoint)/\(target.repository)@\(digest)") }
            context.log.note("pushed \(input.image) to \(target.endpoint)/\(target.repository) as \(tags.joined(separator: ", ")): \(digest), verified")
        }
        guard let first else { throw StepError("no registry to push to", kind: .terminal) }
        return StepOutcome(outputs: [
            "uri": first.uri, "digest": first.digest, "tags": tags.joined(separator: ","), "ref": first.ref,
            "uris": uris.joined(separator: ","),
        ])
    }

    /// Reads `tag` back and compares it with the digest pushed, and its config with the image id.
    func verify(_ registry: RegistryClient, target: PushTarget, tag: String, expected: String, imageID: String) async throws -> ManifestVerification {
        let response = try await registry.manifest(target.repository, reference: tag)
        let verification: ManifestVerification
        do {
            verification = try ManifestVerification.check(body: response.body, headerDigest: response.headers["Docker-Content-Digest"],
                                                           expected: expected, tag: tag, contentType: response.headers["Content-Type"])
        } catch {
            throw StepError("verify \(target.endpoint)/\(target.repository): \(error.description)", kind: .terminal)
        }
        if let config = verification.configDigest, config != imageID {
            throw StepError("verify \(target.endpoint)/\(target.repository):\(tag): the manifest's config is \(config), not the local image's id \(imageID)",
                            kind: .terminal)
        }
        return verification
    }

    /// `insecure`, `ca-cert` (copied into a `--cert-dir` folder of the attempt) or verified TLS.
    func tlsSetting(_ input: PushInput, context: StepContext) throws -> RegistryTLS {
        if input.insecure { return .insecure }
        guard let caCert = input.caCert else { return .verified }
        let path = absolute(caCert.path, context)
        let directory = context.attemptDirectory + "/push-certs"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let bytes = try UntrustedFile.read(path, limit: 1 << 20, links: .follow)
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/ca.crt"))
        } catch {
            throw StepError("input `ca-cert`: cannot read \(caCert.path): \(error)", kind: .terminal)
        }
        return .certificateDirectory(directory)
    }

    func absolute(_ path: String, _ context: StepContext) -> String {
        path.hasPrefix("/") ? path : context.workingDirectory + "/" + path
    }
}
