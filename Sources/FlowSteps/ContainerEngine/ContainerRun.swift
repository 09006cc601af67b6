import Foundation
import FlowCore
import FlowEngine

/// A command to run inside an image: what `smoke-test` checks and `container:` steps run.
public struct ContainerRun: Sendable, Hashable {
    /// A bind mount: a host path at a path in the container.
    public struct Mount: Sendable, Hashable {
        public var host: String
        public var container: String
        public var readOnly: Bool

        public init(host: String, container: String, readOnly: Bool = false) {
            self.host = host
            self.container = container
            self.readOnly = readOnly
        }

        /// `HOST:CONTAINER[:ro]`, as `-v` takes it.
        var volume: String { host + ":" + container + (readOnly ? ":ro" : "") }
    }

    public var image: String
    public var command: [String]
    public var mounts: [Mount]
    /// Variables for the command. Their values never reach an argument list: docker and podman
    /// read `-e NAME` from their own environment; for buildah they are written to a file of the
    /// attempt's (mode 0600) that a shell in the container reads before it runs the command.
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(image: String, command: [String], mounts: [Mount] = [], environment: [String: String] = [:],
                workingDirectory: String? = nil) {
        self.image = image
        self.command = command
        self.mounts = mounts
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

extension ContainerEngine {
    /// Runs `run` in its image for the attempt of `context`: output into the step log (and back,
    /// when `capture`), the attempt's timeout and cancel applied to the engine's process tree. The
    /// container is removed afterwards however the command ended, cancel included; a container
    /// an earlier attempt of this step left (flow was killed) is removed before this one starts.
    /// A non-zero exit is thrown as ``StepError`` as ``StepContext/runProcess`` does.
    public func run(_ run: ContainerRun, context: StepContext, capture: Bool = false) async throws -> CapturedProcess {
        let name = Self.containerName(context)
        try await removeLeftovers(context)
        var extra: [String: String] = [:]
        let envFile = context.attemptDirectory + "/container-env-\(name)"
        if kind == .buildah {
            unlink(envFile)
            try ScratchDirectory.writeFile(envFile, Self.shellAssignments(run.environment))
        } else {
            extra = run.environment
        }
        defer { unlink(envFile) }
        let arguments = runArguments(run, name: name, envFile: envFile)
        do {
            if kind == .buildah {
                _ = try await context.captureProcess(executable, ["from", "--quiet", "--name", name, run.image])
            }
            let result = try await context.captureProcess(executable, arguments, environment: extra, limit: capture ? 4 << 20 : 0)
            await remove(name, context: context)
            return result
        } catch {
            await remove(name, context: context)
            throw error
        }
    }

    /// The engine's arguments to run `run` in the container `name`: names of variables only (docker,
    /// podman read their values from their own environment; buildah's shell reads `envFile`).
    func runArguments(_ run: ContainerRun, name: String, envFile: String) -> [String] {
        switch kind {
        case .docker, .podman:
            return ["run", "--rm", "--name", name] + run.mounts.flatMap { ["-v", $0.volume] }
                + run.environment.keys.sorted().flatMap { ["-e", $0] }
                + (run.workingDirectory.map { ["-w", $0] } ?? []) + [run.image] + run.command
        case .buildah:
            let mounts = run.mounts + [ContainerRun.Mount(host: envFile, container: "/run/flow-env", readOnly: true)]
            return ["run"] + isolation + mounts.flatMap { ["-v", $0.volume] }
                + (run.workingDirectory.map { ["--workingdir", $0] } ?? [])
                + [name, "--", "/bin/sh", "-c", #"set -a; . /run/flow-env; set +a; exec "$@""#, "sh"] + run.command
        }
    }

    /// `flow-<run>-<step>-<attempt>`, in the characters engines allow in a container name.
    static func containerName(_ context: StepContext) -> String {
        prefix(context) + String(context.attempt)
    }

    static func prefix(_ context: StepContext) -> String {
        sanitized("flow-\(context.runID)-\(context.stepID)-")
    }

    static func sanitized(_ raw: String) -> String {
        String(raw.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    }

    /// `NAME='value'` lines a POSIX shell reads back exactly (a `'` inside becomes `'\''`).
    static func shellAssignments(_ environment: [String: String]) -> String {
        environment.keys.sorted().map { name in
            name + "='" + environment[name]!.replacingOccurrences(of: "'", with: #"'\''"#) + "'\n"
        }.joined()
    }

    /// Removes the container whatever state the task is in: a cancelled attempt still cleans up.
    private func remove(_ name: String, context: StepContext) async {
        let arguments = kind == .buildah ? ["rm", name] : ["rm", "-f", name]
        let executable = self.executable
        var quiet = context
        quiet.timeout = .seconds(60)
        await Task.detached {
            _ = try? await quiet.captureProcess(executable, arguments)
        }.value
    }

    /// Containers of earlier attempts of this step that a killed flow could not remove.
    private func removeLeftovers(_ context: StepContext) async throws {
        guard context.attempt > 1 else { return }
        let prefix = Self.prefix(context)
        let listing = kind == .buildah ? ["containers", "--quiet", "--noheading", "--format", "{{.ContainerName}}"]
            : ["ps", "--all", "--format", "{{.Names}}"]
        guard let listed = try? await context.captureProcess(executable, listing) else { return }
        for name in listed.text.split(separator: "\n").map(String.init) where name.hasPrefix(prefix) && name != Self.containerName(context) {
            await remove(name, context: context)
        }
    }
}
