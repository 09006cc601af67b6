/// Where a step running on CodeBuild gets one secret (`runs-on.codebuild.secrets`): a Parameter
/// Store parameter or a Secrets Manager secret the build reads itself, or nowhere (`none`: the
/// step does not get it). A secret's value never travels in the StartBuild request.
public enum CodeBuildSecretSource: Sendable, Hashable {
    /// `parameter-store:/path/to/parameter` (a name or a path; the build's role must read it).
    case parameterStore(String)
    /// `secrets-manager:secret-id[:json-key[:version-stage[:version-id]]]`, as a buildspec's
    /// `env.secrets-manager` takes it.
    case secretsManager(String)
    case none

    public init?(_ text: String) {
        if text == "none" { self = .none; return }
        for (prefix, make) in [("parameter-store:", Self.parameterStore), ("secrets-manager:", Self.secretsManager)] {
            guard text.hasPrefix(prefix) else { continue }
            let reference = String(text.dropFirst(prefix.count))
            guard !reference.isEmpty, !reference.contains(where: { $0.isWhitespace || $0 == "\0" }),
                  !reference.contains("${{") else { return nil }
            self = make(reference)
            return
        }
        return nil
    }
}
