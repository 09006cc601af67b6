/// Turns a validated `Pipeline` into a `RunPlan`: resolves params (default, then profile,
/// then `--param`), expands matrices, orders steps, and prepares scripts and templates.
public struct RunPlanner {
    /// A `--param NAME=VALUE` as given on the command line.
    public struct ParamArgument: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// Splits `NAME=VALUE` at the first `=`.
        public static func parse(_ text: String) -> ParamArgument? {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
            return ParamArgument(name: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
        }

        /// Every `--param` text parsed, and a diagnostic for each malformed one.
        public static func parse(all texts: [String]) -> ([ParamArgument], [Diagnostic]) {
            var arguments: [ParamArgument] = []
            var problems: [Diagnostic] = []
            for text in texts {
                if let argument = parse(text) { arguments.append(argument) } else {
                    problems.append(.error(RunPlanner.commandLine, Messages.paramArgumentSyntax(text)))
                }
            }
            return (arguments, problems)
        }
    }

    /// Where command-line problems are reported: they have no line in the file.
    public static let commandLine = SourceLocation(file: "command line", line: 0, column: 0)

    /// Plans a pipeline that validated without errors.
    /// `requireAllParams: false` plans without values for parameters that have none (for
    /// `flow graph`, whose output does not depend on them).
    /// `images` (`--image NAME=IMAGE`) go over the pipeline's and the profile's `images:`.
    public static func plan(_ pipeline: Pipeline, params arguments: [ParamArgument] = [], profile: String? = nil,
                            images: [(name: String, value: String)] = [],
                            maxParallel: Int? = nil, requireAllParams: Bool = true) -> (plan: RunPlan?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let secretParams = secretParams(of: pipeline)
        let params = resolveParams(pipeline, arguments, profile, requireAll: requireAllParams, secret: Set(secretParams), &diagnostics)
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        var steps: [PlannedStep] = []
        var included = Included()
        do {
            if let problem = try appendSteps(of: pipeline, params: params, secretParams: secretParams, prefix: "", scope: nil,
                                             entry: nil, into: &steps, included: &included) {
                return (nil, diagnostics + [problem])
            }
            var concurrency: ConcurrencyGroup?
            if let c = pipeline.concurrency {
                if let read = secretParamRead(in: c.group, secretParams: secretParams) {
                    return (nil, diagnostics + [.error(c.group.location, Messages.concurrencyGroupReadsSecret(read))])
                }
                let name = try concurrencyGroup(c.group, pipeline, params)
                guard !name.isEmpty else {
                    return (nil, diagnostics + [.error(c.group.location, Messages.concurrencyGroupEmpty)])
                }
                concurrency = ConcurrencyGroup(name: name, policy: c.policy.value)
            }
            var plan = RunPlan(
                pipelineName: pipeline.name.value, file: pipeline.file, description: pipeline.description,
                params: params, profile: profile,
                env: try pipeline.env.map { ($0.name.value, try Template.parse($0.value.text)) },
                secrets: (pipeline.secrets.map(\.value) + included.secrets).uniqued(),
                secretParams: secretParams, fileSecrets: fileSecrets(of: pipeline, secretParams: secretParams) + included.fileSecrets,
                maxParallel: maxParallel ?? pipeline.maxParallel?.value ?? RunPlan.defaultMaxParallel,
                concurrency: concurrency, steps: steps)
            plan.images = try imageMap(pipeline, profile: profile, overrides: images)
            plan.outputs = try pipeline.outputs.map { ($0.name.value, try Template.parse($0.value.text)) }
            plan.imageOverrides = images
            return (plan, diagnostics)
        } catch {
            // Validation parses every template first; reaching this means it was skipped.
            let message = (error as? ExpressionError)?.message ?? "\(error)"
            return (nil, diagnostics + [.error(pipeline.location, Messages.expression(message))])
        }
    }

    /// What the sub-pipelines of a plan add to the run as a whole: their secret names and
    /// the secret values written in their files.
    struct Included {
        var secrets: [String] = []
        var fileSecrets: [String] = []
    }

