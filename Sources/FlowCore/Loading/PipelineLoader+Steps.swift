extension PipelineLoader {
    /// The step type a `run:` step is: the one place that knows it.
    static let runStepType = "shell"

    mutating func steps(_ node: YAMLNode) -> [Step] {
        guard let pairs = node.mapping else {
            // A GitHub Actions job's `steps:` is a list; flow's steps are keyed by id.
            let notes: [Diagnostic.Note] = node.sequence == nil ? [] : [.init(Messages.stepsAsList)]
            reader.error(node.location, Messages.wrongType("`steps`", expected: "a mapping of step ids to steps", found: node.kindDescription),
                         notes: notes)
            return []
        }
        // A mapping whose only keys were rejected already has its error; `{}` has none yet.
        if pairs.isEmpty && !reader.diagnostics.contains(where: { $0.location >= node.location && $0.severity == .error }) {
            reader.error(node.location, Messages.noSteps)
        }
        return pairs.compactMap { step($0) }
    }

    mutating func step(_ pair: YAMLNode.Pair) -> Step? {
        guard let id = reader.identifier(pair.key, "step id") else { return nil }
        let what = "step `\(id.value)`"
        guard reader.mapping(pair.value, what, allowed: Self.stepKeys,
                             habit: { GitHubActionsHabits.stepKey($0, stepID: id.value, value: $1) }) != nil else { return nil }
        let body = pair.value

        let usesNode = body["uses"], runNode = body["run"]
        var step: Step
        switch (usesNode, runNode) {
        case (let u?, _?):
            reader.error(u.location, Messages.runAndUses(id.value))
            return nil
        case (nil, nil):
            reader.error(id.location, Messages.neitherRunNorUses(id.value))
            return nil
        case (let u?, nil):
            guard let uses = reader.string(u, "`uses`") else { return nil }
            if reader.rejectExpression(uses, "`uses`") { return nil }
            step = Step(id: id, uses: uses)
        case (nil, let r?):
            // `run:` is `uses: shell` with the script and `shell:` as its inputs: rewritten here, once.
            guard reader.text(r, "`run`") != nil else { return nil }
            if let w = body["with"] {
                reader.error(w.location, Messages.withOnRunStep(id.value))
                return nil
            }
            let runKey = pair.value.mapping?.first { $0.keyText == "run" }?.key ?? r
            step = Step(id: id, uses: Located(Self.runStepType, at: r.location))
            step.with = [(Located("script", at: runKey.location), r)]
            if let s = body["shell"] {
                guard let shell = reader.string(s, "`shell`"), !reader.rejectExpression(shell, "`shell`") else { return nil }
                let shellKey = pair.value.mapping?.first { $0.keyText == "shell" }?.key ?? s
                step.with.append((Located("shell", at: shellKey.location), s))
            }
            // `container:` runs the script in an image: an input of `shell`, checked by its schema.
            if let c = body["container"] {
                let containerKey = pair.value.mapping?.first { $0.keyText == "container" }?.key ?? c
                step.with.append((Located("container", at: containerKey.location), c))
            }
        }

        if let s = body["shell"], runNode == nil {
            reader.error(s.location, Messages.shellOnlyForRun(id.value))
        }
        if let c = body["container"], runNode == nil {
            reader.error(c.location, Messages.containerOnlyForRun(id.value))
        }
        if let n = body["needs"] {
            var seen = Set<String>()
            for need in reader.stringList(n, "`needs`") ?? [] where !reader.rejectExpression(need, "`needs`") {
                if !seen.insert(need.value).inserted {
                    reader.error(need.location, Messages.duplicateNeed(need.value))
                } else {
                    step.needs.append(need)
                }
            }
        }
        if let c = body["if"] {
            // `if: true` and `if: false` are written as YAML booleans; keep their text.
            if let s = c.scalar, s.resolved != .null || s.style != .plain {
                step.condition = SourceText(c)
            } else {
                reader.error(c.location, Messages.wrongType("`if`", expected: "an expression", found: c.kindDescription))
            }
        }
        if runNode == nil, let w = body["with"], let pairs = reader.mapping(w, "`with`") {
            step.with = pairs.compactMap { p in reader.string(p.key, "input name").map { ($0, p.value) } }
        }
        if let r = body["runs-on"] { runsOn(r, key: pair.value.mapping?.first { $0.keyText == "runs-on" }?.key ?? r, into: &step,
                                            id: id.value, runsScript: runNode != nil || step.uses.value == Self.runStepType,
                                            inContainer: body["container"] != nil) }
        if let e = body["env"] { step.env = reader.env(e, "`env` of \(what)") }
        step.timeout = body["timeout"].flatMap { reader.duration($0, "`timeout`") }
        step.logLimit = body["log-limit"].flatMap { reader.logLimit($0) }
        step.retry = body["retry"].flatMap { retry($0) }
        if let c = body["continue-on-error"] { step.continueOnError = reader.bool(c, "`continue-on-error`") ?? false }
        if let m = body["matrix"] { step.matrix = matrix(m) }
        if let o = body["outputs"] {
            step.outputs = outputs(o)
            step.outputsLocation = o.location
        }
        if let w = body["working-directory"] { step.workingDirectory = reader.text(w, "`working-directory`") }
        if let n = body["name"] { step.name = reader.text(n, "`name`") }
        if let d = body["description"] { step.description = reader.text(d, "`description`") }
        if let c = body["cache"] { step.cache = cache(c) }
        step.writtenKeys = body.mapping?.map { Located($0.keyText, at: $0.key.location) } ?? []
        return step
    }

    /// `cache: { key: [...], paths: [...] }` (``StepCache``).
    mutating func cache(_ node: YAMLNode) -> StepCache? {
        guard let pairs = reader.mapping(node, "`cache`", allowed: Self.cacheKeys) else { return nil }
        var cache = StepCache(location: node.location)
        for pair in pairs {
            switch pair.keyText {
            case "key":
                let items = pair.value.sequence ?? (pair.value.scalar != nil || pair.value.mapping != nil ? [pair.value] : [])
                if pair.value.sequence == nil && items.isEmpty {
                    reader.error(pair.value.location, Messages.wrongType("`key` of `cache`", expected: "a list of values and `files:` patterns",
                                                                         found: pair.value.kindDescription))
                }
                for item in items {
                    if item.mapping != nil {
                        guard let entries = reader.mapping(item, "an entry of `key`", allowed: ["files"]) else { continue }
                        guard let files = entries.first(where: { $0.keyText == "files" }) else {
                            if entries.isEmpty { reader.error(item.location, Messages.cacheKeyEntryShape) }
                            continue
                        }
                        let patterns = (reader.stringList(files.value, "`files`") ?? []).filter { cachePath($0, "`files`", pattern: true) }
                        cache.key.append(.files(patterns))
                    } else if let text = reader.text(item, "an entry of `key`") {
                        if text.text.containsNUL { reader.error(text.location, Messages.nulCharacter("an entry of `key`")) }
                        cache.key.append(.value(text))
                    }
                }
            case "paths":
                cache.paths = (reader.stringList(pair.value, "`paths` of `cache`") ?? []).filter { cachePath($0, "`paths`", pattern: false) }
            default:
                break
            }
        }
        return cache
    }

    /// Whether a path (or glob) of `cache:` is one: relative to the workspace, inside it, literal.
    mutating func cachePath(_ path: Located<String>, _ what: String, pattern: Bool) -> Bool {
        if path.value.containsExpressionOpener {
            reader.error(path.location, Messages.expressionNotAllowed(what))
            return false
        }
        if let problem = CachePath.problem(path.value, pattern: pattern) {
            reader.error(path.location, Messages.badCachePath(what, path.value, problem))
            return false
        }
        return true
    }

    /// `outputs: [image, digest]` or `outputs: { image: { description: … } }`.
    mutating func outputs(_ node: YAMLNode) -> [Located<String>] {
        let names: [YAMLNode]
        if let pairs = node.mapping { names = pairs.map(\.key) } else if let items = node.sequence { names = items } else {
            reader.error(node.location, Messages.wrongType("`outputs`", expected: "a list of output names", found: node.kindDescription))
            return []
        }
        var seen = Set<String>()
        return names.compactMap { n in
            guard let name = reader.identifier(n, "output name") else { return nil }
            if !seen.insert(name.value).inserted {
                reader.error(name.location, Messages.duplicateName("output", name.value))
                return nil
            }
            return name
        }
    }

    mutating func matrix(_ node: YAMLNode) -> Matrix? {
        var m = Matrix(location: node.location)
        // `matrix: ${{ fromJSON(steps.X.outputs.M) }}`: the whole matrix when the run gets there.
        if let s = node.scalar, s.value.containsExpressionOpener {
            m.whole = SourceText(node)
            return m
        }
        guard let pairs = reader.mapping(node, "`matrix`") else { return nil }
        var rejectedAxes = false
        for pair in pairs {
            switch pair.keyText {
            case "fail-fast":
                if let b = reader.bool(pair.value, "`fail-fast`") { m.failFast = Located(b, at: pair.value.location) }
            case "max-parallel":
                if let n = reader.int(pair.value, "`max-parallel` of a matrix") {
                    if n.value < 1 {
                        reader.error(pair.value.location, Messages.outOfRange("`max-parallel`", "\(n.value)", "at least 1"))
                    } else {
                        m.maxParallel = n
                    }
                }
            case "exclude":
                for entry in combinationEntries(pair.value, "`exclude`") {
                    m.exclude.append(entry.map { ($0.name.value, $0.value) })
                }
            case "include":
                m.include = combinationEntries(pair.value, "`include`")
            default:
                guard let name = reader.identifier(pair.key, "matrix axis") else { continue }
                // `axis: ${{ fromJSON(steps.X.outputs.Y) }}`: the axis's values when the run gets there.
                if pair.value.scalar?.value.containsExpressionOpener == true {
                    m.axes.append(Matrix.Axis(name: name, values: [], expression: SourceText(pair.value)))
                    continue
                }
                guard let items = pair.value.sequence else {
                    reader.error(pair.value.location, Messages.wrongType("matrix axis `\(name.value)`", expected: "a list of values", found: pair.value.kindDescription))
                    rejectedAxes = true
                    continue
                }
                if items.isEmpty { reader.error(pair.value.location, Messages.matrixAxisEmpty(name.value)) }
                let values = items.compactMap { matrixValue($0) }
                m.axes.append(Matrix.Axis(name: name, values: values))
            }
        }
        if m.axes.isEmpty && m.include.isEmpty {
            if !rejectedAxes { reader.error(node.location, Messages.matrixEmpty) }
            return nil
        }
        return m
    }

    private mutating func matrixValue(_ node: YAMLNode) -> Located<String>? {
        guard let s = node.scalar, s.resolved != .null else {
            reader.error(node.location, Messages.wrongType("a matrix value", expected: "a string, number or boolean", found: node.kindDescription))
            return nil
        }
        if s.value.containsExpressionOpener {
            reader.error(node.location, Messages.matrixValueExpression)
            return nil
        }
        // A matrix value reaches the step's environment (and its id, its log folder's name).
        if s.value.containsNUL {
            reader.error(node.location, Messages.nulCharacter("a matrix value"))
            return nil
        }
        return Located(s.value, at: node.location)
    }

    private mutating func combinationEntries(_ node: YAMLNode, _ what: String) -> [[(name: Located<String>, value: String)]] {
        guard let items = node.sequence else {
            reader.error(node.location, Messages.wrongType(what, expected: "a list of mappings", found: node.kindDescription))
            return []
        }
        return items.compactMap { item in
            guard let pairs = reader.mapping(item, "each entry of \(what)") else { return nil }
            return pairs.compactMap { p in
                guard let key = reader.identifier(p.key, "matrix key"), let value = matrixValue(p.value) else { return nil }
                return (key, value.value)
            }
        }
    }
}
