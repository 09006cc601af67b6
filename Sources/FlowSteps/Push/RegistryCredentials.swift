import Foundation
import FlowEngine
import Glibc

/// A registry login: user and password (for ECR, `AWS` and the token's password). Its
/// description never shows the password.
public struct RegistryCredentials: Sendable, Hashable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// ECR's `authorizationToken`: base64 of `AWS:<password>`.
    public init?(base64Token token: String) {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }

    /// base64 of `user:password`, as an auth file and a `Basic` header carry it.
    public var basic: String { Data((username + ":" + password).utf8).base64EncodedString() }

    public var description: String { "\(username):***" }
}

/// The auth file an engine reads its registry logins from (`--authfile`, `REGISTRY_AUTH_FILE`,
/// or `config.json` in `DOCKER_CONFIG`): `{"auths":{HOST:{"auth":base64(user:pass)}}}`, created
/// with mode 0600 in the attempt's folder (removed when the attempt ends), so a password never
/// reaches an argument list, the log or the database.
public enum RegistryAuthFile {
    /// The file's JSON for these logins (host → credentials).
    public static func json(_ logins: [String: RegistryCredentials]) -> Data {
        var auths: [String: [String: String]] = [:]
        for (host, credentials) in logins { auths[host] = ["auth": credentials.basic] }
        return (try? JSONSerialization.data(withJSONObject: ["auths": auths], options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Writes the file at `path` (mode 0600 from its creation on; an existing file is replaced).
    public static func write(_ logins: [String: RegistryCredentials], to path: String) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StepError("cannot create the registry auth file \(path): \(String(cString: strerror(errno)))", kind: .terminal)
        }
        defer { close(fd) }
        let bytes = [UInt8](json(logins))
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw StepError("cannot write the registry auth file \(path)", kind: .terminal) }
            written += n
        }
    }
}
