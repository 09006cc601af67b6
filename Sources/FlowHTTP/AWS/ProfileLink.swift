import FlowCore
import Foundation

/// The chain's second link: the profile `AWS_PROFILE` names (else `default`). Static keys in
/// the credentials file, then static keys in the config file, then the profile's
/// `credential_process` (from either file, the credentials file's winning). A named profile
/// that is in neither file is an error, as in the AWS CLI; `default` missing falls through.
struct ProfileLink {
    var environment: [String: String]
    var clock: any FlowClock
    var processTimeout: Duration

    /// Settings that mean the profile gets credentials in a way flow does not implement.
    static let unsupported: [(key: String, what: String)] = [
        ("role_arn", "role_arn (assume role)"),
        ("sso_session", "sso_session (IAM Identity Center)"),
        ("sso_start_url", "sso_start_url (IAM Identity Center)"),
        ("web_identity_token_file", "web_identity_token_file (web identity)"),
        ("login_session", "login_session (console login)"),
    ]

    func resolve() async throws(AWSCredentialError) -> LinkOutcome {
        let name = AWSConfigFiles.selectedProfile(environment: environment)
        let link = "profile \(name)"
        let files: AWSConfigFiles
        do {
            files = try AWSConfigFiles(environment: environment)
        } catch {
            throw AWSCredentialError(kind: .configFile, message: error.description)
        }
        guard let profile = files.profile(name) else {
            if AWSConfigFiles.profileIsExplicit(environment: environment) {
                let known = files.profileNames
                throw AWSCredentialError(
                    kind: .profile,
                    message: "profile \(name) (from AWS_PROFILE) is in neither \(Self.describe(files.credentialsPath, "credentials")) nor \(Self.describe(files.configPath, "config"))"
                        + (known.isEmpty ? "" : "; profiles there: \(known.joined(separator: ", "))"))
            }
            return .absent(AWSCredentialFinding(link: link, detail: Self.whereMissing(name, files)))
        }

        for file in [files.credentials, files.config].compactMap({ $0 }) {
            if let section = file.profiles[name], let found = try Self.staticKeys(section, profile: name, file: file.path) {
                return .found(found)
            }
        }
        if let command = profile.setting("credential_process"), !command.value.isEmpty {
            let process = CredentialProcess(profile: name, command: command, environment: environment,
                                            timeout: processTimeout, clock: clock)
            return .found(try await process.credentials())
        }
        for (key, what) in Self.unsupported where profile.setting(key) != nil {
            throw AWSCredentialError(
                kind: .profile,
                message: "profile \(name) gets credentials through \(what) at \(profile.setting(key)!.location), which flow does not support; "
                    + "give it a credential_process (e.g. `aws configure export-credentials --profile \(name) --format process`) or static keys")
        }
        return .absent(AWSCredentialFinding(
            link: link, detail: "no aws_access_key_id or credential_process in [\(name)]"))
    }

    /// The section's `aws_access_key_id` and `aws_secret_access_key` (with `aws_session_token`),
    /// nil when it has neither; one without the other is an error pointing at the line.
    static func staticKeys(_ section: AWSProfile, profile: String, file: String) throws(AWSCredentialError) -> AWSCredentials? {
        func nonEmpty(_ key: String) -> AWSProfile.Setting? {
            guard let setting = section.setting(key), !setting.value.isEmpty else { return nil }
            return setting
        }
        let keyId = nonEmpty("aws_access_key_id")
        let secret = nonEmpty("aws_secret_access_key")
        switch (keyId, secret) {
        case (nil, nil):
            return nil
        case (.some(let keyId), nil):
            throw AWSCredentialError(kind: .profile,
                                     message: "\(keyId.location): profile \(profile) sets aws_access_key_id but not aws_secret_access_key")
        case (nil, .some(let secret)):
            throw AWSCredentialError(kind: .profile,
                                     message: "\(secret.location): profile \(profile) sets aws_secret_access_key but not aws_access_key_id")
        case (.some(let keyId), .some(let secret)):
            return AWSCredentials(accessKeyId: keyId.value, secretAccessKey: secret.value,
                                  sessionToken: nonEmpty("aws_session_token")?.value,
                                  source: .profile(name: profile, file: file))
        }
    }

    static func describe(_ path: String?, _ what: String) -> String {
        path ?? "a \(what) file (HOME is not set)"
    }

    /// `no ~/.aws/credentials, no [default] in ~/.aws/config`.
    static func whereMissing(_ name: String, _ files: AWSConfigFiles) -> String {
        var parts: [String] = []
        if let path = files.credentialsPath {
            parts.append(files.credentials == nil ? "no \(path)" : "no [\(name)] in \(path)")
        } else {
            parts.append("HOME not set")
        }
        if let path = files.configPath {
            let header = name == "default" ? "[default]" : "[profile \(name)]"
            parts.append(files.config == nil ? "no \(path)" : "no \(header) in \(path)")
        }
        return parts.joined(separator: ", ")
    }
}
