/// Builds a `Pipeline` from a composed YAML tree: the shape and types of every field, with a
/// diagnostic at the right place for each problem. Cross-references (needs, expressions, step
/// types) are `PipelineValidator`'s job.
public struct PipelineLoader {
    static let rootKeys = ["name", "description", "params", "profiles", "env", "images", "secrets", "max-parallel",
                           "concurrency", "schedule", "defaults", "steps", "outputs"]
    static let stepKeys = ["uses", "run", "shell", "container", "needs", "if", "with", "env", "timeout", "retry",
                           "continue-on-error", "matrix", "outputs", "working-directory", "log-limit", "runs-on",
                           "name", "description", "cache"]
    static let paramKeys = ["type", "default", "description", "options", "secret"]
    static let scheduleKeys = ["cron", "timezone", "profile", "params", "catchup", "catchup-window", "starting-deadline"]
    /// Type names people bring from other tools, and the flow type they mean.
    static let paramTypeAliases = ["int": "number", "integer": "number", "float": "number", "double": "number",
                                   "boolean": "bool", "str": "string", "text": "string", "enum": "choice"]
    static let cacheKeys = ["key", "paths"]
    static let retryKeys = ["attempts", "backoff", "deadline", "exit-codes"]
    static let backoffKeys = ["initial", "factor", "max", "jitter"]

    var reader = NodeReader()
    let file: String

    init(file: String) { self.file = file }

