import Foundation
import FlowCore
import FlowEngine

/// Reads a runbook file with flow's bounded YAML composer and checks it like a pipeline: every
/// problem located (`file:line:column: what; fix`), all of them reported at once.
public enum RunbookLoader {
    /// A runbook is at most this large.
    public static let maximumSize = 1 << 20

    /// Reads `path` (a user's file: read through ``UntrustedFile``); `shown` is how messages name it.
    public static func load(path: String, shown: String) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(path, limit: maximumSize, links: .follow)
        } catch {
            let reason: String
            switch error {
            case .tooLarge(_, let size, let limit): reason = "it is \(size) bytes; a runbook is at most \(limit)"
            case .notRegular(_, let kind): reason = "it is \(kind), not a regular file"
            case .unreadable(_, let why): reason = why
            }
            return (nil, [.error(SourceLocation(file: shown, line: 0, column: 0), RunbookMessages.cannotRead(reason))])
        }
        return parse(bytes, file: shown)
    }

    /// Checks runbook text; the runbook is nil when any error was found.
    public static func parse(_ bytes: [UInt8], file: String) -> (runbook: Runbook?, diagnostics: [Diagnostic]) {
        let (root, yaml) = YAMLComposer.compose(bytes, file: file, limits: YAMLLimits(maxBytes: maximumSize, maxNodes: 100_000))
        var reader = RunbookReader()
        reader.diagnostics = yaml.map { d in
            d.message == Messages.emptyFile ? .error(d.location, RunbookMessages.emptyFile) : d
        }
        guard let root else { return (nil, reader.diagnostics) }
        let rules = reader.runbook(root)
        let diagnostics = reader.diagnostics.sortedByLocation()
        return (diagnostics.hasErrors ? nil : Runbook(file: file, rules: rules), diagnostics)
    }
}

/// The checks, one node at a time, each problem recorded at its node.
struct RunbookReader {
    var diagnostics: [Diagnostic] = []

    mutating func error(_ at: SourceLocation, _ message: String, notes: [Diagnostic.Note] = []) {
        diagnostics.append(.error(at, message, notes: notes))
    }

    static let ruleKeys = ["id", "description", "when", "action", "confidence"]
    static let whenKeys = ["step", "status", "error-class", "exit-code", "log", "alarm"]
    static let alarmKeys = ["name", "metric", "namespace", "dimensions", "state"]

