/// A user step type from `steps/<name>/step.yml`: its signature plus what to run.
public struct StepDefinition: Sendable {
    /// What the step type executes: a script file in its folder, or an argument list.
    public enum Command: Sendable, Hashable {
        case script(Located<String>)
        case arguments([String])
    }

    public var signature: StepTypeSignature
    public var command: Command
    /// The folder name under `steps/`.
    public var folder: String

    static let keys = ["name", "description", "inputs", "outputs", "run"]
    static let inputKeys = ["description", "required", "default", "secret", "type"]

    /// Loads one `step.yml`. `folder` is the name of the folder it was found in, which must
    /// equal the declared name; `builtins` are the names it may not take. Checking that a script
    /// file exists is the caller's job.
    public static func load(_ bytes: [UInt8], file: String, folder: String, builtins: Set<String>,
                            limits: YAMLLimits = .init()) -> (definition: StepDefinition?, diagnostics: [Diagnostic]) {
        let (root, yamlDiagnostics) = YAMLComposer.compose(bytes, file: file, limits: limits)
        var reader = NodeReader(diagnostics: yamlDiagnostics)
        guard let root, reader.mapping(root, "a step type definition", allowed: keys) != nil else { return (nil, reader.diagnostics) }

        guard let nameNode = root["name"] else {
            reader.error(root.location, Messages.missingKey("name", in: "the step type definition"))
            return (nil, reader.diagnostics)
        }
        guard let name = reader.identifier(nameNode, "step type name") else { return (nil, reader.diagnostics) }
        if name.value != folder { reader.error(name.location, Messages.stepDefinitionNameMismatch(name.value, folder)) }
        if builtins.contains(name.value) { reader.error(name.location, Messages.stepDefinitionShadowsBuiltin(name.value)) }

        var signature = StepTypeSignature(name: name.value, summary: "", isUserDefined: true)
        signature.summary = root["description"].flatMap { reader.string($0, "`description`")?.value } ?? ""
        if let inputs = root["inputs"], let pairs = reader.mapping(inputs, "`inputs`") {
            signature.inputs = pairs.compactMap { input($0, &reader) }
        }
        if let outputs = root["outputs"] {
            let names: [YAMLNode] = outputs.mapping?.map(\.key) ?? outputs.sequence ?? []
            if outputs.mapping == nil && outputs.sequence == nil {
                reader.error(outputs.location, Messages.wrongType("`outputs`", expected: "a list of output names", found: outputs.kindDescription))
            }
            signature.outputs = .fixed(names.compactMap { reader.identifier($0, "output name").map { StepOutput($0.value) } })
        }

        guard let runNode = root["run"] else {
            reader.error(root.location, Messages.missingKey("run", in: "the step type definition"))
            return (nil, reader.diagnostics)
        }
        let command: Command
        if let items = runNode.sequence, !items.isEmpty {
            command = .arguments(items.compactMap { reader.string($0, "each argument of `run`")?.value })
        } else if let script = runNode.scalar.flatMap({ _ in reader.string(runNode, "`run`") }) {
            let parts = script.value.split(separator: "/", omittingEmptySubsequences: false)
            if script.value.hasPrefix("/") || parts.contains("..") || script.value.isEmpty {
                reader.error(runNode.location, Messages.stepDefinitionScriptOutside(script.value))
            }
            command = .script(script)
        } else {
            reader.error(runNode.location, Messages.stepDefinitionRunShape)
            return (nil, reader.diagnostics)
        }
        let definition = StepDefinition(signature: signature, command: command, folder: folder)
        return (reader.diagnostics.hasErrors ? nil : definition, reader.diagnostics)
    }

    private static func input(_ pair: YAMLNode.Pair, _ reader: inout NodeReader) -> StepInput? {
        guard let name = reader.identifier(pair.key, "input name") else { return nil }
        var input = StepInput(name.value)
        if pair.value.scalar != nil && pair.value.scalar?.resolved != .null {
            input.description = reader.string(pair.value, "`\(name.value)`")?.value ?? ""
            return input
        }
        guard reader.mapping(pair.value, "input `\(name.value)`", allowed: inputKeys) != nil else { return nil }
        input.description = pair.value["description"].flatMap { reader.string($0, "`description`")?.value } ?? ""
        input.required = pair.value["required"].flatMap { reader.bool($0, "`required`") } ?? false
        input.defaultValue = pair.value["default"].flatMap { reader.string($0, "`default`")?.value }
        input.secret = pair.value["secret"].flatMap { reader.bool($0, "`secret`") } ?? false
        if let node = pair.value["type"], let text = reader.string(node, "`type`") {
            let names = InputKind.userTypeNames.keys.sorted()
            if let kind = InputKind.userTypeNames[text.value] {
                input.kind = kind
            } else {
                reader.error(node.location, Messages.notOneOf("`type`", text.value, names),
                             notes: Spelling.closest(to: text.value, among: names).map { [.init(Messages.didYouMean($0))] } ?? [])
            }
        }
        return input
    }
}
