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
        checkRestricted(group, contexts: Self.concurrencyGroupContexts, Scope(), Messages.concurrencyGroupContext)
    }
}

extension PipelineValidator {
    /// A text whose expressions may read only `contexts` (a value known before the run: a
    /// concurrency group, a step's name): each reference elsewhere gets `message(context)`.
    mutating func checkRestricted(_ text: SourceText, contexts: Set<String>, _ scope: Scope, _ message: (String) -> String) {
        guard text.containsExpression else { return }
        do {
            let template = try Template.parse(text.text)
            for (expression, position) in template.expressions {
                let start = Self.afterOpener(position)
                if expression.callsStatusFunction {
                    error(text.location(of: start), Messages.statusFunctionOutsideIf)
                }
                for reference in expression.references {
                    let at = text.location(of: Self.position(reference.position, from: start))
                    guard let context = reference.path.first else { continue }
                    if contexts.contains(context) {
                        check(reference.path, at: at, scope)
                    } else {
                        error(at, message(context))
                    }
                }
            }
        } catch {
            self.error(text.location(of: error.position), Messages.expression(error.message))
        }
    }

    /// A step's `name` is shown before it runs: it reads `params`, `pipeline` and `matrix` only.
    /// Its `description` is plain text.
    mutating func checkLabels(_ step: Step, index: Int) {
        if let name = step.name {
            if name.text.allSatisfy(\.isWhitespace) { error(name.location, Messages.stepNameEmpty) }
            checkRestricted(name, contexts: ["params", "pipeline", "matrix"], Scope(step: index, matrixKeys: step.matrix?.keys),
                            Messages.stepNameContext)
        }
        if let description = step.description, description.containsExpression {
            error(description.location, Messages.descriptionIsPlainText)
        }
    }

    /// The pipeline's `outputs:` are computed when the run ends: they may read any step.
    mutating func checkPipelineOutputs() {
        for output in pipeline.outputs {
            checkTemplate(output.value, Scope(readsAllSteps: true))
        }
    }
}
