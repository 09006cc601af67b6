import Foundation
import FlowCore
import FlowEngine

/// One image build as an engine is asked for it: everything `build` decided, before any
/// command line is written. The engine's flags for it live in ``ContainerEngine``.
public struct ContainerBuild: Sendable, Hashable {
    /// When base images are pulled.
    public enum Pull: String, Sendable, Hashable, CaseIterable, Codable, InputChoice {
        case missing, always, never
    }

    /// A build secret: its id in the Dockerfile and the 0600 file that holds its value.
    public struct Secret: Sendable, Hashable {
        public var id: String
        public var file: String
        public init(id: String, file: String) {
            self.id = id
            self.file = file
        }
    }

    public var context: String
    public var dockerfile: String
    /// Where the engine writes the built image's ID (`sha256:…`).
    public var idFile: String
    public var buildArgs: [String: String]
    public var target: String?
    public var labels: [String: String]
    public var platform: String?
    public var cache: Bool
    public var pull: Pull
    public var secrets: [Secret]
    /// Bind mounts for every `RUN` (buildah and podman `-v`; docker has none).
    public var mounts: [ContainerRun.Mount]

    public init(context: String, dockerfile: String, idFile: String, buildArgs: [String: String] = [:], target: String? = nil,
                labels: [String: String] = [:], platform: String? = nil, cache: Bool = true, pull: Pull = .missing,
                secrets: [Secret] = [], mounts: [ContainerRun.Mount] = []) {
        self.context = context
        self.dockerfile = dockerfile
        self.idFile = idFile
        self.buildArgs = buildArgs
        self.target = target
        self.labels = labels
        self.platform = platform
        self.cache = cache
        self.pull = pull
        self.secrets = secrets
        self.mounts = mounts
    }
}

extension ContainerEngine {
    /// The build's command line (after the executable). It never names the target image: the
    /// image is built untagged, its ID written to ``ContainerBuild/idFile``, and tagged by
    /// ``tagCommands(id:names:)`` only once the build succeeded. Secret values never appear:
    /// only their files do. Throws a terminal `StepError` for what this engine cannot do.
    public func buildArguments(_ build: ContainerBuild) throws -> [String] {
        var arguments = kind == .buildah ? ["bud"] : ["build"]
        arguments += isolation
        arguments += ["--iidfile", build.idFile, "-f", build.dockerfile]
        // buildah and podman keep a failed step's working container unless told (measured: one
        // left per failed build, so every autofix round that fails would leave one behind).
        // BuildKit, docker's builder, keeps none.
        if kind != .docker { arguments.append("--force-rm") }
        switch (kind, build.cache) {
        case (.buildah, true): arguments.append("--layers")
        case (.buildah, false): arguments += ["--layers=false", "--no-cache"]
        case (_, false): arguments.append("--no-cache")
        case (_, true): break
        }
        switch (kind, build.pull) {
        case (.docker, .missing): break
        case (.docker, .always): arguments.append("--pull")
        case (.docker, .never):
            throw StepError("pull: never is not something `docker build` can do (it pulls missing base images); use `pull: missing`, or buildah or podman",
                            kind: .terminal)
        case (_, let pull): arguments.append("--pull=" + pull.rawValue)
        }
        if let platform = build.platform { arguments += ["--platform", platform] }
        if let target = build.target { arguments += ["--target", target] }
        arguments += build.buildArgs.keys.sorted().flatMap { ["--build-arg", $0 + "=" + build.buildArgs[$0]!] }
        arguments += build.labels.keys.sorted().flatMap { ["--label", $0 + "=" + build.labels[$0]!] }
        arguments += build.secrets.flatMap { ["--secret", "id=" + $0.id + ",src=" + $0.file] }
        if !build.mounts.isEmpty {
            guard kind != .docker else {
                throw StepError("docker build cannot mount host files into RUN steps (`ca-bundle: host`); use buildah or podman, or `ca-bundle: none`",
                                kind: .terminal)
            }
            arguments += build.mounts.flatMap { ["-v", $0.volume] }
        }
        arguments.append(build.context)
        return arguments
    }

    /// Environment the build command needs: docker's build secrets need BuildKit.
    public var buildEnvironment: [String: String] {
        kind == .docker ? ["DOCKER_BUILDKIT": "1"] : [:]
    }

    /// The commands that put `names` on the built image `id`: one for buildah and podman (they
    /// take several names), one per name for docker.
    public func tagCommands(id: String, names: [String]) -> [[String]] {
        guard !names.isEmpty else { return [] }
        return kind == .docker ? names.map { ["tag", id, $0] } : [["tag", id] + names]
    }

    /// The command that describes the image `id`, read by ``imageSize(fromInspection:)``.
    public func inspectArguments(id: String) -> [String] {
        kind == .buildah ? ["inspect", "--type", "image", id] : ["image", "inspect", "--format", "{{.Size}}", id]
    }

    /// The image's size in bytes from ``inspectArguments(id:)``'s output: docker and podman
    /// print it; for buildah it is the sum of the layer sizes in the image's manifest (the
    /// uncompressed layers as stored).
    public func imageSize(fromInspection text: String) -> Int? {
        guard kind == .buildah else { return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let manifestText = object["Manifest"] as? String,
              let manifest = try? JSONSerialization.jsonObject(with: Data(manifestText.utf8)) as? [String: Any],
              let layers = manifest["layers"] as? [[String: Any]] else { return nil }
        var total = 0
        for layer in layers {
            guard let size = (layer["size"] as? NSNumber)?.intValue else { return nil }
            total += size
        }
        return total
    }

    /// Whether a failed build's last line is buildah's storage race rather than the build's
    /// own failure: another process removed an image or layer while this build looked through
    /// the store (its layer cache) or committed a step, and buildah stopped with
    /// `layer not known` (exit 125). buildah fixed this in 1.43 (containers/buildah#5674);
    /// Debian's 1.28 and podman's builds before it still have it. Nothing was tagged, so
    /// building again is safe. Docker's daemon has no such race.
    public func isStorageRace(lastLine: String) -> Bool {
        kind != .docker && lastLine.hasPrefix("Error: ") && lastLine.hasSuffix("layer not known")
    }
}
