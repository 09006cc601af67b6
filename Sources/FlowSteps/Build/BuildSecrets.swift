import Foundation
import FlowEngine

/// `build`'s `secrets`: each named environment variable's value in a file of mode 0600 in the
/// attempt's folder, handed to the engine as `--secret id=NAME,src=FILE`. The value is added to
/// the run's secrets (masked in every log) and never reaches an argument list.
public struct BuildSecrets: Sendable {
    public var secrets: [ContainerBuild.Secret]

    /// Writes the files, or throws a terminal error naming a variable that is not set or not a name.
    public static func write(_ names: [String], context: StepContext) throws -> BuildSecrets {
        guard !names.isEmpty else { return BuildSecrets(secrets: []) }
        let folder = context.attemptDirectory + "/build-secrets"
        mkdir(folder, 0o700)
        var written = BuildSecrets(secrets: [])
        for name in names {
            guard isVariableName(name) else {
                written.remove()
                throw StepError("secrets: `\(name)` is not an environment variable name; list the NAMES of variables that hold the secrets",
                                kind: .terminal)
            }
            guard let value = context.environment[name] else {
                written.remove()
                throw StepError("secrets: \(name) is not set in the step's environment; export it, or list it under the pipeline's `secrets:`",
                                kind: .terminal)
            }
            context.addSecret(value)
            let path = folder + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                written.remove()
                throw StepError("cannot write the build secret file for \(name): \(String(cString: strerror(errno)))", kind: .retryable)
            }
            fchmod(fd, 0o600)
            let bytes = Array(value.utf8)
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard count == bytes.count else {
                written.remove()
                throw StepError("cannot write the build secret file for \(name)", kind: .retryable)
            }
            if !written.secrets.contains(where: { $0.id == name }) {
                written.secrets.append(ContainerBuild.Secret(id: name, file: path))
            }
        }
        return written
    }

    /// Removes the files (the attempt's folder goes too, later; this is sooner).
    public func remove() {
        for secret in secrets { unlink(secret.file) }
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
