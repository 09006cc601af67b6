/// What validation needs from the world, handed in as values: the step types that exist, how
/// to recognise a time zone name, and whether a path exists.
public struct ValidationOptions: Sendable {
    public var catalog: StepCatalog
    /// Whether an IANA time zone name is known. The CLI answers from the system's zone database.
    public var isKnownTimeZone: @Sendable (String) -> Bool
    /// Whether a literal path of a step input exists: the path, and the step's literal
    /// `working-directory` if it has one. Nil when it cannot be told (the default).
    public var pathExists: @Sendable (_ path: String, _ workingDirectory: String?) -> Bool?
    /// Reads the pipeline a `uses: ./pipelines/x.yml` names, from the file that names it (see
    /// ``IncludeRead``). By default nothing can be read: a sub-pipeline is an error.
    public var readInclude: @Sendable (_ reference: String, _ from: String) -> IncludeRead
    /// The key that tells two names of one file apart from two files (an absolute path), for
    /// include cycles; the file as named by default.
    public var includeKey: @Sendable (_ file: String) -> String

    public init(catalog: StepCatalog, isKnownTimeZone: @escaping @Sendable (String) -> Bool,
                pathExists: @escaping @Sendable (String, String?) -> Bool? = { _, _ in nil },
                readInclude: @escaping @Sendable (String, String) -> IncludeRead = { _, _ in .problem("sub-pipelines cannot be read here") },
                includeKey: @escaping @Sendable (String) -> String = { $0 }) {
        self.catalog = catalog
        self.isKnownTimeZone = isKnownTimeZone
        self.pathExists = pathExists
        self.readInclude = readInclude
        self.includeKey = includeKey
    }
}

/// What reading a sub-pipeline's file gave: its bytes, the path problems in it are reported
/// under and its key (``ValidationOptions/includeKey``), or why it could not be read.
public enum IncludeRead: Sendable {
    case file(path: String, key: String, bytes: [UInt8])
    case problem(String)
}

/// Checks a loaded `Pipeline` for everything that can be known before a run: step types and
/// their inputs, `needs` and cycles, expressions and what they read, params, profiles,
/// schedules, matrices. Reports every problem; never stops at the first.
public struct PipelineValidator {
    let pipeline: Pipeline
    let options: ValidationOptions
    let graph: StepGraph
    var diagnostics: [Diagnostic] = []
    var upstreamCache: [Int: Set<Int>] = [:]

    init(_ pipeline: Pipeline, options: ValidationOptions) {
        self.pipeline = pipeline
        self.options = options
        graph = StepGraph(ids: pipeline.steps.map(\.id.value), needs: pipeline.steps.map { $0.needs.map(\.value) })
    }

    public static func validate(_ pipeline: Pipeline, options: ValidationOptions) -> [Diagnostic] {
        var v = PipelineValidator(pipeline, options: options)
        v.run()
        return v.diagnostics
    }

    mutating func error(_ at: SourceLocation, _ message: String, notes: [Diagnostic.Note] = []) {
        diagnostics.append(.error(at, message, notes: notes))
    }

    mutating func run() {
        checkParams()
        checkProfiles()
        checkSchedule()
        checkConcurrency()
        checkExpressions(inPipelineEnv: pipeline.env)
        checkNULCharacters(inEnv: pipeline.env)
        checkImages()
        for (i, step) in pipeline.steps.enumerated() {
            if step.usesPipeline { checkCall(step) } else { checkStepType(step) }
            checkRunsOn(step)
            checkNULCharacters(in: step)
            checkNeeds(step)
            checkMatrix(step, index: i)
            checkExpressions(in: step, index: i)
            checkLabels(step, index: i)
        }
        checkPipelineOutputs()
        checkCycles()
    }

    // MARK: params and profiles

    mutating func checkParams() {
        for param in pipeline.params {
            guard let value = param.defaultValue else { continue }
            if case .failure(let problem) = param.value(from: value) { error(value.location, problem.message) }
        }
    }

    func param(_ name: String) -> ParamDefinition? { pipeline.params.first { $0.name.value == name } }

    /// Values given for params (in a profile or a schedule entry) must name declared params and fit them.
    mutating func checkParamValues(_ values: [(name: Located<String>, value: YAMLNode)]) {
        for (name, value) in values {
            guard let def = param(name.value) else {
                error(name.location, Messages.unknownParam(name.value),
                      notes: Spelling.closest(to: name.value, among: pipeline.params.map(\.name.value)).map { [.init(Messages.didYouMean($0))] } ?? [])
                continue
            }
            if case .failure(let problem) = def.value(from: value) { error(value.location, problem.message) }
        }
    }

    mutating func checkProfiles() {
        for profile in pipeline.profiles { checkParamValues(profile.values) }
    }