    /// Plans `pipeline`'s steps, in order, into `steps`. Inside a sub-pipeline (`scope`, the id of
    /// the step that runs it) ids are prefixed (`build/push`), the steps that need nothing there
    /// need the step that runs it (`entry`), and names that hold an expression show `…` for it
    /// (they may read the sub-pipeline's params, known when the run gets there). A step that runs a
    /// sub-pipeline is followed by the sub-pipeline's steps. Returns a problem that stops planning.
    static func appendSteps(of pipeline: Pipeline, params: [(name: String, value: ExpressionValue)], secretParams: [String],
                            prefix: String, scope: String?, entry: String?,
                            into steps: inout [PlannedStep], included: inout Included) throws -> Diagnostic? {
        var instances: [String: [String]] = [:]
        for step in pipeline.steps {
            // A matrix computed at run time is one step here; its instances come when the run gets there.
            let combos = step.matrix?.isDynamic == true ? nil : step.matrix?.combinations()
            instances[step.id.value] = (combos?.map { $0.stepID(base: step.id.value) } ?? [step.id.value]).map { prefix + $0 }
        }
        let baseGraph = StepGraph(ids: pipeline.steps.map(\.id.value), needs: pipeline.steps.map { $0.needs.map(\.value) })
        guard let order = baseGraph.topologicalOrder() else {
            // Validation reports cycles first; this guards callers that plan without validating.
            let path = baseGraph.cycles().first ?? []
            return .error(pipeline.location, Messages.cycle(path.map { baseGraph.ids[$0] }))
        }
        for index in order {
            let step = pipeline.steps[index]
            if scope == nil, let name = step.name, let read = secretParamRead(in: name, secretParams: secretParams) {
                return .error(name.location, Messages.stepNameReadsSecret(read))
            }
            let needs = step.needs.isEmpty ? (entry.map { [$0] } ?? []) : step.needs.flatMap { instances[$0.value] ?? [] }
            let dynamic = step.matrix?.isDynamic == true
            let combinations: [MatrixCombination?] = dynamic ? [nil] : step.matrix.map { $0.combinations().map { Optional($0) } } ?? [nil]
            for combination in combinations {
                var instance = try planned(step, combination, needs, pipeline.defaults)
                instance.id = prefix + instance.id
                instance.baseID = prefix + instance.baseID
                instance.scope = scope
                if scope == nil || step.name?.containsExpression != true {
                    instance.name = try stepName(step, combination, pipeline, params)
                } else if let name = step.name {
                    // Rendered when the run enters the sub-pipeline.
                    instance.nameTemplate = try Template.parse(name.text)
                    instance.name = instance.nameTemplate!.elided
                }
                instance.description = step.description?.text
                if let matrix = step.matrix {
                    instance.matrixGroup = MatrixGroup(base: instance.baseID, failFast: matrix.failFast?.value ?? false,
                                                       maxParallel: matrix.maxParallel?.value)
                    if dynamic {
                        instance.runtimeMatrix = try runtimeMatrix(matrix)
                        if let name = step.name, name.containsExpression {
                            instance.nameTemplate = try Template.parse(name.text)
                            // The step as a whole is shown with `…` for what each instance renders.
                            instance.name = instance.nameTemplate!.elided
                        }
                    }
                }
                guard let child = step.included?.pipeline else {
                    steps.append(instance)
                    continue
                }
                let childSecretParams = RunPlanner.secretParams(of: child)
                instance.call = PlannedCall(
                    file: child.file, pipelineName: child.name.value, params: child.params,
                    env: try child.env.map { ($0.name.value, try Template.parse($0.value.text)) },
                    secrets: child.secrets.map(\.value), secretParams: childSecretParams,
                    outputs: try child.outputs.map { ($0.name.value, try Template.parse($0.value.text)) })
                included.secrets += child.secrets.map(\.value)
                included.fileSecrets += fileSecrets(of: child, secretParams: childSecretParams)
                steps.append(instance)
                if let problem = try appendSteps(of: child, params: [], secretParams: childSecretParams, prefix: instance.id + "/",
                                                 scope: instance.id, entry: instance.id, into: &steps, included: &included) {
                    return problem
                }
            }
        }
        return nil
    }

    /// The image map: the pipeline's `images:`, then the profile's, then the command line's
    /// (literal), later entries replacing earlier ones for the same name.
    public static func imageMap(_ pipeline: Pipeline, profile: String?, overrides: [(name: String, value: String)]) throws -> [(name: String, value: Template)] {
        var map: [(name: String, value: Template)] = []
        func put(_ name: String, _ value: Template) {
            if let index = map.firstIndex(where: { $0.name == name }) { map[index].value = value } else { map.append((name, value)) }
        }
        let profileImages = pipeline.profiles.first { $0.name.value == profile }?.images ?? []
        for mapping in pipeline.images + profileImages { put(mapping.name.value, try Template.parse(mapping.value.text)) }
        for (name, value) in overrides { put(name, Template(segments: [.literal(value)])) }
        return map
    }

