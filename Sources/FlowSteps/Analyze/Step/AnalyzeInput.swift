import FlowCore

/// The `with:` of an `analyze` step; its fields are the step's schema.
public struct AnalyzeInput: StepInputSchema {
    public var dockerfile: InputPath
    public var requirements: InputPaths?
    public var context: InputPath?
    public var buildArgs: [String: String]?
    public var target: String?
    public var python: String?
    public var cuda: String?
    public var torch: String?
    public var failOn: AnalysisReport.FailOn
    public var rules: RuleLevels?
    public var sarif: InputPath?
    public var json: InputPath?

    enum CodingKeys: String, CodingKey {
        case dockerfile, requirements, context, buildArgs = "build-args", target, python, cuda, torch,
             failOn = "fail-on", rules, sarif, json
    }

    public static let help: [String: InputHelp] = [
        "dockerfile": InputHelp("the Dockerfile to read", default: "Dockerfile", mustExist: true),
        "requirements": InputHelp("a requirements file, or a list of them (default: the `requirements*.txt` files the Dockerfile copies)"),
        "context": InputHelp("the build context, for `COPY` sources and `.dockerignore` (default: the Dockerfile's folder)"),
        "build-args": InputHelp("`ARG` values, as `docker build --build-arg` gives them"),
        "target": InputHelp("the stage that is built (default: the last)"),
        "python": InputHelp("the Python the image runs, when it cannot be inferred (`3.11`)"),
        "cuda": InputHelp("the CUDA the image targets, when it cannot be inferred (`12.4`)"),
        "torch": InputHelp("the torch the image installs, when it cannot be inferred (`2.4.1`)"),
        "fail-on": InputHelp("the least severity that fails the step", default: "error"),
        "rules": InputHelp("rule id → `off`, `error`, `warning` or `note`: disable a rule or change its severity"),
        "sarif": InputHelp("also write the findings as SARIF 2.1.0 to this file (always kept as the artifact `analyze.sarif`)"),
        "json": InputHelp("also write the findings as JSON to this file"),
    ]
}

extension AnalysisReport.FailOn: InputChoice {}

/// `rules:`: per rule id, `off` or a severity. Its schema lists every rule `analyze` has, so a
/// misspelt id is caught by `flow validate` with a suggestion.
public struct RuleLevels: InputValue, Sendable, Hashable {
    public enum Level: String, Sendable, Hashable, CaseIterable, Codable {
        case off, error, warning, note
    }

    public var levels: [String: Level]

    public init(_ levels: [String: Level] = [:]) { self.levels = levels }

    public init(from decoder: any Decoder) throws {
        levels = try decoder.singleValueContainer().decode([String: Level].self)
    }

    public static var inputKind: InputKind {
        .object(Analyzer.descriptors.map { rule in
            StepInput(rule.id, rule.summary + " (default \(rule.severity.rawValue))",
                      kind: .choice(Level.allCases.map(\.rawValue)))
        })
    }

    public static var placeholder: RuleLevels { RuleLevels() }

    /// Applies the levels: findings of an `off` rule dropped, others re-levelled.
    public func apply(to findings: [Finding]) -> [Finding] {
        findings.compactMap { finding in
            var f = finding
            switch levels[f.rule] {
            case .off?: return nil
            case .error?: f.severity = .error
            case .warning?: f.severity = .warning
            case .note?: f.severity = .note
            case nil: break
            }
            return f
        }
    }
}