    mutating func runbook(_ root: YAMLNode) -> [RunbookRule] {
        guard let pairs = mapping(root, "a runbook", allowed: ["rules"]) else { return [] }
        guard let rulesNode = pairs.first(where: { $0.keyText == "rules" })?.value else {
            error(root.location, Messages.missingKey("rules", in: "the runbook"))
            return []
        }
        guard let items = rulesNode.sequence else {
            error(rulesNode.location, Messages.wrongType("`rules`", expected: "a list of rules", found: rulesNode.kindDescription))
            return []
        }
        var rules: [RunbookRule] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            // Ids are compared whatever else is wrong with a rule, so a duplicate is always reported.
            if let idNode = item["id"], let id = idNode.scalar?.value {
                if let first = seen[id] {
                    error(idNode.location, RunbookMessages.duplicateRule(id), notes: [.init(Messages.firstDefinedHere, at: first)])
                } else {
                    seen[id] = idNode.location
                }
            }
            if let rule = rule(item) { rules.append(rule) }
        }
        return rules
    }

    mutating func rule(_ node: YAMLNode) -> RunbookRule? {
        guard let pairs = mapping(node, "a rule", allowed: Self.ruleKeys) else { return nil }
        func value(_ key: String) -> YAMLNode? { pairs.first { $0.keyText == key }?.value }
        var id: String?
        var idLocation = node.location
        if let idNode = value("id") {
            idLocation = idNode.location
            if let text = string(idNode, "`id` of a rule") {
                if Identifier.isValid(text) { id = text } else { error(idNode.location, Messages.badIdentifier("rule id", text)) }
            }
        } else {
            error(node.location, Messages.missingKey("id", in: "a rule"))
        }
        let what = id.map { "rule `\($0)`" } ?? "a rule"
        let description = value("description").flatMap { string($0, "`description` of \(what)") }
        var condition: RuleCondition?
        if let whenNode = value("when") { condition = self.condition(whenNode, what) } else { error(node.location, Messages.missingKey("when", in: what)) }
        var action: RuleAction?
        if let actionNode = value("action") { action = self.action(actionNode, what) } else { error(node.location, Messages.missingKey("action", in: what)) }
        var confidence: Double?
        if let c = value("confidence") {
            if let number = number(c, "`confidence` of \(what)") {
                if (0...1).contains(number) { confidence = number } else { error(c.location, RunbookMessages.confidenceRange(number)) }
            }
        } else {
            error(node.location, Messages.missingKey("confidence", in: what))
        }
        guard let id, let condition, let action, let confidence else { return nil }
        return RunbookRule(id: id, description: description, when: condition, action: action, confidence: confidence, location: idLocation)
    }

    // MARK: when

    mutating func condition(_ node: YAMLNode, _ rule: String) -> RuleCondition? {
        let what = "`when` of \(rule)"
        guard let pairs = mapping(node, what, allowed: Self.whenKeys) else { return nil }
        if pairs.isEmpty {
            error(node.location, RunbookMessages.emptyWhen)
            return nil
        }
        var c = RuleCondition()
        var ok = true
        for pair in pairs {
            let key = pair.keyText, v = pair.value
            if let s = v.scalar, s.value.containsExpressionOpener {
                error(v.location, Messages.expressionNotAllowed("`when.\(key)`"))
                ok = false
                continue
            }
            switch key {
            case "step":
                if let text = string(v, "`when.step`") { c.step = Glob(text) } else { ok = false }
            case "status":
                if let words = words(v, "`when.status`", StepStatusWord.self) { c.status = words } else { ok = false }
            case "error-class":
                if let words = words(v, "`when.error-class`", ErrorClass.self) { c.errorClass = words } else { ok = false }
            case "exit-code":
                let nodes = v.sequence ?? [v]
                var codes: [Int32] = []
                for n in nodes {
                    if case .int(let i)? = n.scalar?.resolved, let code = Int32(exactly: i), (0...255).contains(code) {
                        codes.append(code)
                    } else {
                        error(n.location, RunbookMessages.badExitCode)
                        ok = false
                    }
                }
                c.exitCodes = codes
            case "log":
                guard let text = string(v, "`when.log`") else { ok = false; continue }
                do { c.log = try LogPattern(text) } catch {
                    self.error(v.location, RunbookMessages.badPattern(text))
                    ok = false
                }
            case "alarm":
                if let alarm = alarm(v) { c.alarm = alarm } else { ok = false }
            default:
                break
            }
        }
        if c.alarm != nil {
            let stepKeys = pairs.map(\.keyText).filter { $0 != "alarm" }
            if !stepKeys.isEmpty {
                error(node.location, RunbookMessages.alarmAndStep(stepKeys))
                ok = false
            }
        }
        return ok ? c : nil
    }

    mutating func alarm(_ node: YAMLNode) -> AlarmCondition? {
        guard let pairs = mapping(node, "`when.alarm`", allowed: Self.alarmKeys) else { return nil }
        var a = AlarmCondition(dimensions: [:])
        var ok = true
        for pair in pairs {
            let key = pair.keyText
            if key == "dimensions" {
                guard let dims = mapping(pair.value, "`when.alarm.dimensions`") else { ok = false; continue }
                for d in dims {
                    if let value = string(d.value, "dimension `\(d.keyText)`") { a.dimensions[d.keyText] = value } else { ok = false }
                }
                continue
            }
            guard let text = string(pair.value, "`when.alarm.\(key)`") else { ok = false; continue }
            switch key {
            case "name": a.name = Glob(text)
            case "metric": a.metric = text
            case "namespace": a.namespace = text
            case "state":
                guard ["ALARM", "OK", "INSUFFICIENT_DATA"].contains(text) else {
                    error(pair.value.location, Messages.notOneOf("`when.alarm.state`", text, ["ALARM", "OK", "INSUFFICIENT_DATA"]))
                    ok = false
                    continue
                }
                a.state = text
            default: break
            }
        }
        return ok ? a : nil
    }

    // MARK: action

    mutating func action(_ node: YAMLNode, _ rule: String) -> RuleAction? {
        let what = "`action` of \(rule)"
        guard let pairs = mapping(node, what) else { return nil }
        guard !pairs.isEmpty else {
            error(node.location, RunbookMessages.noAction, notes: [.init(Messages.expectedOneOf(RuleAction.kinds))])
            return nil
        }
        var known: [YAMLNode.Pair] = []
        for pair in pairs {
            if RuleAction.kinds.contains(pair.keyText) {
                known.append(pair)
            } else {
                error(pair.key.location, RunbookMessages.unknownAction(pair.keyText),
                      notes: [.init(Spelling.closest(to: pair.keyText, among: RuleAction.kinds).map(Messages.didYouMean)
                                    ?? Messages.expectedOneOf(RuleAction.kinds))])
            }
        }
        if known.count > 1 {
            error(known[1].key.location, RunbookMessages.twoActions(known.map(\.keyText)))
            return nil
        }
        guard let pair = known.first, pairs.count == 1 else { return nil }
        let v = pair.value
        switch pair.keyText {
        case "rollback-stack", "delete-stack":
            guard let fields = fields(v, pair.keyText, allowed: ["stack", "region"], required: ["stack"]),
                  let stack = fields["stack"].flatMap({ template($0, "`\(pair.keyText).stack`") }) else { return nil }
            var region: Template?
            if let r = fields["region"] { guard let t = template(r, "`\(pair.keyText).region`") else { return nil }; region = t }
            return pair.keyText == "rollback-stack" ? .rollbackStack(stack: stack, region: region) : .deleteStack(stack: stack, region: region)
        case "rerun":
            guard let fields = fields(v, "rerun", allowed: ["step", "params", "max"], required: ["step"]),
                  let step = fields["step"].flatMap({ template($0, "`rerun.step`") }) else { return nil }
            var params: [(name: String, value: Template)] = []
            if let p = fields["params"] {
                guard let entries = mapping(p, "`rerun.params`") else { return nil }
                for e in entries {
                    guard let t = template(e.value, "param `\(e.keyText)` of `rerun.params`") else { return nil }
                    params.append((e.keyText, t))
                }
            }
            var max = 1
            if let m = fields["max"] {
                guard case .int(let n)? = m.scalar?.resolved, n >= 0 else {
                    error(m.location, RunbookMessages.badMax)
                    return nil
                }
                max = n
            }
            return .rerun(step: step, params: params, max: max)
        case "run":
            guard let command = string(v, "`run`") else { return nil }
            if command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                error(v.location, RunbookMessages.emptyCommand)
                return nil
            }
            for problem in ShellSubstitution.problems(in: command) {
                error(Self.location(of: problem, in: v), Messages.expression(problem.message))
            }
            return .run(command: command)
        case "webhook":
            guard let fields = fields(v, "webhook", allowed: ["url", "headers", "body"], required: ["url"]),
                  let url = fields["url"].flatMap({ template($0, "`webhook.url`") }) else { return nil }
            var headers: [(name: String, value: Template)] = []
            if let h = fields["headers"] {
                guard let entries = mapping(h, "`webhook.headers`") else { return nil }
                for e in entries {
                    guard let t = template(e.value, "header `\(e.keyText)`") else { return nil }
                    headers.append((e.keyText, t))
                }
            }
            var body: RunbookValue?
            if let b = fields["body"] {
                guard let value = value(b, depth: 0) else { return nil }
                body = value
            }
            return .webhook(url: url, headers: headers, body: body)
        case "person":
            if v.scalar != nil, let t = template(v, "`person`") { return .person(reason: t) }
            guard let fields = fields(v, "person", allowed: ["reason"], required: ["reason"]),
                  let reason = fields["reason"].flatMap({ template($0, "`person.reason`") }) else { return nil }
            return .person(reason: reason)
        default:
            return nil
        }
    }

    /// An action's fields, unknown and missing ones reported.
    mutating func fields(_ node: YAMLNode, _ action: String, allowed: [String], required: [String]) -> [String: YAMLNode]? {
        guard let pairs = mapping(node, "`\(action)`", allowed: allowed) else { return nil }
        var fields: [String: YAMLNode] = [:]
        for pair in pairs where allowed.contains(pair.keyText) { fields[pair.keyText] = pair.value }
        var ok = pairs.allSatisfy { allowed.contains($0.keyText) }
        for key in required where fields[key] == nil {
            error(node.location, RunbookMessages.actionMissing(action, key))
            ok = false
        }
        return ok ? fields : nil
    }

    mutating func value(_ node: YAMLNode, depth: Int) -> RunbookValue? {
        guard depth < 16 else {
            error(node.location, RunbookMessages.bodyTooDeep)
            return nil
        }
        switch node.content {
        case .scalar(let s):
            switch s.resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .number(Double(i))
            case .float(let d): return .number(d)
            case .string: return template(node, "a value of `webhook.body`").map(RunbookValue.text)
            }
        case .sequence(let items):
            var values: [RunbookValue] = []
            for item in items { guard let v = value(item, depth: depth + 1) else { return nil }; values.append(v) }
            return .list(values)
        case .mapping(let pairs):
            var values: [(String, RunbookValue)] = []
            for pair in pairs { guard let v = value(pair.value, depth: depth + 1) else { return nil }; values.append((pair.keyText, v)) }
            return .mapping(values)
        }
    }

    // MARK: Scalars

    mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]? = nil) -> [YAMLNode.Pair]? {
        guard let pairs = node.mapping else {
            error(node.location, Messages.wrongType(what, expected: "a mapping", found: node.kindDescription))
            return nil
        }
        if let allowed {
            for pair in pairs where !allowed.contains(pair.keyText) {
                error(pair.key.location, Messages.unknownKey(pair.keyText, in: what),
                      notes: [.init(Spelling.closest(to: pair.keyText, among: allowed).map(Messages.didYouMean) ?? Messages.expectedOneOf(allowed))])
            }
        }
        return pairs
    }

    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard let s = node.scalar, s.resolved != .null || s.style != .plain else {
            error(node.location, Messages.wrongType(what, expected: "a string", found: node.kindDescription))
            return nil
        }
        return s.value
    }

    mutating func number(_ node: YAMLNode, _ what: String) -> Double? {
        switch node.scalar?.resolved {
        case .int(let i)?: return Double(i)
        case .float(let d)? where d.isFinite: return d
        default:
            error(node.location, Messages.wrongType(what, expected: "a number such as `0.8`", found: node.kindDescription))
            return nil
        }
    }

    mutating func words<W: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ what: String, _: W.Type) -> [W]? where W.RawValue == String {
        let nodes = node.sequence ?? [node]
        var result: [W] = []
        var ok = true
        for n in nodes {
            guard let text = string(n, what) else { ok = false; continue }
            guard let word = W(rawValue: text) else {
                let options = W.allCases.map(\.rawValue)
                error(n.location, Messages.notOneOf(what, text, options),
                      notes: Spelling.closest(to: text, among: options).map { [.init(Messages.didYouMean($0))] } ?? [])
                ok = false
                continue
            }
            result.append(word)
        }
        return ok ? result : nil
    }

    /// A scalar that may hold `${{ }}`; an expression that does not parse is reported where it is.
    mutating func template(_ node: YAMLNode, _ what: String) -> Template? {
        guard let text = string(node, what) else { return nil }
        do {
            return try Template.parse(text)
        } catch {
            self.error(Self.location(of: error, in: node), Messages.expression(error.message))
            return nil
        }
    }

    /// Where a problem inside a scalar's text is in the file (exact for plain one-line scalars).
    static func location(of problem: ExpressionError, in node: YAMLNode) -> SourceLocation {
        let position = problem.position
        guard let s = node.scalar, position.line == 1, s.style == .plain || s.style.isQuoted else { return node.location }
        return node.location.advanced(by: position.column - (s.style == .plain ? 1 : 0))
    }
}
