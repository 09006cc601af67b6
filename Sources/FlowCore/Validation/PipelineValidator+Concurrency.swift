/// `concurrency.group`: a name known before the run starts, so its expressions may read only
/// `params` and `pipeline`.
extension PipelineValidator {
    static let concurrencyGroupContexts: Set<String> = ["params", "pipeline"]

    mutating func checkConcurrency() {
        guard let group = pipeline.concurrency?.group else { return }
        guard group.containsExpression else {
            if group.text.allSatisfy(\.isWhitespace) { error(group.location, Messages.concurrencyGroupEmpty) }
            return
        }
        do {
            let template = try Template.parse(group.text)
            for (expression, position) in template.expressions {
                let start = Self.afterOpener(position)
                if expression.callsStatusFunction {
                    error(group.location(of: start), Messages.statusFunctionOutsideIf)
                }
                for reference in expression.references {
                    let at = group.location(of: Self.position(reference.position, from: start))
                    guard let context = reference.path.first else { continue }
                    if Self.concurrencyGroupContexts.contains(context) {
                        check(reference.path, at: at, Scope())
                    } else {
                        error(at, Messages.concurrencyGroupContext(context))
                    }
                }
            }
        } catch {
            self.error(group.location(of: error.position), Messages.expression(error.message))
        }
    }
}
