import FlowCore

/// `runs-on:` of a `run:` step (the `runs-on` input of `shell`): where the script runs instead
/// of this machine. Only AWS CodeBuild for now (see `docs/codebuild-steps.md`).
public struct RunsOnInput: StepInputSchema, Hashable {
    public var codebuild: CodeBuildTarget

    public static let help: [String: InputHelp] = [
        "codebuild": InputHelp("run the script as an AWS CodeBuild build of this project"),
    ]
}

/// `runs-on.codebuild`: the project a step's build belongs to and what the build overrides in it.
public struct CodeBuildTarget: StepInputSchema, Hashable {
    public var project: String
    public var image: String?
    public var computeType: String?
    /// Environment variable name → `parameter-store:…`, `secrets-manager:…` or `none`
    /// (``CodeBuildSecretSource``); every secret of the pipeline needs an entry.
    public var secrets: [String: String]?
    public var sourceVersion: String?
    public var privileged: Bool?
    public var region: String?

    enum CodingKeys: String, CodingKey {
        case project, image, computeType = "compute-type", secrets, sourceVersion = "source-version", privileged, region
    }

    public static let help: [String: InputHelp] = [
        "project": InputHelp("the CodeBuild project to start a build of (its service role, source, VPC and defaults apply)"),
        "image": InputHelp("the build image instead of the project's (`imageOverride`)"),
        "compute-type": InputHelp("the compute type instead of the project's, e.g. `BUILD_GENERAL1_LARGE` (`computeTypeOverride`)"),
        "secrets": InputHelp("where the build reads each secret: `NAME: parameter-store:/path`, `NAME: secrets-manager:id[:json-key]`, or `NAME: none`; every secret of the pipeline needs one"),
        "source-version": InputHelp("the source version the build checks out (a commit, branch or tag), e.g. `${{ git.sha }}`; the project's default otherwise"),
        "privileged": InputHelp("run the build's container privileged (for a Docker daemon in the build)"),
        "region": InputHelp("the AWS region of the project; AWS_REGION or the profile's otherwise"),
    ]
}
