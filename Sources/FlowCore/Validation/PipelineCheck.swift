/// The whole check of one pipeline file, as `flow validate` runs it: load, validate, sort.
public enum PipelineCheck {
    /// Loads and validates `bytes`, and every sub-pipeline it runs (`uses: ./pipelines/x.yml`,
    /// read through ``ValidationOptions/readInclude``, each file once however often it is
    /// named); diagnostics come sorted by position, a sub-pipeline's at its own lines. The
    /// pipeline is returned whenever it loaded, so callers decide what errors mean for them.
    public static func check(_ bytes: [UInt8], file: String, options: ValidationOptions,
                             limits: YAMLLimits = .init()) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        var includes = Includes(options: options, limits: limits)
        let (pipeline, diagnostics) = includes.check(bytes, file: file, chain: [options.includeKey(file)], names: [file])
        return (pipeline, diagnostics.sortedByLocation())
    }

    /// Sub-pipelines read so far, by key: each is checked once, its problems reported once.
    struct Includes {
        let options: ValidationOptions
        let limits: YAMLLimits
        var checked: [String: IncludedPipeline?] = [:]

        /// `chain`: the keys of the files that include this one, outermost first (`names`: as
        /// they are reported), to tell a cycle.
        mutating func check(_ bytes: [UInt8], file: String, chain: [String], names: [String]) -> (Pipeline?, [Diagnostic]) {
            let (loaded, loadDiagnostics) = PipelineLoader.load(bytes, file: file, limits: limits)
            guard var pipeline = loaded else { return (nil, loadDiagnostics) }
            pipeline.resolveStepTypes(options.catalog)
            var diagnostics = loadDiagnostics
            for index in pipeline.steps.indices where pipeline.steps[index].usesPipeline {
                let uses = pipeline.steps[index].uses
                switch options.readInclude(uses.value, file) {
                case .problem(let reason):
                    diagnostics.append(.error(uses.location, Messages.cannotReadSubPipeline(uses.value, reason)))
                case .file(let path, let key, let childBytes):
                    if let start = chain.firstIndex(of: key) {
                        diagnostics.append(.error(uses.location, Messages.includeCycle(Array(names[start...]) + [path])))
                    } else if let done = checked[key] {
                        pipeline.steps[index].included = done
                    } else {
                        let (child, found) = check(childBytes, file: path, chain: chain + [key], names: names + [path])
                        diagnostics += found
                        let included = child.flatMap { found.hasErrors ? nil : IncludedPipeline($0) }
                        checked[key] = included
                        pipeline.steps[index].included = included
                    }
                }
            }
            diagnostics += PipelineValidator.validate(pipeline, options: options)
            return (pipeline, diagnostics)
        }
    }
}

extension Pipeline {
    /// Gives every step the signature of its type from `catalog` (nil for an unknown type).
    public mutating func resolveStepTypes(_ catalog: StepCatalog) {
        for i in steps.indices { steps[i].signature = catalog[steps[i].uses.value] }
    }
}
