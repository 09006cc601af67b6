import Foundation

/// What one link of the credential chain found when it had nothing to give, as `flow doctor`
/// prints it: `profile default: no ~/.aws/credentials`.
public struct AWSCredentialFinding: Sendable, Equatable, CustomStringConvertible {
    /// `environment`, `profile <name>`, `container` or `instance metadata`.
    public var link: String
    public var detail: String

    public init(link: String, detail: String) {
        self.link = link
        self.detail = detail
    }

    public var description: String { "\(link): \(detail)" }
}

/// Why no credentials could be had. Either nothing in the chain had any (`notFound`, with
/// what each link found), or a link found something broken and stopped the chain (a half-set
/// environment, a named profile that does not exist, a malformed file, a failing
/// `credential_process`, an error from the container endpoint). Never holds a secret, a
/// session token, an authorization token or a `credential_process`'s output.
public struct AWSCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No link had credentials; `findings` says what each one saw.
        case notFound = "not found"
        /// `AWS_ACCESS_KEY_ID` without `AWS_SECRET_ACCESS_KEY`, or the other way round.
        case environment
        /// The named profile does not exist, has half its keys, or needs what flow does not support.
        case profile
        /// `~/.aws/config` or `~/.aws/credentials` is malformed (`file:line` in the message).
        case configFile = "config file"
        /// The profile's `credential_process` failed, timed out or printed something unusable.
        case process = "credential_process"
        /// The container endpoint's variables are wrong, or it failed or answered badly.
        case container
    }

    public var kind: Kind
    public var message: String
    /// What the links before this one found (all of them for `notFound`), in chain order.
    public var findings: [AWSCredentialFinding]

    public init(kind: Kind, message: String, findings: [AWSCredentialFinding] = []) {
        self.kind = kind
        self.message = message
        self.findings = findings
    }

    public var description: String {
        guard kind == .notFound else { return message }
        return findings.isEmpty ? message : message + ": " + findings.map(\.description).joined(separator: "; ")
    }
}
