/// The rule table: ids, default severities (hadolint's `info` and `style` are `note`), summaries.
extension DockerfileRules {
    private static func hadolint(_ id: String, _ severity: Finding.Severity, _ summary: String) -> RuleDescriptor {
        RuleDescriptor(id, severity, summary, helpURI: "https://github.com/hadolint/hadolint/wiki/\(id)")
    }

    /// What each rule checks and how severe its findings are unless configured otherwise.
    public static let descriptors: [RuleDescriptor] = [
        hadolint("DL3000", .error, "WORKDIR must be an absolute path."),
        hadolint("DL3002", .warning, "The last USER of the built image should not be root."),
        hadolint("DL3003", .warning, "Use WORKDIR to switch directories instead of `cd` in RUN."),
        hadolint("DL3004", .error, "Do not use sudo: the build runs as root unless USER says otherwise."),
        hadolint("DL3006", .warning, "Always tag the version of a FROM image."),
        hadolint("DL3007", .warning, "Do not use the `latest` tag: pin a version."),
        hadolint("DL3008", .warning, "Pin versions in apt-get install (`package=version`)."),
        hadolint("DL3009", .note, "Delete /var/lib/apt/lists after apt-get install in the same RUN."),
        hadolint("DL3014", .warning, "Use `-y` with apt-get install."),
        hadolint("DL3015", .note, "Use `--no-install-recommends` with apt-get install."),
        hadolint("DL3016", .warning, "Pin versions in npm install (`package@version`)."),
        hadolint("DL3018", .warning, "Pin versions in apk add (`package=version`)."),
        hadolint("DL3020", .error, "Use COPY instead of ADD for local files and folders."),
        hadolint("DL3022", .warning, "COPY --from should name a stage defined before it."),
        hadolint("DL3023", .error, "COPY --from cannot copy from its own stage."),
        hadolint("DL3024", .error, "Stage names must be unique."),
        hadolint("DL3025", .warning, "Use the JSON form for CMD and ENTRYPOINT so signals reach the process."),
        hadolint("DL3027", .warning, "Use apt-get (or apt-cache) in scripts, not apt."),
        hadolint("DL3029", .warning, "Do not pin FROM --platform to a fixed value."),
        hadolint("DL3033", .warning, "Pin versions in yum install (`package-version`)."),
        hadolint("DL3041", .warning, "Pin versions in dnf install (`package-version`)."),
        hadolint("DL3045", .warning, "COPY to a relative destination needs a WORKDIR set first."),
        hadolint("DL3047", .note, "wget without `--progress` floods the build log; use `--progress=dot:giga` or `-q`."),
        hadolint("DL3059", .note, "Consecutive RUN instructions could be one layer."),
        hadolint("DL3061", .error, "Only ARG may come before the first FROM."),
        hadolint("DL4000", .error, "MAINTAINER is deprecated; use LABEL maintainer=…."),
        hadolint("DL4001", .warning, "Use either wget or curl, not both."),
        hadolint("DL4003", .warning, "A stage should have one CMD; only the last takes effect."),
        hadolint("DL4004", .error, "A stage should have one ENTRYPOINT; only the last takes effect."),
        hadolint("DL4006", .warning, "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before a RUN with a pipe."),
        RuleDescriptor("apt-no-update", .error,
                       "apt-get install without apt-get update in the same RUN uses stale package lists from a cached layer."),
        RuleDescriptor("debian-frontend", .warning,
                       "apt-get install without DEBIAN_FRONTEND=noninteractive can hang the build on a prompt (tzdata)."),
        RuleDescriptor("copy-missing", .error, "A COPY or ADD source is not in the build context (or .dockerignore leaves it out)."),
        RuleDescriptor("copy-before-install", .note,
                       "COPY of the whole context before pip install -r re-installs every package on any source change."),
        RuleDescriptor(DockerfileParser.syntaxRule, .error, "The Dockerfile cannot be parsed as Docker would parse it."),
    ]

    private static let severities: [String: Finding.Severity] = Dictionary(
        descriptors.map { ($0.id, $0.severity) }, uniquingKeysWith: { first, _ in first })

    /// The default severity of a rule (`warning` for an id not in the table).
    static func severity(of rule: String) -> Finding.Severity { severities[rule] ?? .warning }
}
