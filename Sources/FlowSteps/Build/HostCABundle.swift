import FlowEngine

/// The host's trusted CA bundle, for `ca-bundle: host`: where it is found, where `RUN` steps see
/// it, and the variables that point pip, requests and curl at it.
public enum HostCABundle {
    /// Where `RUN` steps find the bundle (read-only).
    public static let containerPath = "/etc/ssl/host-ca.crt"
    /// The build arguments set to ``containerPath`` (and declared with `ARG` after every `FROM`).
    public static let variables = ["CURL_CA_BUNDLE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
    /// Where Debian and Red Hat keep the bundle, after `$SSL_CERT_FILE`.
    public static let knownPaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

    /// The first of `$SSL_CERT_FILE` and ``knownPaths`` that is a readable regular file.
    public static func find(environment: [String: String], isFile: (String) -> Bool) -> String? {
        let candidates = [environment["SSL_CERT_FILE"]].compactMap { $0 }.filter { $0.hasPrefix("/") } + knownPaths
        return candidates.first(where: isFile)
    }
}
