import FlowCore
import FlowEngine

/// `container:` on a `run:` step: the script runs inside `image` through the container engine,
/// as GitHub Actions' `container:` and Argo's container templates do. The workspace and the
/// attempt's folder (the script, `$FLOW_OUTPUT`) are mounted at the same paths; the variables
/// the pipeline set (its `env:`, the step's, `secrets:`, expression values) and `env` here are
/// passed in without reaching an argument list or the image.
public struct ContainerInput: StepInputSchema, Hashable {
    public var image: String
    public var volumes: [String]?
    public var env: [String: String]?
    public var engine: EngineChoice

    public static let help: [String: InputHelp] = [
        "image": InputHelp("the image to run the script in (the run's `images:` map applies)"),
        "volumes": InputHelp("more bind mounts, `HOST:CONTAINER[:ro]`; a relative host path starts at the workspace"),
        "env": InputHelp("variables set only inside the container"),
        "engine": InputHelp("the container engine: `auto` (the first of docker, podman, buildah) or one by name", default: "auto"),
    ]

    /// Runs `command` (the script's interpreter command line) in the image.
    func run(_ command: [String], output: String, context: StepContext) async throws -> CapturedProcess {
        let engine = try ContainerEngine.select(engine, environment: context.environment)
        var environment: [String: String] = [:]
        for name in context.declaredEnvironment { environment[name] = context.environment[name] }
        for (name, value) in env ?? [:] { environment[name] = value }
        environment["FLOW_OUTPUT"] = output
        var mounts = [ContainerRun.Mount(host: context.workspace, container: context.workspace)]
        if !context.attemptDirectory.hasPrefix(context.workspace + "/") {
            mounts.append(ContainerRun.Mount(host: context.attemptDirectory, container: context.attemptDirectory))
        }
        for volume in volumes ?? [] { mounts.append(try Self.mount(volume, workspace: context.workspace)) }
        let image = ImageMap.resolve(image, in: context)
        context.log.note("running in \(image) with \(engine.name)")
        return try await engine.run(ContainerRun(image: image, command: command, mounts: mounts, environment: environment,
                                                 workingDirectory: context.workingDirectory), context: context)
    }

    /// `HOST:CONTAINER[:ro]`, the host path made absolute from the workspace.
    static func mount(_ text: String, workspace: String) throws -> ContainerRun.Mount {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, parts[1].hasPrefix("/"),
              parts.count == 2 || parts[2] == "ro" || parts[2] == "rw" else {
            throw StepError("container volume `\(text)` is not HOST:CONTAINER[:ro]; write it as `data:/data:ro` (the container path absolute)",
                            kind: .terminal)
        }
        let host = parts[0].hasPrefix("/") ? parts[0] : workspace + "/" + parts[0]
        return ContainerRun.Mount(host: host, container: parts[1], readOnly: parts.count == 3 && parts[2] == "ro")
    }
}
