import Foundation
import FlowEngine

/// The check after a push: the manifest the registry serves for a tag is the one pushed. The
/// sha256 of the exact body must equal the digest the engine wrote (and `Docker-Content-Digest`,
/// when the registry sends it, must agree); the manifest's `config.digest` is compared with the
/// local image's id when the manifest is an image manifest (not an index).
public struct ManifestVerification: Sendable, Hashable {
    public var digest: String
    /// `config.digest` of an image manifest; nil for an index or a body that is not one.
    public var configDigest: String?
    public var mediaType: String?

    /// The `Accept` types, manifests first, then indexes: OCI and Docker's.
    public static let acceptedTypes = [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    /// Compares what a registry served for `tag` with the digest pushed; a ``VerificationProblem``
    /// names both digests when they differ.
    public static func check(body: Data, headerDigest: String?, expected: String, tag: String,
                             contentType: String? = nil) throws(VerificationProblem) -> ManifestVerification {
        let actual = "sha256:" + SHA256.hex(Array(body))
        guard actual == expected.lowercased() else {
            throw VerificationProblem("the manifest the registry serves for tag `\(tag)` has digest \(actual), not \(expected), the digest pushed")
        }
        if let headerDigest, !headerDigest.isEmpty, headerDigest.lowercased() != actual {
            throw VerificationProblem("the registry's Docker-Content-Digest for tag `\(tag)` is \(headerDigest), but its body hashes to \(actual)")
        }
        var configDigest: String?
        var mediaType = contentType
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            mediaType = (object["mediaType"] as? String) ?? mediaType
            configDigest = (object["config"] as? [String: Any])?["digest"] as? String
        }
        return ManifestVerification(digest: actual, configDigest: configDigest, mediaType: mediaType)
    }
}

/// A pushed image that the registry does not serve as pushed.
public struct VerificationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
