import Foundation
import FlowEngine

/// How an engine treats a registry's TLS for one push.
public enum RegistryTLS: Sendable, Hashable {
    /// Verified against the system's CAs.
    case verified
    /// Verified against the CA certificates in this folder (`*.crt`, as `--cert-dir` reads it).
    case certificateDirectory(String)
    /// Plain HTTP or an unverified certificate allowed (`--tls-verify=false`).
    case insecure
}

/// One push of a local image to `destination` (`host[:port]/repository:tag`).
public struct ContainerPush: Sendable, Hashable {
    public var image: String
    public var destination: String
    /// The auth file (`RegistryAuthFile`); nil: no login.
    public var authFile: String?
    /// Where buildah and podman write the pushed manifest's digest.
    public var digestFile: String
    public var tls: RegistryTLS

    public init(image: String, destination: String, authFile: String?, digestFile: String, tls: RegistryTLS) {
        self.image = image
        self.destination = destination
        self.authFile = authFile
        self.digestFile = digestFile
        self.tls = tls
    }
}

extension ContainerEngine {
    /// The commands that push, in order, and the environment they need. buildah and podman:
    /// `push --authfile F --digestfile D --tls-verify=… [--cert-dir C] IMAGE docker://DEST`.
    /// docker: `tag IMAGE DEST` then `push DEST`, with `DOCKER_CONFIG` naming the folder that
    /// holds the auth file as `config.json`; docker's TLS settings belong to its daemon
    /// (`insecure-registries`, `/etc/docker/certs.d`), so `tls` changes nothing on its command line.
    public func pushCommands(_ push: ContainerPush) -> (commands: [[String]], environment: [String: String]) {
        switch kind {
        case .buildah, .podman:
            var arguments = ["push"]
            if let authFile = push.authFile { arguments += ["--authfile", authFile] }
            arguments += ["--digestfile", push.digestFile]
            switch push.tls {
            case .verified: arguments.append("--tls-verify=true")
            case .certificateDirectory(let directory): arguments += ["--tls-verify=true", "--cert-dir", directory]
            case .insecure: arguments.append("--tls-verify=false")
            }
            if kind == .buildah { arguments.append("--quiet") }
            return ([arguments + [push.image, "docker://" + push.destination]], [:])
        case .docker:
            var environment: [String: String] = [:]
            if let authFile = push.authFile { environment["DOCKER_CONFIG"] = (authFile as NSString).deletingLastPathComponent }
            return ([["tag", push.image, push.destination], ["push", push.destination]], environment)
        }
    }

    /// The image id (`sha256:…`) of a local image, or a terminal error saying it is not there.
    public func imageID(_ image: String, context: StepContext) async throws -> String {
        let arguments: [String]
        switch kind {
        case .buildah: arguments = ["inspect", "--type", "image", "--format", "{{.FromImageID}}", image]
        case .podman, .docker: arguments = ["image", "inspect", "--format", "{{.Id}}", image]
        }
        guard let answer = await context.ask([executable] + arguments) else {
            throw StepError("input `image`: \(image) is not an image in \(name)'s storage; build it first (the `build` step's output `image` names it)",
                            kind: .terminal)
        }
        let id = answer.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        return id.hasPrefix("sha256:") ? id : "sha256:" + id
    }

    /// After a docker push: the digest docker recorded for `destination` (`RepoDigests`).
    public func pushedDigest(_ destination: String, context: StepContext) async throws -> String? {
        guard kind == .docker else { return nil }
        let captured = try await context.captureProcess(executable, ["image", "inspect", "--format",
                                                                     "{{range .RepoDigests}}{{println .}}{{end}}", destination])
        let name = destination.split(separator: ":").dropLast().joined(separator: ":")
        for line in captured.text.split(separator: "\n") where line.hasPrefix(name + "@") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
