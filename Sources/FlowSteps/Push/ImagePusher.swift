import Foundation
import FlowEngine

/// Pushes one image to one target, tag by tag, through the engine: the login in an auth file of
/// the attempt (mode 0600), the digest from the engine's digest file (or, for docker, its
/// record of the push), and the engine's failure read for the causes a person must fix.
struct ImagePusher {
    let engine: ContainerEngine
    let target: PushTarget
    let tls: RegistryTLS
    let context: StepContext
    /// Which target of the step this is (files of each stay apart).
    let index: Int

    /// Pushes `image` as `tag`; returns the manifest digest the engine pushed.
    func push(_ image: String, tag: String) async throws -> String {
        let folder = context.attemptDirectory + "/push-\(index)"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var authFile: String?
        if let credentials = target.credentials {
            authFile = folder + (engine.kind == .docker ? "/config.json" : "/auth.json")
            try RegistryAuthFile.write([target.endpoint: credentials], to: authFile!)
        }
        let digestFile = folder + "/digest"
        unlink(digestFile)
        let destination = target.destination(tag)
        let (commands, environment) = engine.pushCommands(ContainerPush(image: image, destination: destination, authFile: authFile,
                                                                        digestFile: digestFile, tls: tls))
        context.log.note("push \(image) → \(destination) (\(engine.name))")
        for arguments in commands {
            do {
                _ = try await context.captureProcess(engine.executable, arguments, environment: environment, limit: 64 << 10)
            } catch let error as StepError where error.exitCode != nil {
                throw Self.classify(error, output: context.log.tail(lines: 40).joined(separator: "\n"), target: target)
            }
        }
        let digest: String?
        if engine.kind == .docker {
            digest = try await engine.pushedDigest(destination, context: context)
        } else {
            digest = (try? String(contentsOfFile: digestFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let digest, digest.hasPrefix("sha256:"), digest.count == 71 else {
            throw StepError("\(engine.name) pushed \(destination) but wrote no digest", kind: .retryable)
        }
        return digest
    }

    /// A failed push: a login, certificate or plain-HTTP problem is terminal and says what fixes
    /// it; anything else (network, registry 5xx) may pass on a retry.
    static func classify(_ error: StepError, output: String, target: PushTarget) -> StepError {
        let text = output.lowercased()
        let host = target.endpoint
        if text.contains("unauthorized") || text.contains("authentication required") || text.contains("incorrect username or password") {
            return StepError("the registry \(host) refused the login: check `username` and `password` (\(target.credentials.map { "user \($0.username)" } ?? "no login was given"))",
                             kind: .terminal, exitCode: error.exitCode)
        }
        if text.contains("denied") {
            return StepError("the registry \(host) denied the push to \(target.repository): the login may not write there", kind: .terminal, exitCode: error.exitCode)
        }
        if text.contains("x509:") || text.contains("certificate signed by unknown authority") || text.contains("certificate is not valid") {
            return StepError("the registry \(host)'s certificate is not trusted: give `ca-cert` (its CA file), or `insecure: true` to skip verification for this registry",
                             kind: .terminal, exitCode: error.exitCode)
        }
        if text.contains("server gave http response to https client") {
            return StepError("the registry \(host) speaks plain HTTP: set `insecure: true` to allow it for this registry", kind: .terminal, exitCode: error.exitCode)
        }
        if text.contains("name unknown") || text.contains("name_unknown") {
            return StepError("the registry \(host) has no repository \(target.repository) and does not create one on push", kind: .terminal, exitCode: error.exitCode)
        }
        return StepError("pushing to \(host) failed: \(error.message)", kind: .retryable, exitCode: error.exitCode)
    }
}
