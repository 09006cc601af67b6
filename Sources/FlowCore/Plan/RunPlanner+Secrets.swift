/// Which params are secret, and which secret values the file itself holds: decided from the
/// pipeline as written, before anything runs.
extension RunPlanner {
    /// The params whose values are secret, in declaration order: those declared `secret: true`,
    /// and those an expression reads in the `env:` value (pipeline's or any step's) of a name
    /// listed in `secrets:`, directly or through other `env:` names that value reads
    /// (`TOKEN: ${{ env.PART }}`, `PART: ${{ params.p }}`). Reading the whole `params` object
    /// (`toJSON(params)`) there makes every param secret; reading the whole `env` object makes
    /// every `env:` name feed it.
    public static func secretParams(of pipeline: Pipeline) -> [String] {
        var secret = Set(pipeline.params.filter(\.secret).map(\.name.value))
        let entries = pipeline.env + pipeline.steps.flatMap(\.env)
        var feeding = Set(pipeline.secrets.map(\.value))
        var visited = Set<Int>()
        var everyParam = false
        var changed = true
        while changed {
            changed = false
            for (index, entry) in entries.enumerated() where feeding.contains(entry.name.value) && !visited.contains(index) {
                visited.insert(index)
                guard entry.value.containsExpression, let template = try? Template.parse(entry.value.text) else { continue }
                for reference in template.expressions.flatMap({ $0.0.references }) {
                    switch (reference.path.first, reference.path.count) {
                    case ("params", 1): everyParam = true
                    case ("params", _): secret.insert(reference.path[1])
                    case ("env", 1):
                        for other in entries where feeding.insert(other.name.value).inserted { changed = true }
                    case ("env", _):
                        if feeding.insert(reference.path[1]).inserted { changed = true }
                    default: break
                    }
                }
            }
        }
        return pipeline.params.map(\.name.value).filter { everyParam || secret.contains($0) }
    }

    /// Secret values written in the file: the defaults, profile values and schedule values of
    /// secret params, and the literal `env:` values (pipeline's and every step's) of names listed
    /// in `secrets:`. Known before the run starts, so they are masked from its first byte, and in
    /// the copy of the file stored with the run.
    static func fileSecrets(of pipeline: Pipeline, secretParams: [String]) -> [String] {
        let secretParams = Set(secretParams)
        var values: [String] = []
        func add(_ node: YAMLNode?) {
            if let text = node?.scalar?.value, !values.contains(text) { values.append(text) }
        }
        for def in pipeline.params where secretParams.contains(def.name.value) { add(def.defaultValue) }
        for entry in pipeline.profiles.flatMap(\.values) + pipeline.schedule.flatMap(\.params)
        where secretParams.contains(entry.name.value) {
            add(entry.value)
        }
        let names = Set(pipeline.secrets.map(\.value))
        for entry in pipeline.env + pipeline.steps.flatMap(\.env) where names.contains(entry.name.value) && !entry.value.containsExpression {
            if !values.contains(entry.value.text) { values.append(entry.value.text) }
        }
        return values
    }

    /// The first secret param `text` (the concurrency group) reads, if any: a group's name shows
    /// in lock files and messages, so it may not hold a secret.
    static func secretParamRead(in text: SourceText, secretParams: [String]) -> String? {
        guard text.containsExpression, let template = try? Template.parse(text.text) else { return nil }
        for reference in template.expressions.flatMap({ $0.0.references }) where reference.path.first == "params" {
            guard reference.path.count > 1 else { return secretParams.first }
            if secretParams.contains(reference.path[1]) { return reference.path[1] }
        }
        return nil
    }
}
