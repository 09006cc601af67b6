/// The whole check of one pipeline file, as `flow validate` runs it: load, validate, sort.
public enum PipelineCheck {
    /// Loads and validates `bytes`; diagnostics come sorted by position. The pipeline is
    /// returned whenever it loaded, so callers decide what errors mean for them.
    public static func check(_ bytes: [UInt8], file: String, options: ValidationOptions,
                             limits: YAMLLimits = .init()) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        let (loaded, loadDiagnostics) = PipelineLoader.load(bytes, file: file, limits: limits)
        guard var pipeline = loaded else { return (nil, loadDiagnostics.sortedByLocation()) }
        pipeline.resolveStepTypes(options.catalog)
        let diagnostics = loadDiagnostics + PipelineValidator.validate(pipeline, options: options)
        return (pipeline, diagnostics.sortedByLocation())
    }
}

extension Pipeline {
    /// Gives every step the signature of its type from `catalog` (nil for an unknown type).
    public mutating func resolveStepTypes(_ catalog: StepCatalog) {
        for i in steps.indices { steps[i].signature = catalog[steps[i].uses.value] }
    }
}
