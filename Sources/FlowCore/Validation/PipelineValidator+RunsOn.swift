/// `runs-on.codebuild.secrets`: every secret of the pipeline has a CodeBuild source (or `none`),
/// and every source is one CodeBuild can read. The keys and types of `runs-on` are checked by the
/// `shell` type's schema, as any input's.
extension PipelineValidator {
    mutating func checkRunsOn(_ step: Step) {
        guard let (key, node) = step.with.first(where: { $0.key.value == PipelineLoader.runsOnInput }),
              let codebuild = node["codebuild"], codebuild.mapping != nil else { return }
        var mapped = Set<String>()
        if let secrets = codebuild["secrets"], let pairs = secrets.mapping {
            for pair in pairs {
                mapped.insert(pair.keyText)
                guard let value = pair.value.scalar?.value else { continue }  // the schema reports the type
                if CodeBuildSecretSource(value) == nil {
                    error(pair.value.location, Messages.runsOnSecretReference(pair.keyText, value))
                }
            }
        }
        for name in pipeline.secrets where !mapped.contains(name.value) {
            let secretsKey = codebuild.mapping?.first { $0.keyText == "secrets" }?.key
            error(secretsKey?.location ?? key.location, Messages.runsOnSecretUnmapped(name.value))
        }
    }
}
