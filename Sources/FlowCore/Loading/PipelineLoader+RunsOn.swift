extension PipelineLoader {
    /// The input of `shell` that `runs-on:` becomes (``Step/with``), as `container:` does.
    static let runsOnInput = "runs-on"

    /// `runs-on: { codebuild: { project, … } }` on a step that runs a script: passed to `shell` as
    /// its `runs-on` input, whose schema checks the keys and their types. Only the shapes the
    /// schema cannot explain well are refused here.
    mutating func runsOn(_ node: YAMLNode, key: YAMLNode, into step: inout Step, id: String, runsScript: Bool, inContainer: Bool) {
        guard runsScript else {
            reader.error(key.location, Messages.runsOnNeedsScript(id, type: step.uses.value))
            return
        }
        if inContainer {
            reader.error(key.location, Messages.runsOnWithContainer(id))
            return
        }
        if let s = node.scalar {
            reader.error(node.location, s.value == "codebuild" ? Messages.runsOnCodeBuildShorthand : Messages.runsOnScalar(s.value))
            return
        }
        if step.with.contains(where: { $0.key.value == Self.runsOnInput }) {
            reader.error(key.location, Messages.runsOnTwice(id))
            return
        }
        step.with.append((Located(Self.runsOnInput, at: key.location), node))
    }
}
