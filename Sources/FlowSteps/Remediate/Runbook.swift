import Foundation
import FlowCore

/// A runbook: the rules a `remediate` step decides with, in file order (which breaks ties of
/// confidence). Loaded and checked by ``RunbookLoader``.
public struct Runbook: Sendable {
    public var file: String
    public var rules: [RunbookRule]
}

/// One rule: when it matches a piece of evidence, the action it proposes and how sure it is.
public struct RunbookRule: Sendable {
    public var id: String
    public var description: String?
    public var when: RuleCondition
    public var action: RuleAction
    /// 0…1: the rule acts only at or above the step's `min-confidence`.
    public var confidence: Double
    public var location: SourceLocation
}

/// `when:`: every matcher given must match. A rule matches a failed step, or an alarm (when it
/// has `alarm:`), never both.
public struct RuleCondition: Sendable {
    /// A step id or a glob (`train*`; `*` and `?`).
    public var step: Glob?
    /// Step statuses; a step rule without `status` matches `failed` steps only.
    public var status: [StepStatusWord]?
    public var errorClass: [ErrorClass]?
    public var exitCodes: [Int32]?
    /// Searched in the last MiB of the step's last attempt's log (masked).
    public var log: LogPattern?
    public var alarm: AlarmCondition?

    /// The statuses a step must have, `failed` when the rule names none.
    public var statuses: [StepStatusWord] { status ?? [.failed] }
}

/// The step statuses a runbook may name.
public enum StepStatusWord: String, Sendable, CaseIterable {
    case failed, cancelled, skipped
}

/// How a failed step failed, from what flow records of its last attempt.
public enum ErrorClass: String, Sendable, CaseIterable {
    /// The attempt's timeout passed.
    case timeout
    /// The process was killed by a signal (exit code 128 + n), OOM kills included.
    case signal
    /// The process exited with a non-zero code.
    case exitCode = "exit-code"
    /// The step (or the run) was cancelled.
    case cancelled
    /// Any other failure a step type reported (bad input, a refused request, …).
    case error
}

/// `alarm:` of a rule: every field given must match the alarm.
public struct AlarmCondition: Sendable {
    public var name: Glob?
    public var metric: String?
    public var namespace: String?
    public var dimensions: [String: String]
    public var state: String?
}

/// A regular expression from a runbook, compiled once.
public struct LogPattern: @unchecked Sendable {
    public let source: String
    // NSRegularExpression is immutable and documented thread-safe.
    let expression: NSRegularExpression

    init(_ source: String) throws {
        self.source = source
        expression = try NSRegularExpression(pattern: source, options: [.anchorsMatchLines])
    }

    public func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// A shell-style pattern over ids and names: `*` any run of characters, `?` one; the rest literal.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String

    public init(_ pattern: String) { self.pattern = pattern }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0
        var star: Int?, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if let s = star {
                pi = s + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

/// What a rule does. Values may hold `${{ }}` (rendered when the rule decides); a `run` command's
/// expressions become environment variables, never shell text.
public enum RuleAction: Sendable {
    case rollbackStack(stack: Template, region: Template?)
    case deleteStack(stack: Template, region: Template?)
    case rerun(step: Template, params: [(name: String, value: Template)], max: Int)
    case run(command: String)
    case webhook(url: Template, headers: [(name: String, value: Template)], body: RunbookValue?)
    case person(reason: Template)

    /// The action's key in a runbook.
    public var kind: String {
        switch self {
        case .rollbackStack: "rollback-stack"
        case .deleteStack: "delete-stack"
        case .rerun: "rerun"
        case .run: "run"
        case .webhook: "webhook"
        case .person: "person"
        }
    }

    public static let kinds = ["rollback-stack", "delete-stack", "rerun", "run", "webhook", "person"]
}

/// A value written in a runbook (a webhook body): scalars are templates.
public indirect enum RunbookValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case text(Template)
    case list([RunbookValue])
    case mapping([(String, RunbookValue)])

    func evaluate(in context: EvaluationContext) throws -> ExpressionValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .text(let t): return try t.evaluate(in: context)
        case .list(let items): return .array(try items.map { try $0.evaluate(in: context) })
        case .mapping(let pairs):
            var object: [String: ExpressionValue] = [:]
            for (key, value) in pairs { object[key] = try value.evaluate(in: context) }
            return .object(object)
        }
    }
}
