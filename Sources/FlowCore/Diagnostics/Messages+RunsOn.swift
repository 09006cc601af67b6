/// The messages about `runs-on:` (a step run as an AWS CodeBuild build).
extension Messages {
    public static func runsOnNeedsScript(_ id: String, type: String) -> String {
        "`runs-on` applies to steps that run a script (`run:` or `uses: shell`); step `\(id)` uses `\(type)`, which runs on this machine only; move the remote work into a `run:` step"
    }
    public static func runsOnWithContainer(_ id: String) -> String {
        "step `\(id)` has both `runs-on` and `container`; a step on CodeBuild runs in the project's image: drop `container` and set `runs-on.codebuild.image` instead"
    }
    public static let runsOnCodeBuildShorthand =
        "`runs-on: codebuild` needs the CodeBuild project to start: write `runs-on: { codebuild: { project: NAME } }`"
    public static func runsOnScalar(_ value: String) -> String {
        "`runs-on` must be a mapping `{ codebuild: { project: NAME } }`, not the word `\(value)`; a step without `runs-on` runs on this machine"
            + " (GitHub Actions' runner labels such as `ubuntu-latest` pick a machine; in flow, drop `runs-on`, and use `container:` for a step that needs an image)"
    }
    public static func runsOnTwice(_ id: String) -> String {
        "step `\(id)` gives `runs-on` both as a key and in `with:`; keep the key"
    }
    public static func runsOnSecretUnmapped(_ name: String) -> String {
        "secret `\(name)` has no CodeBuild source: a step on CodeBuild never receives a secret as plain text; add `\(name): parameter-store:/PATH` or `\(name): secrets-manager:SECRET-ID[:JSON-KEY]` under `runs-on.codebuild.secrets` (or `\(name): none` if this step does not need it)"
    }
    public static func runsOnSecretReference(_ name: String, _ value: String) -> String {
        "`\(value)` is not a secret source for `\(name)`; write `parameter-store:/PATH`, `secrets-manager:SECRET-ID[:JSON-KEY[:STAGE[:VERSION]]]` or `none`"
    }
    public static func runsOnOutputsNotExported(_ id: String) -> String {
        "step `\(id)` declares outputs and runs on CodeBuild: only single-line `name=value` lines reach flow (through the build's exported variables)"
    }
}
