/// Values that reach a step's process — its environment, its inputs, its script, its shell and working
/// directory — cannot hold a NUL character: environment variables, arguments and paths end at one.
/// (Matrix values are checked as they are loaded; parameter values where they are typed.)
extension PipelineValidator {
    mutating func checkNULCharacters(inEnv env: [EnvEntry]) {
        for entry in env where entry.value.text.containsNUL {
            error(entry.value.location, Messages.nulCharacter("the value of `\(entry.name.value)`"))
        }
    }

    mutating func checkNULCharacters(in step: Step) {
        checkNULCharacters(inEnv: step.env)
        for (key, value) in step.with { checkNULCharacters(in: value, "input `\(key.value)`") }
        if let wd = step.workingDirectory, wd.text.containsNUL { error(wd.location, Messages.nulCharacter("`working-directory`")) }
    }

    /// Every string in an input value, however nested.
    private mutating func checkNULCharacters(in node: YAMLNode, _ what: String) {
        switch node.content {
        case .scalar(let s): if s.value.containsNUL { error(node.location, Messages.nulCharacter(what)) }
        case .sequence(let items): for item in items { checkNULCharacters(in: item, what) }
        case .mapping(let pairs): for pair in pairs { checkNULCharacters(in: pair.value, what) }
        }
    }
}

extension String {
    /// Whether the text holds U+0000 (a byte scan, as for `containsExpressionOpener`).
    var containsNUL: Bool { utf8.contains(0) }
}
