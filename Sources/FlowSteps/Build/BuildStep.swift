import Foundation
import FlowCore
import FlowEngine

/// `build`: builds an image with a container engine (see `docs/build.md`). The run's image map
/// is applied to the Dockerfile's base images (on a copy, said in the log), the engine's output
/// streams into the step log, and the image is named only after the build succeeded, so a
/// failed, cancelled or timed-out build leaves nothing under the target's name.
public struct BuildStep: BuiltinStepType {
    public typealias Input = BuildInput

    public static let name = "build"
    public static let summary = "Builds an image (docker, podman or buildah): the run's image map applied to FROM, OCI labels, build secrets, the host's CA bundle; outputs image, digest, size"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("image", "the image built, `name:tag`"),
        StepOutput("digest", "the image ID (`sha256:…`) from the engine's ID file"),
        StepOutput("size", "the image's size in bytes"),
        StepOutput("engine", "the engine that built it: docker, podman or buildah"),
    ])
    public static let example = """
        build:
          uses: build
          with:
            context: examples/fsdp
            image: fsdp:dev
            tags: ["${{ run.id }}"]
            build-args: { TORCH: "2.4.1" }
            secrets: [PIP_INDEX_TOKEN]
        """

    /// The largest Dockerfile `build` reads to apply the image map.
    public static let maximumDockerfileSize = 4 << 20

    /// How many times one attempt builds again after buildah's storage race
    /// (``ContainerEngine/isStorageRace(lastLine:)``) before it fails. Measured here with four loops of
    /// build-and-remove at once, a build met the race about once in nine; five in a row is
    /// another process removing images without pause.
    public static let storageRaceRebuilds = 5

    public init() {}

    /// A memoized build's key holds the context's files and the Dockerfile (the build args are
    /// inputs, in every key). Base images are not: a tag can move; pin one by digest, or put
    /// what names it in the step's `cache: key:`.
    public func cacheKey(workingDirectory: String, input: () -> BuildInput?) -> StepTypeCacheKey {
        // Inputs that do not fit fail the step when it runs; the key then holds no files.
        guard let input = input() else { return StepTypeCacheKey() }
        return StepTypeCacheKey(files: [input.context.path] + (input.dockerfile.map { [$0.path] } ?? []))
    }

    public func run(_ input: BuildInput, context: StepContext) async throws -> StepOutcome {
        let files = AnalysisFiles(root: context.workingDirectory)
        let contextPath = files.absolute(input.context.path)
        guard files.isDirectory(contextPath) else {
            throw StepError("context: \(input.context.path) is not a folder; give the build context's folder", kind: .terminal)
        }
        let dockerfilePath = input.dockerfile.map { files.absolute($0.path) } ?? contextPath + "/Dockerfile"
        let names = try BuildImageName(image: input.image, tags: input.tags ?? [])
        let engine = try ContainerEngine.select(input.engine, environment: context.environment)

        var buildArgs = input.buildArgs ?? [:]
        var mounts: [ContainerRun.Mount] = []
        var addedArguments: [String] = []
        if input.caBundle == .host {
            guard let bundle = HostCABundle.find(environment: context.environment, isFile: { UntrustedFile.exists($0, links: .follow) }) else {
                throw StepError("ca-bundle: host, but no CA bundle was found at $SSL_CERT_FILE, \(HostCABundle.knownPaths.joined(separator: " or ")); install ca-certificates or set SSL_CERT_FILE",
                                kind: .terminal)
            }
            mounts.append(ContainerRun.Mount(host: bundle, container: HostCABundle.containerPath, readOnly: true))
            for variable in HostCABundle.variables where buildArgs[variable] == nil {
                buildArgs[variable] = HostCABundle.containerPath
                addedArguments.append(variable)
            }
            context.log.note("ca-bundle: host: \(bundle) is mounted read-only at \(HostCABundle.containerPath) in every RUN; \(HostCABundle.variables.joined(separator: ", ")) point at it as build arguments")
        }

        let dockerfile = try prepareDockerfile(at: dockerfilePath, shownAs: input.dockerfile?.path ?? input.context.path + "/Dockerfile",
                                               buildArgs: buildArgs, addArguments: addedArguments, context: context)
        let secrets = try BuildSecrets.write(input.secrets ?? [], context: context)
        defer { secrets.remove() }
        let labels = try BuildLabels.make(runID: context.runID, gitSHA: context.gitSHA, created: context.clock.now(),
                                          source: await gitRemote(of: contextPath, context: context), user: input.labels ?? [:])

        let idFile = context.attemptDirectory + "/image-id"
        unlink(idFile)
        let build = ContainerBuild(context: contextPath, dockerfile: dockerfile, idFile: idFile, buildArgs: buildArgs,
                                   target: input.target, labels: labels, platform: input.platform, cache: input.cache,
                                   pull: input.pull, secrets: secrets.secrets, mounts: mounts)
        let arguments = try engine.buildArguments(build)
        context.log.note("building \(names.primary) with \(engine.name) (\(engine.executable)); it is tagged once the build succeeds")
        // The engine gets the secrets only as files: their variables are not in its environment.
        // (buildah 1.28 also reads a secret from the variable named by its id when there is one,
        // ignoring `src`; with this value that gave an empty secret.)
        var engineContext = context
        for secret in secrets.secrets { engineContext.environment.removeValue(forKey: secret.id) }
        var races = 0
        while true {
            do {
                try await engineContext.runProcess(engine.executable, arguments, environment: engine.buildEnvironment)
                break
            } catch let error as StepError where error.exitCode != nil && !error.timedOut {
                if engine.isStorageRace(lastLine: context.log.tail(lines: 1).last ?? "") {
                    guard races < Self.storageRaceRebuilds else {
                        throw StepError("\(engine.name) build failed (exit code \(error.exitCode!)): the image store kept changing under it (`layer not known` \(races + 1) times: other processes are removing images while this one builds); its output is in this attempt's log",
                                        kind: .retryable, exitCode: error.exitCode)
                    }
                    races += 1
                    context.log.note("another process removed an image or layer while \(engine.name) read its store (`layer not known`, containers/buildah#5674); nothing was tagged, building again (\(races) of \(Self.storageRaceRebuilds))")
                    continue
                }
                throw StepError("\(engine.name) build failed (exit code \(error.exitCode!)); its output is in this attempt's log",
                                kind: .retryable, exitCode: error.exitCode)
            }
        }

        let digest = try Self.readImageID(idFile, engine: engine)
        // The size is read by the image's id while it is tagged: two engine calls at once.
        async let measured = imageSize(digest, engine: engine, context: context)
        for command in engine.tagCommands(id: digest, names: names.all) {
            try await context.runProcess(engine.executable, command)
        }
        context.log.note("built \(digest), tagged \(names.all.joined(separator: ", "))")
        let size = await measured
        return StepOutcome(outputs: [
            "image": names.primary,
            "digest": digest,
            "size": size.map(String.init) ?? "",
            "engine": engine.name,
        ])
    }

    /// The Dockerfile to hand the engine: the user's, or a rewritten copy in the attempt's folder
    /// when the image map or added `ARG`s change it (said in the log).
    func prepareDockerfile(at path: String, shownAs shown: String, buildArgs: [String: String], addArguments: [String],
                           context: StepContext) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(path, limit: Self.maximumDockerfileSize, links: .follow)
        } catch {
            throw StepError("dockerfile: cannot read \(shown): \(AnalysisFiles.reason(error))", kind: .terminal)
        }
        let parsed = DockerfileParser.parse(String(decoding: bytes, as: UTF8.self), file: shown, buildArgs: buildArgs)
        let rewritten = try BuildDockerfile.rewrite(parsed, addArguments: addArguments) { ImageMap.resolve($0, in: context) }
        guard rewritten.changed else { return path }
        let copy = context.attemptDirectory + "/Dockerfile.flow"
        try ScratchDirectory.writeFile(copy, rewritten.text)
        for replacement in rewritten.replacements {
            context.log.note("\(shown):\(replacement.line): \(replacement.original) → \(replacement.replacement)")
        }
        if !addArguments.isEmpty {
            context.log.note("`ARG \(addArguments.joined(separator: " "))` added after every FROM, so RUN steps see them (ARGs are not kept in the image's Env)")
        }
        context.log.note("building from a copy of \(shown) with these changes (\(copy)); the context is unchanged and \(shown) is untouched")
        return copy
    }

    /// The image ID the engine wrote: `sha256:` and 64 hex digits.
    static func readImageID(_ path: String, engine: ContainerEngine) throws -> String {
        guard let bytes = try? UntrustedFile.read(path, limit: 4096, links: .refuse) else {
            throw StepError("\(engine.name) reported success but wrote no image ID to \(path)", kind: .retryable)
        }
        var text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.hasPrefix("sha256:") { text = "sha256:" + text }
        let hex = text.dropFirst("sha256:".count)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw StepError("\(engine.name) wrote an image ID flow cannot read: \(text.prefix(100))", kind: .retryable)
        }
        return text
    }

    /// `git remote get-url origin` of the context, credentials removed; nil when there is none.
    func gitRemote(of directory: String, context: StepContext) async -> String? {
        guard let url = await context.ask(["git", "-C", directory, "remote", "get-url", "origin"], timeout: .seconds(10)) else { return nil }
        return BuildLabels.publicSource(url)
    }

    /// The built image's size in bytes (nil, said in the log, when the engine does not say).
    func imageSize(_ id: String, engine: ContainerEngine, context: StepContext) async -> Int? {
        guard let inspection = await context.ask([engine.executable] + engine.inspectArguments(id: id)),
              let size = engine.imageSize(fromInspection: inspection) else {
            context.log.note("could not read the size of \(id) from `\(engine.name) \(engine.inspectArguments(id: id).joined(separator: " "))`")
            return nil
        }
        return size
    }
}