    mutating func checkSchedule() {
        for entry in pipeline.schedule {
            do {
                _ = try CronExpression.parse(entry.cron.text)
            } catch let problem {
                error(entry.cron.location(of: problem.position), Messages.badCron(problem.message), notes: problem.hint.map { [.init($0)] } ?? [])
            }
            if let zone = entry.timezone, !options.isKnownTimeZone(zone.value) {
                error(zone.location, Messages.unknownTimeZone(zone.value))
            }
            if let profile = entry.profile, !pipeline.profiles.contains(where: { $0.name.value == profile.value }) {
                error(profile.location, Messages.unknownProfile(profile.value),
                      notes: Spelling.closest(to: profile.value, among: pipeline.profiles.map(\.name.value)).map { [.init(Messages.didYouMean($0))] } ?? [])
            }
            checkParamValues(entry.params)
        }
    }

    // MARK: steps

    mutating func checkStepType(_ step: Step) {
        guard let signature = options.catalog[step.uses.value] else {
            let names = options.catalog.names
            let note = GitHubActionsHabits.action(step.uses.value)
                ?? Spelling.closest(to: step.uses.value, among: names).map(Messages.didYouMean) ?? Messages.knownStepTypes(names)
            error(step.uses.location, Messages.unknownStepType(step.uses.value), notes: [.init(note)])
            return
        }
        if let at = step.outputsLocation, signature.outputs != .declaredByStep {
            error(at, Messages.outputsOnlyForRun(step.id.value, signature.name))
        }
        let pathExists = options.pathExists, workingDirectory = step.literalWorkingDirectory
        var check = InputValueCheck(pathExists: { path in pathExists(path, workingDirectory) })
        let names = signature.inputs.map(\.name)
        for (key, value) in step.with {
            guard let input = signature.input(key.value) else {
                let note = Spelling.closest(to: key.value, among: names).map(Messages.didYouMean) ?? Messages.knownInputs(names)
                error(key.location, Messages.unknownInput(key.value, signature.name), notes: [.init(note)])
                continue
            }
            check.check(value, input.kind, path: key.value)
            checkExpressionTypes(value, input.kind, path: key.value)
            if let fileCheck = signature.fileChecks[key.value], let path = value.scalar?.value, !path.isEmpty,
               !path.containsExpressionOpener, pathExists(path, workingDirectory) == true {
                diagnostics += fileCheck.check(path, workingDirectory)
            }
        }
        diagnostics += check.diagnostics
        for input in signature.inputs where input.required && input.defaultValue == nil {
            if !step.with.contains(where: { $0.key.value == input.name }) {
                error(step.uses.location, Messages.missingInput(input.name, signature.name))
            }
        }
    }

    /// The keys a sub-pipeline step takes; the rest belong to the steps inside it.
    static let callKeys: Set<String> = ["uses", "with", "needs", "if", "matrix", "name", "description"]

    /// A `uses: ./pipelines/x.yml` step: only the keys it takes, `with:` naming the sub-pipeline's
    /// params with values that fit them, every param without a default given. (Reading the
    /// file and its own problems are ``PipelineCheck``'s.)
    mutating func checkCall(_ step: Step) {
        guard let child = step.included?.pipeline else { return }
        for key in step.writtenKeys where !Self.callKeys.contains(key.value) {
            error(key.location, Messages.keyNotForSubPipeline(key.value, step.id.value))
        }
        // A matrix of written values runs the sub-pipeline once per combination (`image[os=linux]/build`).
        // Decision: not yet one computed at run time, nor `fail-fast`/`max-parallel`, which bound
        // running steps and a sub-pipeline is entered, not run; both are refused where written.
        if let matrix = step.matrix {
            if matrix.isDynamic { error(matrix.location, Messages.runtimeMatrixOverSubPipeline) }
            if let failFast = matrix.failFast { error(failFast.location, Messages.matrixKeyOverSubPipeline("fail-fast")) }
            if let maxParallel = matrix.maxParallel { error(maxParallel.location, Messages.matrixKeyOverSubPipeline("max-parallel")) }
        }
        let names = child.params.map(\.name.value)
        for (key, value) in step.with {
            guard let def = child.params.first(where: { $0.name.value == key.value }) else {
                let note = Spelling.closest(to: key.value, among: names).map(Messages.didYouMean) ?? Messages.subPipelineParams(names)
                error(key.location, Messages.unknownSubPipelineParam(key.value, child.file), notes: [.init(note)])
                continue
            }
            let computed = value.scalar?.value.containsExpressionOpener ?? false
            if !computed, case .failure(let problem) = def.value(from: value) {
                error(value.location, def.secret ? Messages.paramValueDoesNotFitSecret(def.name.value) : problem.message)
            }
        }
        for def in child.params where def.isRequired && !step.with.contains(where: { $0.key.value == def.name.value }) {
            error(step.uses.location, Messages.missingSubPipelineParam(def.name.value, child.file),
                  notes: [.init(Messages.declaredHere, at: def.name.location)])
        }
    }

    mutating func checkNeeds(_ step: Step) {
        for need in step.needs {
            if need.value == step.id.value {
                error(need.location, Messages.selfNeed(step.id.value))
            } else if graph.index[need.value] == nil {
                let close = Spelling.closest(to: need.value, among: graph.ids)
                error(need.location, Messages.unknownNeed(step.id.value, need.value), notes: close.map { [.init(Messages.didYouMean($0))] } ?? [])
            }
        }
    }

