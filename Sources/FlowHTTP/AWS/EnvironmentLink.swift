import Foundation
import FlowCore

/// The chain's first link: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, with
/// `AWS_SESSION_TOKEN` (or the older `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`
/// when temporary. One key without the other is an error naming the missing one.
struct EnvironmentLink {
    static let name = "environment"
    var environment: [String: String]

    func resolve() throws(AWSCredentialError) -> LinkOutcome {
        let keyId = value("AWS_ACCESS_KEY_ID")
        let secret = value("AWS_SECRET_ACCESS_KEY")
        switch (keyId, secret) {
        case (nil, nil):
            return .absent(AWSCredentialFinding(link: Self.name, detail: "AWS_ACCESS_KEY_ID not set"))
        case (.some, nil):
            throw AWSCredentialError(kind: .environment,
                                     message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither")
        case (nil, .some):
            throw AWSCredentialError(kind: .environment,
                                     message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither")
        case (.some(let keyId), .some(let secret)):
            var expiration: Date?
            if let text = value("AWS_CREDENTIAL_EXPIRATION") {
                guard let date = ISO8601.parse(text) else {
                    throw AWSCredentialError(kind: .environment,
                                             message: "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date (like 2030-01-31T12:00:00Z)")
                }
                expiration = date
            }
            return .found(AWSCredentials(accessKeyId: keyId, secretAccessKey: secret,
                                         sessionToken: value("AWS_SESSION_TOKEN") ?? value("AWS_SECURITY_TOKEN"),
                                         expiration: expiration, source: .environment))
        }
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
