import Foundation
import FlowCore

/// The JSON documents temporary credentials arrive in: a `credential_process`'s output
/// (`AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`, `Version: 1`) and the
/// container and instance metadata endpoints' answers (the same with `Token`).
enum CredentialDocument {
    /// Why a document could not be used; says which field, never a value.
    struct Problem: Error {
        var message: String
    }

    static func parse(_ data: Data, tokenKey: String, source: CredentialSource) throws(Problem) -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem(message: data.isEmpty ? "empty answer" : "not a JSON object")
        }
        func string(_ key: String) throws(Problem) -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw Problem(message: "\(key) is not a string") }
            return text.isEmpty ? nil : text
        }
        guard let keyId = try string("AccessKeyId") else { throw Problem(message: "no AccessKeyId") }
        guard let secret = try string("SecretAccessKey") else { throw Problem(message: "no SecretAccessKey") }
        let token = try string(tokenKey)
        var expiration: Date?
        if let text = try string("Expiration") {
            guard let date = ISO8601.parse(text) else {
                throw Problem(message: "Expiration \(text.prefix(40)) is not an ISO 8601 date")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token, expiration: expiration,
                              source: source)
    }
}