    /// Splits `--image NAME=IMAGE` texts (at the last `=`, since a name has none but a digest
    /// reference of the value may not either); problems say what is wrong.
    public static func imageOverrides(_ texts: [String]) -> (overrides: [(name: String, value: String)], problems: [Diagnostic]) {
        var overrides: [(name: String, value: String)] = []
        var problems: [Diagnostic] = []
        for text in texts {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex,
                  !text.contains(where: \.isWhitespace) else {
                problems.append(.error(commandLine, Messages.badImageOverride(text)))
                continue
            }
            overrides.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
        }
        return (overrides, problems)
    }

    /// The concurrency group's name: its text with `params.*` and `pipeline.*` rendered (validation
    /// has made sure it reads nothing else).
    static func concurrencyGroup(_ text: SourceText, _ pipeline: Pipeline, _ params: [(name: String, value: ExpressionValue)]) throws -> String {
        guard text.containsExpression else { return text.text }
        let context = EvaluationContext(values: [
            "params": .object(Dictionary(params.map { ($0.name, $0.value) }) { a, _ in a }),
            "pipeline": .object(["name": .string(pipeline.name.value), "file": .string(pipeline.file)]),
        ])
        return try Template.parse(text.text).render(in: context)
    }

    /// Problems with `--param` and `--profile` values alone (unknown names, values that do not
    /// fit), for `flow validate`, where a parameter without a value is not yet a problem.
    public static func checkParams(_ pipeline: Pipeline, _ arguments: [ParamArgument], profile: String?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        _ = resolveParams(pipeline, arguments, profile, requireAll: false, secret: Set(secretParams(of: pipeline)), &diagnostics)
        return diagnostics
    }

    /// The params' values; a value given for a secret param (`secret`) that does not fit is
    /// reported without it.
    static func resolveParams(_ pipeline: Pipeline, _ arguments: [ParamArgument], _ profile: String?, requireAll: Bool,
                              secret: Set<String>, _ diagnostics: inout [Diagnostic]) -> [(name: String, value: ExpressionValue)] {
        var values: [String: ExpressionValue] = [:]
        for def in pipeline.params {
            if let node = def.defaultValue, case .success(let v) = def.value(from: node) { values[def.name.value] = v }
        }
        if let profile {
            if let p = pipeline.profiles.first(where: { $0.name.value == profile }) {
                for (name, node) in p.values {
                    if let def = pipeline.params.first(where: { $0.name.value == name.value }), case .success(let v) = def.value(from: node) {
                        values[name.value] = v
                    }
                }
            } else {
                let close = Spelling.closest(to: profile, among: pipeline.profiles.map(\.name.value))
                diagnostics.append(.error(commandLine, Messages.unknownProfile(profile), notes: close.map { [.init(Messages.didYouMean($0))] } ?? []))
            }
        }
        for argument in arguments {
            guard let def = pipeline.params.first(where: { $0.name.value == argument.name }) else {
                let close = Spelling.closest(to: argument.name, among: pipeline.params.map(\.name.value))
                diagnostics.append(.error(commandLine, Messages.unknownParam(argument.name), notes: close.map { [.init(Messages.didYouMean($0))] } ?? []))
                continue
            }
            switch def.value(fromArgument: argument.value) {
            case .success(let v): values[argument.name] = v
            case .failure(let problem):
                let message = secret.contains(def.name.value) ? maskedProblem(def) : problem.message
                diagnostics.append(.error(commandLine, message, notes: [.init(Messages.declaredHere, at: def.name.location)]))
            }
        }
        for def in pipeline.params where requireAll && values[def.name.value] == nil {
            diagnostics.append(.error(commandLine, Messages.missingParamValue(def.name.value), notes: [.init(Messages.declaredHere, at: def.name.location)]))
        }
        return pipeline.params.compactMap { def in values[def.name.value].map { (def.name.value, $0) } }
    }

    /// Why a value does not fit `def`, with `***` for the value: a secret param's value is
    /// never printed, not even a wrong one.
    public static func maskedProblem(_ def: ParamDefinition) -> String {
        switch def.kind.value {
        case .choice: Messages.paramNotAnOption(def.name.value, "***", def.options.map(\.value))
        case let kind: Messages.paramWrongType(def.name.value, kind.rawValue, "***")
        }
    }

