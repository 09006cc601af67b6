import FlowCore

/// The `with:` of a `build` step; its fields are the step's schema.
public struct BuildInput: StepInputSchema {
    public var context: InputPath
    public var dockerfile: InputPath?
    public var image: String
    public var tags: [String]?
    public var buildArgs: [String: String]?
    public var target: String?
    public var labels: [String: String]?
    public var engine: EngineChoice
    public var platform: String?
    public var cache: Bool
    public var pull: ContainerBuild.Pull
    public var secrets: [String]?
    public var caBundle: CABundleChoice

    enum CodingKeys: String, CodingKey {
        case context, dockerfile, image, tags, buildArgs = "build-args", target, labels, engine, platform, cache, pull,
             secrets, caBundle = "ca-bundle"
    }

    public static let help: [String: InputHelp] = [
        "context": InputHelp("the build context folder", default: ".", mustExist: true),
        "dockerfile": InputHelp("the Dockerfile (default: `Dockerfile` in the context)", mustExist: true),
        "image": InputHelp("the image to make, `name:tag` (`:latest` when no tag is given); tagged only after the build succeeded"),
        "tags": InputHelp("more tags for the same image: a bare tag (`v1`, `${{ run.id }}`) is put on the image's repository, a `name:tag` is used as it is"),
        "build-args": InputHelp("`ARG` values (`--build-arg`); they are visible in the image's history: use `secrets` for anything secret"),
        "target": InputHelp("the stage to build (default: the last)"),
        "labels": InputHelp("more image labels; they may replace flow's `org.opencontainers.image.*` labels, never `flow.*` ones"),
        "engine": InputHelp("the container engine: `auto` takes the first usable of docker (with a daemon), podman and buildah", default: "auto"),
        "platform": InputHelp("the platform to build for (`linux/amd64`)"),
        "cache": InputHelp("reuse cached layers; `false` builds every step again", default: "true"),
        "pull": InputHelp("when base images are pulled: `missing` (only when not stored), `always`, `never`", default: "missing"),
        "secrets": InputHelp("names of environment variables whose values become build secrets, read in the Dockerfile with `RUN --mount=type=secret,id=NAME` (at /run/secrets/NAME); never on a command line or in the image"),
        "ca-bundle": InputHelp("`host` mounts the host's trusted CA bundle into every `RUN` at /etc/ssl/host-ca.crt and points pip, requests and curl at it (for networks that re-sign TLS); `none` leaves RUN as it is", default: "none"),
    ]
}

/// The `ca-bundle:` input of `build`.
public enum CABundleChoice: String, Sendable, Hashable, CaseIterable, Codable, InputChoice {
    case none, host
}
