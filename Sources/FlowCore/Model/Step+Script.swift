extension Step {
    /// The script a step runs and the `shell:` it names: from `run:` and `shell:`, or from the `script` and
    /// `shell` inputs of `uses: shell`, which is another spelling of the same step and follows the same rules
    /// (its expressions become variables too, never text pasted into the script).
    public var script: (text: SourceText, shell: Located<String>?)? {
        if let run { return (run, shell) }
        guard uses.value == BuiltinStepTypes.shell.name,
            let node = with.first(where: { $0.key.value == "script" })?.value, let text = SourceText(node)
        else { return nil }
        let shellNode = with.first { $0.key.value == "shell" }?.value
        let shell = shellNode.flatMap { node in node.scalar.map { Located($0.value, at: node.location) } }
        return (text, shell)
    }

    /// Whether the input `key` is the script or shell of a `uses: shell` step (see `script`).
    public func inputIsScript(_ key: String) -> Bool {
        run == nil && uses.value == BuiltinStepTypes.shell.name && (key == "script" || key == "shell") && script != nil
    }
}
