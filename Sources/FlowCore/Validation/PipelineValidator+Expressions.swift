/// Expression checks: every `${{ }}` parses, reads only contexts that exist where it stands,
/// only steps upstream of it and only outputs those steps declare; `run:` scripts use
/// expressions only where a value can be passed safely.
extension PipelineValidator {
    /// Where an expression stands decides what it may read.
    struct Scope {
        /// The step it belongs to; `nil` for pipeline-wide values (`env:` at the top).
        var step: Int?
        var matrixKeys: Set<String>?
        var isCondition = false
        /// The pipeline's `outputs:`, read when the run has ended: every step is readable.
        var readsAllSteps = false
    }

    static let runProperties = ["id", "status", "attempt", "trigger"]
    static let pipelineProperties = ["name", "file"]
    static let gitProperties = ["sha", "branch"]
    static let stepProperties = ["outputs", "status"]

    mutating func checkExpressions(inPipelineEnv env: [EnvEntry]) {
        checkEnv(env, Scope())
    }

    /// The `images:` maps of the pipeline and its profiles: values are templates read with what
    /// the pipeline's `env:` may read.
    mutating func checkImages() {
        for mapping in pipeline.images + pipeline.profiles.flatMap(\.images) {
            checkTemplate(mapping.value, Scope())
            if mapping.value.text.containsNUL { error(mapping.value.location, Messages.nulCharacter("the image for `\(mapping.name.value)`")) }
        }
    }

    /// `env:` values may hold expressions, except for variables that bash (running the step's script) or a
    /// program it runs reads as code: `BASH_ENV`, `PS4`, `GIT_SSH_COMMAND`, … (see `ShellScanner.codeVariables`).
    mutating func checkEnv(_ env: [EnvEntry], _ scope: Scope) {
        for entry in env {
            checkTemplate(entry.value, scope)
            guard ShellScanner.isCodeVariable(entry.name.value), entry.value.containsExpression,
                let template = try? Template.parse(entry.value.text)
            else { continue }
            for (_, position) in template.expressions {
                error(entry.value.location(of: position), Messages.scriptCodeVariable(entry.name.value),
                      notes: [.init(Messages.fixedCodeVariable)])
            }
        }
    }

    mutating func checkExpressions(in step: Step, index: Int) {
        let scope = Scope(step: index, matrixKeys: step.matrix?.keys)
        if let script = step.script {
            var shell = script.shell?.value
            if let given = script.shell, given.value.containsExpressionOpener {
                error(given.location, Messages.expressionNotAllowed("`shell`"))
                shell = nil
            }
            checkScript(script.text, shell: shell, scope)
        }
        if let condition = step.condition {
            var s = scope
            s.isCondition = true
            checkCondition(condition, s)
        }
        for (key, value) in step.with where !step.inputIsScript(key.value) { checkValue(value, scope) }
        checkEnv(step.env, scope)
        for case .value(let text) in step.cache?.key ?? [] { checkTemplate(text, scope) }
        if let wd = step.workingDirectory { checkTemplate(wd, scope) }
    }

    /// Every string inside an input value, however nested, may hold expressions.
    mutating func checkValue(_ node: YAMLNode, _ scope: Scope) {
        switch node.content {
        case .scalar: if let text = SourceText(node) { checkTemplate(text, scope) }
        case .sequence(let items): for item in items { checkValue(item, scope) }
        case .mapping(let pairs): for pair in pairs { checkValue(pair.value, scope) }
        }
    }

    mutating func checkTemplate(_ text: SourceText, _ scope: Scope) {
        guard text.containsExpression else { return }
        do {
            let template = try Template.parse(text.text)
            for (expression, position) in template.expressions {
                check(expression, startingAt: Self.afterOpener(position), in: text, scope)
            }
        } catch {
            self.error(text.location(of: error.position), Messages.expression(error.message))
        }
    }

    /// A `run:` script: every unsafe or invalid expression is reported, then what each reads. In a script for
    /// an interpreter other than bash and sh every expression is refused (see `ScriptShell`).
    mutating func checkScript(_ text: SourceText, shell: String?, _ scope: Scope) {
        guard text.containsExpression else { return }
        guard ScriptShell.substitutesExpressions(shell) else {
            checkScriptForOtherInterpreter(text, shell: shell ?? ScriptShell.defaultShell, scope)
            return
        }
        let (variables, problems) = ShellSubstitution.analyze(text.text)
        for problem in problems {
            let notes = problem.notes.map { Diagnostic.Note($0.message, at: $0.position.map(text.location(of:))) }
            error(text.location(of: problem.position), Messages.expression(problem.message), notes: notes)
        }
        for variable in variables {
            check(variable.expression, startingAt: Self.afterOpener(variable.position), in: text, scope)
        }
    }

    mutating func checkScriptForOtherInterpreter(_ text: SourceText, shell: String, _ scope: Scope) {
        do {
            for (expression, position) in try Template.parse(text.text).expressions {
                error(text.location(of: position), Messages.expressionInOtherInterpreter(shell),
                      notes: [.init(Messages.readValueFromEnvironment)])
                check(expression, startingAt: Self.afterOpener(position), in: text, scope)
            }
        } catch {
            self.error(text.location(of: error.position), Messages.expression(error.message))
        }
    }