    mutating func checkCycles() {
        for cycle in graph.cycles() where cycle.count > 2 {
            let first = pipeline.steps[cycle[0]]
            let second = graph.ids[cycle[1]]
            let at = first.needs.first { $0.value == second }?.location ?? first.id.location
            error(at, Messages.cycle(cycle.map { graph.ids[$0] }), notes: [.init(Messages.cycleHint)])
        }
    }

    mutating func checkMatrix(_ step: Step, index: Int) {
        guard let matrix = step.matrix else { return }
        if matrix.isDynamic {
            checkRuntimeMatrix(matrix, index: index)
            return
        }
        let combinations = matrix.combinations()
        if combinations.isEmpty && !matrix.axes.contains(where: { $0.values.isEmpty }) {
            error(matrix.location, Messages.matrixNoCombinations)
        }
        var seen = Set<String>()
        var reported = Set<String>()
        for combination in combinations {
            let id = combination.stepID(base: step.id.value)
            if !seen.insert(id).inserted && reported.insert(id).inserted {
                error(matrix.location, Messages.matrixDuplicateId(id))
            }
        }
    }

    /// A matrix computed at run time: each expression is one `${{ }}` and nothing else, reading
    /// what a step's values may read (a step it reads must be upstream, its output declared),
    /// but not `matrix`.
    mutating func checkRuntimeMatrix(_ matrix: Matrix, index: Int) {
        let texts = (matrix.whole.map { [$0] } ?? []) + matrix.axes.compactMap(\.expression)
        for text in texts {
            if let template = try? Template.parse(text.text) {
                let pieces = template.segments.filter {
                    if case .literal(let s) = $0 { return !s.allSatisfy(\.isWhitespace) }
                    return true
                }
                if pieces.count != 1 || template.expressions.count != 1 {
                    error(text.location, Messages.runtimeMatrixOneExpression)
                    continue
                }
            }
            checkRestricted(text, contexts: ["params", "env", "steps", "run", "pipeline", "git"], Scope(step: index),
                            Messages.runtimeMatrixContext)
        }
    }

    /// The steps `index` transitively needs, computed once per step that asks.
    mutating func upstream(of index: Int) -> Set<Int> {
        if let cached = upstreamCache[index] { return cached }
        let set = graph.upstream(of: index)
        upstreamCache[index] = set
        return set
    }
}

extension Step {
    /// `working-directory` when it holds no expression.
    var literalWorkingDirectory: String? {
        guard let wd = workingDirectory, !wd.text.containsExpressionOpener else { return nil }
        return wd.text
    }
}

extension ParamDefinition {
    /// The typed value of a YAML value given for this parameter, or why it does not fit.
    public func value(from node: YAMLNode) -> Result<ExpressionValue, ParamValueError> {
        guard let scalar = node.scalar else {
            return .failure(ParamValueError(Messages.paramWrongKind(name.value, kind.value.rawValue, node.kindDescription)))
        }
        if scalar.value.containsNUL { return .failure(ParamValueError(Messages.nulCharacter("the value of `\(name.value)`"))) }
        switch (kind.value, scalar.resolved) {
        case (.number, .int(let i)): return .success(.number(Double(i)))
        case (.number, .float(let d)) where d.isFinite: return .success(.number(d))
        case (.bool, .bool(let b)): return .success(.bool(b))
        case (.string, .null) where scalar.style == .plain, (.choice, .null) where scalar.style == .plain:
            return .failure(ParamValueError(Messages.paramWrongType(name.value, kind.value.rawValue, "null")))
        case (.string, _): return .success(.string(scalar.value))
        case (.choice, _): return value(fromArgument: scalar.value)
        default: return .failure(ParamValueError(Messages.paramWrongType(name.value, kind.value.rawValue, scalar.value)))
        }
    }

    /// The typed value of `--param name=text`, or why it does not fit.
    public func value(fromArgument text: String) -> Result<ExpressionValue, ParamValueError> {
        if text.containsNUL { return .failure(ParamValueError(Messages.nulCharacter("`--param \(name.value)`"))) }
        switch kind.value {
        case .string: return .success(.string(text))
        case .number:
            guard case .some(let v) = YAMLScalar.resolvePlain(text).numberValue else {
                return .failure(ParamValueError(Messages.paramWrongType(name.value, "number", text)))
            }
            return .success(.number(v))
        case .bool:
            guard let b = YAMLScalar.bool(text) else { return .failure(ParamValueError(Messages.paramWrongType(name.value, "bool", text))) }
            return .success(.bool(b))
        case .choice:
            let allowed = options.map(\.value)
            guard allowed.contains(text) else { return .failure(ParamValueError(Messages.paramNotAnOption(name.value, text, allowed))) }
            return .success(.string(text))
        }
    }
}

/// Why a value does not fit a parameter.
public struct ParamValueError: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension YAMLScalarValue {
    var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d) where d.isFinite: return d
        default: return nil
        }
    }
}
