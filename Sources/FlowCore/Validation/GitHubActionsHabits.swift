/// The common GitHub Actions shapes, recognised where they appear in a flow pipeline, and what
/// flow's equivalent is: said at the line of the habit instead of a bare "unknown key". People
/// port workflows by hand; the message is the porting guide for that one line.
public enum GitHubActionsHabits {
    /// A top-level key of a workflow that a pipeline does not have.
    static func rootKey(_ key: String) -> String? {
        switch key {
        case "jobs":
            return "`jobs:` is GitHub Actions' shape; a flow pipeline has no jobs: its top-level `steps:` mapping holds "
                + "every step, keyed by its id, and `needs:` orders them (the steps of a job become steps that each need the one before)"
        case "on":
            return "`on:` is GitHub Actions' trigger list; a flow run starts from `flow run`, from CodeBuild, or from a `schedule:` "
                + "entry (cron) in the pipeline (docs/triggers.md)"
        case "run-name":
            return "`run-name:` is GitHub Actions'; flow names each run by an id (`run.id`) and the pipeline by `name:`"
        case "permissions":
            return "`permissions:` is GitHub Actions' token scope; flow has no token: steps use the credentials of the machine "
                + "(AWS steps: the usual AWS chain)"
        default:
            return nil
        }
    }

    /// A step key of a GitHub Actions step or job that a flow step does not have.
    static func stepKey(_ key: String, stepID: String, value: YAMLNode?) -> String? {
        switch key {
        case "id":
            return "a step's id is its key under `steps:` (here `\(stepID)`), as `id:` is in GitHub Actions; remove `id:`, "
                + "or rename the step's key"
        case "timeout-minutes":
            let minutes = value?.scalar.map(\.value).flatMap(Int.init)
            return "`timeout-minutes` is GitHub Actions' key; flow's is `timeout:` with a unit: `timeout: \(minutes.map(String.init) ?? "10")m`"
        case "steps":
            return "a step holds no `steps:`, as a GitHub Actions job does; put each of them under the top-level `steps:`, "
                + "keyed by its id, with `needs:` for their order"
        case "strategy":
            return "`strategy:` is GitHub Actions'; flow's matrix is `matrix:` on the step itself, with `fail-fast` and `max-parallel` inside it"
        case "services":
            return "`services:` is GitHub Actions' service containers; start what a step needs in the step, or before the run"
        default:
            return nil
        }
    }

    /// What flow calls what a GitHub Actions expression reads (`github.sha` → `git.sha`), for
    /// an expression path whose context flow does not have.
    static func context(_ path: [String]) -> String? {
        let property = path.count > 1 ? path[1] : nil
        switch path.first {
        case "github":
            let equivalents = ["sha": "git.sha", "ref_name": "git.branch", "head_ref": "git.branch", "run_id": "run.id",
                               "run_attempt": "run.attempt", "event_name": "run.trigger", "workflow": "pipeline.name"]
            if let property, let flow = equivalents[property] {
                return "`github.\(property)` is GitHub Actions'; flow's is `\(flow)`"
            }
            if property == "event", path.count > 3, path[2] == "inputs" {
                return "`github.event.inputs.\(path[3])` is GitHub Actions'; flow's run inputs are params: `params.\(path[3])`"
            }
            return "`github` is GitHub Actions' context; flow's are `git.sha`, `git.branch`, `run.id`, `run.attempt`, "
                + "`run.trigger` and `pipeline.name`"
        case "needs":
            guard let property else { return "`needs` is GitHub Actions' context; flow reads other steps through `steps.ID`" }
            if path.count > 2, path[2] == "result" {
                return "`needs.\(property).result` is GitHub Actions'; flow's is `steps.\(property).status`"
            }
            let rest = path.dropFirst(2).joined(separator: ".")
            return "`needs.\(property)\(rest.isEmpty ? "" : "." + rest)` is GitHub Actions'; flow's is `steps.\(property)\(rest.isEmpty ? "" : "." + rest)`"
        case "inputs", "vars":
            return "`\(path.first!)` is GitHub Actions' context; a flow pipeline's inputs are its params: `params.\(property ?? "NAME")`"
        case "secrets":
            return "`secrets` is GitHub Actions' context; flow reads secrets from the environment: list the name under `secrets:` "
                + "(it is then masked everywhere) and read it as `env.\(property ?? "NAME")` or `$\(property ?? "NAME")` in a script"
        case "job":
            return "`job` is GitHub Actions' context; flow's run status is `run.status`, and `steps.ID.status` a step's"
        case "strategy":
            return "`strategy` is GitHub Actions' context; flow's matrix values are `matrix.KEY`"
        case "runner":
            return "`runner` is GitHub Actions' context; flow steps run on this machine: read its environment (`env.HOME`, `$RUNNER_TEMP` has no equivalent)"
        default:
            return nil
        }
    }

    /// A `uses:` that names a GitHub Action (`owner/repo@ref`, `owner/repo/path@ref`, `docker://…`).
    static func action(_ uses: String) -> String? {
        if uses.hasPrefix("docker://") {
            return "`\(uses)` is a GitHub Actions container action; flow runs a script in an image with `run:` and `container:`"
        }
        guard uses.contains("/"), uses.contains("@"), !uses.hasPrefix("./") else { return nil }
        let name = uses.prefix { $0 != "@" }
        if name == "actions/checkout" {
            return "`\(uses)` is a GitHub Action; flow does not run actions, and needs no checkout step: "
                + "steps run in the folder flow was started in, your checkout; remove this step"
        }
        return "`\(uses)` is a GitHub Action; flow does not run actions: use a `run:` step with the tool the action wraps, "
            + "or a step type of your own under `steps/` (`flow steps` lists the types)"
    }
}