    /// `if:` is one expression, with or without `${{ }}` around it.
    mutating func checkCondition(_ text: SourceText, _ scope: Scope) {
        do {
            if text.containsExpression {
                let template = try Template.parse(text.text)
                let pieces = template.segments.filter {
                    if case .literal(let s) = $0 { return !s.allSatisfy(\.isWhitespace) }
                    return true
                }
                guard pieces.count == 1, case .expression(let expression, let position) = pieces[0] else {
                    error(text.location, Messages.conditionWithText)
                    return
                }
                check(expression, startingAt: Self.afterOpener(position), in: text, scope)
            } else {
                check(try Expression.parseInPipeline(text.text), startingAt: .start, in: text, scope)
            }
        } catch {
            self.error(text.location(of: error.position), Messages.expression(error.message))
        }
    }

    /// Where an expression's own text begins: just after its `${{`.
    static func afterOpener(_ position: TextPosition) -> TextPosition {
        TextPosition(line: position.line, column: position.column + 3)
    }

    /// A position inside an expression, as a position in the text the expression stands in.
    static func position(_ inner: TextPosition, from start: TextPosition) -> TextPosition {
        inner.line == 1
            ? TextPosition(line: start.line, column: start.column + inner.column - 1)
            : TextPosition(line: start.line + inner.line - 1, column: inner.column)
    }

    mutating func check(_ expression: Expression, startingAt start: TextPosition, in text: SourceText, _ scope: Scope) {
        if expression.callsStatusFunction && !scope.isCondition {
            let leading = expression.source.prefix { $0 == " " || $0 == "\t" }.count
            error(text.location(of: TextPosition(line: start.line, column: start.column + leading)), Messages.statusFunctionOutsideIf)
        }
        for reference in expression.references {
            let at = text.location(of: Self.position(reference.position, from: start))
            check(reference.path, at: at, scope)
        }
    }

    mutating func check(_ path: [String], at: SourceLocation, _ scope: Scope) {
        guard let context = path.first else { return }
        let property = path.count > 1 ? path[1] : nil
        func known(_ names: [String]) {
            if let property, !names.contains(property) { error(at, Messages.unknownProperty(context, property, names)) }
        }
        switch context {
        case "env":
            break
        case "params":
            if let property, param(property) == nil {
                let close = Spelling.closest(to: property, among: pipeline.params.map(\.name.value))
                error(at, Messages.unknownParam(property), notes: close.map { [.init(Messages.didYouMean($0))] } ?? [])
            }
        case "run": known(Self.runProperties)
        case "pipeline": known(Self.pipelineProperties)
        case "git": known(Self.gitProperties)
        case "matrix":
            guard let keys = scope.matrixKeys else {
                error(at, Messages.matrixOutsideMatrix())
                return
            }
            if let property, !keys.contains(property), !keys.contains(Matrix.anyKey) { error(at, Messages.unknownMatrixKey(property)) }
        case "steps":
            checkStepReference(path, at: at, scope)
        default:
            error(at, Messages.unknownContext(context), notes: GitHubActionsHabits.context(path).map { [.init($0)] } ?? [])
        }
    }

    mutating func checkStepReference(_ path: [String], at: SourceLocation, _ scope: Scope) {
        guard scope.step != nil || scope.readsAllSteps else {
            error(at, Messages.stepNotUpstreamOfPipeline(path.count > 1 ? path[1] : "…"))
            return
        }
        guard path.count > 1 else { return }
        let id = path[1]
        guard let target = graph.index[id] else {
            let close = Spelling.closest(to: id, among: graph.ids)
            error(at, Messages.unknownStepReference(id), notes: close.map { [.init(Messages.didYouMean($0))] } ?? [])
            return
        }
        if let reader = scope.step {
            let readerStep = pipeline.steps[reader]
            if target == reader {
                error(at, Messages.ownOutputs(id))
                return
            }
            if !readerStep.needs.contains(where: { $0.value == id }) && !upstream(of: reader).contains(target) {
                error(at, Messages.stepNotUpstream(readerStep.id.value, id))
                return
            }
        }
        guard path.count > 2 else { return }
        guard Self.stepProperties.contains(path[2]) else {
            error(at, Messages.unknownProperty("steps.\(id)", path[2], Self.stepProperties))
            return
        }
        guard path[2] == "outputs" else { return }
        let targetStep = pipeline.steps[target]
        if targetStep.matrix != nil {
            error(at, Messages.matrixOutputs(id))
            return
        }
        guard path.count > 3 else { return }
        let declared: [String]
        if let child = targetStep.included?.pipeline {
            declared = child.outputs.map(\.name.value)
        } else if targetStep.usesPipeline {
            return
        } else { switch options.catalog[targetStep.uses.value]?.outputs {
        case .declaredByStep?: declared = targetStep.outputs.map(\.value)
        case .fixed(let outputs)?: declared = outputs.map(\.name)
        case .openEnded?, nil: return
        } }
        if !declared.contains(path[3]) {
            error(at, Messages.undeclaredOutput(id, path[3], declared),
                  notes: Spelling.closest(to: path[3], among: declared).map { [.init(Messages.didYouMean($0))] } ?? [])
        }
    }
}