    /// Parses and loads one pipeline file. The pipeline is `nil` only when the file is not a
    /// pipeline at all (not YAML, not a mapping, over a bound); diagnostics say why.
    public static func load(_ bytes: [UInt8], file: String, limits: YAMLLimits = .init()) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        let (root, yamlDiagnostics) = YAMLComposer.compose(bytes, file: file, limits: limits)
        guard let root else { return (nil, yamlDiagnostics) }
        var loader = PipelineLoader(file: file)
        loader.reader.diagnostics = yamlDiagnostics
        let pipeline = loader.pipeline(root)
        return (pipeline, loader.reader.diagnostics)
    }

    public static func load(_ text: String, file: String, limits: YAMLLimits = .init()) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        load(Array(text.utf8), file: file, limits: limits)
    }

    mutating func pipeline(_ root: YAMLNode) -> Pipeline? {
        guard let pairs = root.mapping else {
            reader.error(root.location, Messages.rootWrongKind(root.kindDescription))
            return nil
        }
        // `x-…` keys are ignored, as in Docker Compose: a place to define anchors for `<<: *name`.
        for pair in pairs where !Self.rootKeys.contains(pair.keyText) && !pair.keyText.hasPrefix("x-") {
            let notes = GitHubActionsHabits.rootKey(pair.keyText).map { [Diagnostic.Note($0)] }
                ?? reader.suggestion(for: pair.keyText, among: Self.rootKeys)
            reader.error(pair.key.location, Messages.unknownKey(pair.keyText, in: "the pipeline"), notes: notes)
        }
        if let jobs = root["jobs"]?.mapping { jobSteps(jobs) }
        let name: Located<String>
        if let node = root["name"], let n = reader.identifier(node, "pipeline name") {
            name = n
        } else {
            if root["name"] == nil { reader.error(root.location, Messages.missingKey("name", in: "the pipeline")) }
            name = Located("", at: root.location)
        }
        var p = Pipeline(file: file, name: name, location: root.location)
        if let node = root["description"] { p.description = reader.string(node, "`description`")?.value }
        if let node = root["params"] { p.params = params(node) }
        if let node = root["profiles"] { p.profiles = profiles(node) }
        if let node = root["env"] { p.env = reader.env(node, "`env`") }
        if let node = root["images"] { p.images = images(node, "`images`") }
        if let node = root["secrets"] { p.secrets = secrets(node) }
        if let node = root["max-parallel"], let n = reader.int(node, "`max-parallel`") {
            if n.value < 1 { reader.error(node.location, Messages.outOfRange("`max-parallel`", "\(n.value)", "at least 1")) } else { p.maxParallel = n }
        }
        if let node = root["concurrency"] { p.concurrency = concurrency(node) }
        if let node = root["schedule"] { p.schedule = schedule(node) }
        if let node = root["defaults"] { p.defaults = defaults(node) }
        if let node = root["outputs"] { p.outputs = pipelineOutputs(node) }
        if let node = root["steps"] {
            p.steps = steps(node)
        } else if root["jobs"] == nil {
            // A workflow's `jobs:` has its error already, which says where the steps go.
            reader.error(root.location, Messages.missingKey("steps", in: "the pipeline"))
        }
        return p
    }

    /// `outputs:` of the pipeline: name → text with expressions, computed when the run ends.
    mutating func pipelineOutputs(_ node: YAMLNode) -> [PipelineOutput] {
        guard let pairs = reader.mapping(node, "`outputs`") else { return [] }
        return pairs.compactMap { pair in
            guard let name = reader.identifier(pair.key, "output name"), let value = reader.text(pair.value, "output `\(name.value)`") else {
                return nil
            }
            return PipelineOutput(name: name, value: value)
        }
    }

    /// Where each job's `steps:` of a GitHub Actions workflow goes in flow, at its line.
    mutating func jobSteps(_ jobs: [YAMLNode.Pair]) {
        for job in jobs {
            guard let steps = job.value.mapping?.first(where: { $0.keyText == "steps" }) else { continue }
            reader.error(steps.key.location, Messages.jobSteps(job.keyText))
        }
    }

    // MARK: params, profiles, secrets

    mutating func params(_ node: YAMLNode) -> [ParamDefinition] {
        guard let pairs = reader.mapping(node, "`params`") else { return [] }
        return pairs.compactMap { pair in
            guard let name = reader.identifier(pair.key, "parameter name") else { return nil }
            let what = "parameter `\(name.value)`"
            // `torch: "2.4.1"` is shorthand for a string parameter with that default.
            if let scalar = pair.value.scalar, pair.value.mapping == nil, !(scalar.style == .plain && scalar.value.isEmpty) {
                var def = ParamDefinition(name: name, kind: Located(kind(of: scalar), at: pair.value.location))
                def.defaultValue = pair.value
                return def
            }
            guard let fields = reader.mapping(pair.value, what, allowed: Self.paramKeys) else { return nil }
            var kind = Located(ParamDefinition.Kind.string, at: pair.value.location)
            if let k = fields.first(where: { $0.keyText == "type" }) {
                if let alias = k.value.scalar.flatMap({ Self.paramTypeAliases[$0.value] }) {
                    reader.error(k.value.location, Messages.notOneOf("`type` of \(what)", k.value.scalar!.value, ParamDefinition.Kind.allCases.map(\.rawValue)),
                                 notes: [.init(Messages.didYouMean(alias))])
                    return nil
                }
                guard let parsed = reader.enumeration(k.value, "`type` of \(what)", ParamDefinition.Kind.self) else { return nil }
                kind = parsed
            }
            var def = ParamDefinition(name: name, kind: kind)
            // `default:` with nothing after it means no default, as in GitHub Actions inputs.
            def.defaultValue = pair.value["default"].flatMap { $0.scalar?.resolved == .null && $0.scalar?.style == .plain ? nil : $0 }
            def.description = pair.value["description"].flatMap { reader.string($0, "`description`")?.value }
            def.secret = pair.value["secret"].flatMap { reader.bool($0, "`secret` of \(what)") } ?? false
            if let options = pair.value["options"] {
                if kind.value != .choice {
                    reader.error(options.location, Messages.optionsOnlyForChoice(name.value))
                } else {
                    def.options = reader.stringList(options, "`options`", allowSingle: false) ?? []
                }
            } else if kind.value == .choice {
                reader.error(kind.location, Messages.choiceNeedsOptions)
            }
            return def
        }
    }

    private func kind(of scalar: YAMLScalar) -> ParamDefinition.Kind {
        switch scalar.resolved {
        case .bool: return .bool
        case .int, .float: return .number
        default: return .string
        }
    }

    mutating func profiles(_ node: YAMLNode) -> [Profile] {
        guard let pairs = reader.mapping(node, "`profiles`") else { return [] }
        return pairs.compactMap { pair in
            guard let name = reader.identifier(pair.key, "profile name"),
                  let values = reader.mapping(pair.value, "profile `\(name.value)`") else { return nil }
            // `images:` in a profile is its image map when it is a mapping (a param named
            // `images` can still be set by a profile with a scalar).
            var profile = Profile(name: name, values: [])
            for v in values {
                if v.keyText == "images", v.value.mapping != nil {
                    profile.images = images(v.value, "`images` of profile `\(name.value)`")
                } else if let key = reader.string(v.key, "parameter name") {
                    profile.values.append((key, v.value))
                }
            }
            return profile
        }
    }

    /// An `images:` map: image name → image, values may hold expressions.
    mutating func images(_ node: YAMLNode, _ what: String) -> [ImageMapping] {
        guard let pairs = reader.mapping(node, what) else { return [] }
        return pairs.compactMap { pair in
            guard let name = reader.string(pair.key, "an image name"), let value = reader.text(pair.value, "`\(pair.keyText)` in \(what)")
            else { return nil }
            if name.value.isEmpty || name.value.contains(where: \.isWhitespace) || name.value.containsExpressionOpener {
                reader.error(pair.key.location, Messages.badImageName(name.value))
                return nil
            }
            return ImageMapping(name: name, value: value)
        }
    }

    mutating func secrets(_ node: YAMLNode) -> [Located<String>] {
        guard let names = reader.stringList(node, "`secrets`", allowSingle: false) else { return [] }
        var seen = Set<String>()
        return names.filter { name in
            guard Identifier.isEnvName(name.value) else {
                reader.error(name.location, Messages.badEnvName(name.value))
                return false
            }
            if !seen.insert(name.value).inserted {
                reader.error(name.location, Messages.duplicateName("secret", name.value))
                return false
            }
            return true
        }
    }

    // MARK: concurrency, schedule, defaults

    mutating func concurrency(_ node: YAMLNode) -> Concurrency? {
        if node.scalar != nil {
            guard let group = reader.text(node, "`concurrency`") else { return nil }
            return Concurrency(group: group, policy: Located(.queue, at: node.location))
        }
        guard reader.mapping(node, "`concurrency`", allowed: ["group", "policy"]) != nil else { return nil }
        guard let groupNode = node["group"] else {
            reader.error(node.location, Messages.missingKey("group", in: "`concurrency`"))
            return nil
        }
        guard let group = reader.text(groupNode, "`concurrency.group`") else { return nil }
        var policy = Located(Concurrency.Policy.queue, at: node.location)
        if let p = node["policy"] {
            guard let parsed = reader.enumeration(p, "`concurrency.policy`", Concurrency.Policy.self) else { return nil }
            policy = parsed
        }
        return Concurrency(group: group, policy: policy)
    }

    mutating func schedule(_ node: YAMLNode) -> [ScheduleEntry] {
        guard let items = node.sequence else {
            reader.error(node.location, Messages.wrongType("`schedule`", expected: "a list of entries (`- cron: \"0 2 * * *\"`)", found: node.kindDescription))
            return []
        }
        return items.compactMap { item in
            guard reader.mapping(item, "a `schedule` entry", allowed: Self.scheduleKeys) != nil else { return nil }
            guard let cronNode = item["cron"] else {
                reader.error(item.location, Messages.missingKey("cron", in: "a `schedule` entry"))
                return nil
            }
            guard let cron = reader.text(cronNode, "`cron`") else { return nil }
            var entry = ScheduleEntry(cron: cron, location: item.location)
            entry.timezone = item["timezone"].flatMap { reader.string($0, "`timezone`") }
            entry.profile = item["profile"].flatMap { reader.string($0, "`profile`") }
            if let params = item["params"], let pairs = reader.mapping(params, "`params` of a schedule entry") {
                entry.params = pairs.compactMap { p in reader.string(p.key, "parameter name").map { ($0, p.value) } }
            }
            entry.catchup = item["catchup"].flatMap { reader.enumeration($0, "`catchup`", ScheduleEntry.Catchup.self) }
            entry.catchupWindow = item["catchup-window"].flatMap { reader.duration($0, "`catchup-window`") }
            entry.startingDeadline = item["starting-deadline"].flatMap { reader.duration($0, "`starting-deadline`") }
            if let window = entry.catchupWindow, entry.catchup?.value != .all {
                reader.diagnostics.append(.warning(window.location, Messages.catchupWindowWithoutAll))
            }
            return entry
        }
    }

    mutating func defaults(_ node: YAMLNode) -> StepDefaults {
        var d = StepDefaults()
        guard reader.mapping(node, "`defaults`", allowed: ["timeout", "retry", "log-limit"]) != nil else { return d }
        d.timeout = node["timeout"].flatMap { reader.duration($0, "`timeout`") }
        d.logLimit = node["log-limit"].flatMap { reader.logLimit($0) }
        d.retry = node["retry"].flatMap { retry($0) }
        return d
    }

    /// `retry: 3` or `retry: { attempts, backoff: { initial, factor, max, jitter }, deadline, exit-codes }`.
    mutating func retry(_ node: YAMLNode) -> Located<RetryPolicy>? {
        if node.scalar != nil {
            guard let n = reader.int(node, "`retry`") else { return nil }
            guard n.value >= 1 && n.value <= 1000 else {
                reader.error(node.location, Messages.outOfRange("`retry`", "\(n.value)", "between 1 and 1000 (attempts count the first try)"))
                return nil
            }
            return Located(RetryPolicy(attempts: n.value), at: node.location)
        }
        guard reader.mapping(node, "`retry`", allowed: Self.retryKeys) != nil else { return nil }
        var policy = RetryPolicy(attempts: 1)
        var ok = true
        if let a = node["attempts"] {
            if let n = reader.int(a, "`attempts`") {
                if n.value < 1 || n.value > 1000 {
                    reader.error(a.location, Messages.outOfRange("`attempts`", "\(n.value)", "between 1 and 1000 (attempts count the first try)"))
                    ok = false
                } else {
                    policy.attempts = n.value
                }
            } else { ok = false }
        } else {
            reader.error(node.location, Messages.missingKey("attempts", in: "`retry`"))
            ok = false
        }
        if let b = node["backoff"] {
            if let backoff = backoff(b) { policy.backoff = backoff } else { ok = false }
        }
        if let d = node["deadline"] {
            if let deadline = reader.duration(d, "`deadline`") { policy.deadline = deadline.value } else { ok = false }
        }
        if let codes = node["exit-codes"] {
            let items = codes.sequence ?? [codes]
            var list: [Int] = []
            for item in items {
                guard let code = reader.int(item, "each exit code") else { ok = false; continue }
                if code.value < 1 || code.value > 255 {
                    reader.error(item.location, Messages.outOfRange("exit code", "\(code.value)", "between 1 and 255"))
                    ok = false
                } else {
                    list.append(code.value)
                }
            }
            policy.exitCodes = list
        }
        return ok ? Located(policy, at: node.location) : nil
    }

    mutating func backoff(_ node: YAMLNode) -> Backoff? {
        guard reader.mapping(node, "`backoff`", allowed: Self.backoffKeys) != nil else { return nil }
        var b = Backoff()
        var ok = true
        var durationsOK = true
        if let n = node["initial"] {
            if let d = reader.duration(n, "`initial`") { b.initial = d.value } else { ok = false; durationsOK = false }
        }
        if let n = node["max"] {
            if let d = reader.duration(n, "`max`") { b.max = d.value } else { ok = false; durationsOK = false }
        } else if b.initial > b.max {
            b.max = b.initial
        }
        if let n = node["factor"] {
            if let f = reader.number(n, "`factor`") {
                if f < 1 || f > 100 {
                    reader.error(n.location, Messages.outOfRange("`factor`", n.scalar?.value ?? "", "between 1 and 100"))
                    ok = false
                } else { b.factor = f }
            } else { ok = false }
        }
        if let n = node["jitter"] {
            if let j = reader.bool(n, "`jitter`") { b.jitter = j } else { ok = false }
        }
        if durationsOK, b.max < b.initial {
            reader.error(node["max"]?.location ?? node.location, Messages.backoffMaxBelowInitial)
            ok = false
        }
        return ok ? b : nil
    }
}
