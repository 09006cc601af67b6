/// Which secret values the file itself holds: decided from the pipeline as written, before
/// anything runs.
extension RunPlanner {
    /// Secret values written in the file: the literal `env:` values (pipeline's and every
    /// step's) of names listed in `secrets:`. Known before the run starts, so they are masked
    /// from its first byte, and in the copy of the file stored with the run.
    static func fileSecrets(of pipeline: Pipeline) -> [String] {
        var values: [String] = []
        let names = Set(pipeline.secrets.map(\.value))
        for entry in pipeline.env + pipeline.steps.flatMap(\.env) where names.contains(entry.name.value) && !entry.value.containsExpression {
            if !values.contains(entry.value.text) { values.append(entry.value.text) }
        }
        return values
    }
}
