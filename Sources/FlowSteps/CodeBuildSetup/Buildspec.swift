/// A CodeBuild `buildspec.yml` (version 0.2) that gets `flow`, runs one pipeline with its state
/// in S3, publishes JUnit reports through `reports:` and keeps the run's logs as artifacts.
///
/// The phases: `install` gets `flow` (already on the image's `PATH`, else from
/// `$FLOW_DOWNLOAD_URL`, an `https://` or `s3://` address of the Linux binary); `pre_build`
/// validates the pipeline; `build` runs it (`flow run FILE --junit … [--state-url …]`; plain
/// lines, since CodeBuild has no terminal); `post_build` prints the newest run. Build status comes
/// from exit codes only, and `flow run` exits non-zero for a failed run.
public struct Buildspec: Sendable, Equatable {
    /// The pipeline file, relative to the source root.
    public var pipeline: String
    /// `s3://bucket/prefix`, or nil to keep state only for the build.
    public var stateURL: String?
    /// The value `FLOW_DOWNLOAD_URL` gets in `env.variables` (empty: the image must have flow).
    public var downloadURL: String
    /// The state directory inside the build (`FLOW_HOME`), relative to the source root.
    public var stateDirectory = "runs"
    /// Where flow's own JUnit report goes.
    public var reportsDirectory = "out/reports"

    public init(pipeline: String, stateURL: String? = nil, downloadURL: String = "") {
        self.pipeline = pipeline
        self.stateURL = stateURL
        self.downloadURL = downloadURL
    }

    /// The report group names (CodeBuild prefixes them with the project's name).
    public static let runReportGroup = "flow-run"
    public static let stepReportGroup = "flow-steps"

    /// The `flow` command lines of each phase, in order (what the tests check parse as flow's).
    public var installCommands: [String] {
        [
            "if command -v flow >/dev/null 2>&1; then echo \"flow found at $(command -v flow)\"; "
                + "elif [ -z \"$FLOW_DOWNLOAD_URL\" ]; then echo \"flow is not on the image: set FLOW_DOWNLOAD_URL to the flow binary (https:// or s3://)\" >&2; exit 1; "
                + "elif [ \"${FLOW_DOWNLOAD_URL#s3://}\" != \"$FLOW_DOWNLOAD_URL\" ]; then aws s3 cp \"$FLOW_DOWNLOAD_URL\" /usr/local/bin/flow && chmod 0755 /usr/local/bin/flow; "
                + "else curl -fsSL --retry 3 -o /usr/local/bin/flow \"$FLOW_DOWNLOAD_URL\" && chmod 0755 /usr/local/bin/flow; fi",
            "flow --version",
        ]
    }

    public var preBuildCommands: [String] {
        ["mkdir -p \(BuildspecYAML.shellWord(reportsDirectory))", "flow validate \(BuildspecYAML.shellWord(pipeline))"]
    }

    public var runCommand: String {
        var words = ["flow", "run", pipeline, "--junit", reportsDirectory + "/flow-run.xml"]
        if let stateURL { words += ["--state-url", stateURL] }
        return words.map(BuildspecYAML.shellWord).joined(separator: " ")
    }

    public var postBuildCommands: [String] {
        ["flow runs --limit 5 || true"]
    }

    /// The file's text.
    public var yaml: String {
        let q = BuildspecYAML.scalar
        func list(_ items: [String], indent: String) -> String {
            items.map { "\(indent)- \(q($0))\n" }.joined()
        }
        var out = "# Written by `flow codebuild buildspec`; see docs/codebuild.md.\n"
        out += "version: 0.2\n"
        out += "env:\n  shell: bash\n  variables:\n"
        out += "    FLOW_HOME: \(q(stateDirectory))\n"
        out += "    FLOW_DOWNLOAD_URL: \(downloadURL.isEmpty ? "''" : q(downloadURL))\n"
        out += "phases:\n"
        out += "  install:\n    commands:\n" + list(installCommands, indent: "      ")
        out += "  pre_build:\n    on-failure: ABORT\n    commands:\n" + list(preBuildCommands, indent: "      ")
        out += "  build:\n    commands:\n" + list([runCommand], indent: "      ")
        out += "  post_build:\n    commands:\n" + list(postBuildCommands, indent: "      ")
        out += "reports:\n"
        out += "  \(Self.runReportGroup):\n    files:\n      - \(q("flow-run.xml"))\n    base-directory: \(q(reportsDirectory))\n    file-format: JUNITXML\n"
        out += "  \(Self.stepReportGroup):\n    files:\n      - \(q("**/smoke-test.xml"))\n    base-directory: \(q(stateDirectory))\n    file-format: JUNITXML\n"
        out += "artifacts:\n  name: flow-runs\n  base-directory: \(q(stateDirectory))\n  files:\n      - \(q("**/*"))\n"
        out += "  exclude-paths:\n      - \(q("flow.db*"))\n      - \(q(".flow-upload-*"))\n"
        return out
    }
}