    static func planned(_ step: Step, _ combination: MatrixCombination?, _ needs: [String], _ defaults: StepDefaults) throws -> PlannedStep {
        var condition: Expression?
        if let c = step.condition {
            if c.containsExpression {
                condition = try Template.parse(c.text).expressions.first?.0
            } else {
                condition = try Expression.parseInPipeline(c.text)
            }
        }
        return PlannedStep(
            id: combination?.stepID(base: step.id.value) ?? step.id.value,
            baseID: step.id.value,
            matrix: combination,
            uses: step.uses.value,
            needs: needs,
            condition: condition,
            inputs: try step.with.filter { !step.inputIsScript($0.key.value) }.map { ($0.key.value, try planValue($0.value)) },
            script: try plannedScript(step),
            env: try step.env.map { ($0.name.value, try Template.parse($0.value.text)) },
            timeout: step.timeout?.value ?? defaults.timeout?.value,
            logLimit: (step.logLimit ?? defaults.logLimit)?.value.bytes,
            retry: step.retry?.value ?? defaults.retry?.value ?? .none,
            continueOnError: step.continueOnError,
            outputs: step.outputs.map(\.value),
            workingDirectory: try step.workingDirectory.map { try Template.parse($0.text) },
            cache: try step.cache.map(plannedCache))
    }

    static func plannedCache(_ cache: StepCache) throws -> PlannedCache {
        PlannedCache(key: try cache.key.map { part in
            switch part {
            case .value(let text): .value(try Template.parse(text.text))
            case .files(let patterns): .files(patterns.map(\.value))
            }
        }, paths: cache.paths.map(\.value))
    }

    static func runtimeMatrix(_ matrix: Matrix) throws -> RuntimeMatrix {
        func expression(_ text: SourceText) throws -> Expression {
            guard let first = try Template.parse(text.text).expressions.first?.0 else { throw ExpressionError("expected an expression", at: TextPosition(line: 1, column: 1)) }
            return first
        }
        return RuntimeMatrix(
            axes: try matrix.axes.map { axis in
                (axis.name.value, try axis.expression.map { .expression(try expression($0)) } ?? .values(axis.values.map(\.value)))
            },
            whole: try matrix.whole.map(expression),
            exclude: matrix.exclude,
            include: matrix.include.map { $0.map { ($0.name.value, $0.value) } })
    }

    /// A step's `name` with `params`, `pipeline` and `matrix` rendered (what validation allows it).
    static func stepName(_ step: Step, _ combination: MatrixCombination?, _ pipeline: Pipeline,
                         _ params: [(name: String, value: ExpressionValue)]) throws -> String? {
        guard let name = step.name else { return nil }
        guard name.containsExpression else { return name.text }
        var values: [String: ExpressionValue] = [
            "params": .object(Dictionary(params.map { ($0.name, $0.value) }) { a, _ in a }),
            "pipeline": .object(["name": .string(pipeline.name.value), "file": .string(pipeline.file)]),
        ]
        if let combination {
            values["matrix"] = .object(Dictionary(combination.values.map { ($0.name, ExpressionValue.string($0.value)) }) { a, _ in a })
        }
        return try Template.parse(name.text).render(in: EvaluationContext(values: values))
    }

    static func plannedScript(_ step: Step) throws -> PlannedScript? {
        guard let script = step.script, let inputs = step.signature?.script else { return nil }
        return PlannedScript(inputs: inputs, substitution: try ShellSubstitution.prepare(script.text.text, shell: script.shell?.value),
                             interpreter: script.shell?.value ?? ScriptShell.defaultShell, interpreterWritten: script.shell != nil)
    }

    static func planValue(_ node: YAMLNode) throws -> PlanValue {
        switch node.content {
        case .scalar(let s):
            switch s.resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .number(Double(i))
            case .float(let d): return .number(d)
            case .string(let text): return .string(try Template.parse(text))
            }
        case .sequence(let items):
            var list: [PlanValue] = []
            for item in items { list.append(try planValue(item)) }
            return .list(list)
        case .mapping(let pairs):
            var entries: [(key: String, value: PlanValue)] = []
            for pair in pairs { entries.append((pair.keyText, try planValue(pair.value))) }
            return .mapping(entries)
        }
    }
}
