import FlowCore
import FlowEngine
import FlowSystem
import Glibc

/// A container engine flow drives through its command line: docker, podman or buildah. One
/// value says which program and how to call it; `build`, `smoke-test`, `push` and `container:`
/// steps all go through it, so an engine's flags live in one place.
public struct ContainerEngine: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case docker, podman, buildah
    }

    public var kind: Kind
    /// The program's absolute path.
    public var executable: String

    public var name: String { kind.rawValue }

    public init(kind: Kind, executable: String) {
        self.kind = kind
        self.executable = executable
    }

    /// The engine a step asked for: `auto` takes the first usable of docker, podman and buildah;
    /// a name takes that one or fails saying it is not on `PATH`. Docker counts as usable only
    /// when a daemon can be there (`DOCKER_HOST` is set or `/var/run/docker.sock` exists): its
    /// client alone cannot build, and machines like CI images often carry just the client.
    public static func select(_ choice: EngineChoice, environment: [String: String],
                              daemonSocketExists: (String) -> Bool = { access($0, F_OK) == 0 }) throws -> ContainerEngine {
        func find(_ kind: Kind) -> ContainerEngine? {
            guard let path = try? ExecutableLookup.resolve(kind.rawValue, environment: environment) else { return nil }
            return ContainerEngine(kind: kind, executable: path)
        }
        switch choice {
        case .auto:
            for kind in Kind.allCases {
                guard let engine = find(kind) else { continue }
                if kind == .docker, environment["DOCKER_HOST"] == nil, !daemonSocketExists("/var/run/docker.sock") { continue }
                return engine
            }
            throw StepError("no container engine found: none of docker (with a daemon), podman or buildah is on PATH; install one (`apt-get install buildah` needs no daemon)",
                            kind: .terminal)
        case .docker, .podman, .buildah:
            let kind = Kind(rawValue: choice.rawValue)!
            guard let engine = find(kind) else {
                throw StepError("engine: \(kind.rawValue) is not on PATH; install it, or use `engine: auto` to take the first of docker, podman and buildah",
                                kind: .terminal)
            }
            return engine
        }
    }

    /// Arguments every call of this engine starts with. buildah runs `RUN` steps and checks with
    /// chroot isolation: no daemon, no user namespaces, works as root in a container; its
    /// storage (overlay when the kernel allows, vfs otherwise) is buildah's own default.
    public var isolation: [String] {
        kind == .buildah ? ["--isolation", "chroot"] : []
    }
}

/// The `engine:` input of container steps.
public enum EngineChoice: String, Sendable, Hashable, CaseIterable, Codable, InputChoice {
    case auto, docker, podman, buildah
}
