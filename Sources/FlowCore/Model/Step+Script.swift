extension Step {
    /// The script a step runs and the interpreter it names, when its type takes a script
    /// (``StepTypeSignature/ScriptInputs``): its expressions become variables, never text pasted
    /// into the script.
    public var script: (text: SourceText, shell: Located<String>?)? {
        guard let inputs = signature?.script,
            let node = with.first(where: { $0.key.value == inputs.script })?.value, let text = SourceText(node)
        else { return nil }
        let shellNode = with.first { $0.key.value == inputs.interpreter }?.value
        let shell = shellNode.flatMap { node in node.scalar.map { Located($0.value, at: node.location) } }
        return (text, shell)
    }

    /// Whether the input `key` is the script or its interpreter (see `script`).
    public func inputIsScript(_ key: String) -> Bool {
        guard let inputs = signature?.script, script != nil else { return false }
        return key == inputs.script || key == inputs.interpreter
    }
}
