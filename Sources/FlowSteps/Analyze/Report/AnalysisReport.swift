import Foundation

/// What `analyze` found in one image: the findings in file order, every rule that could have
/// fired (for SARIF), the torch / CUDA / Python it resolved and the base image it recommends.
public struct AnalysisReport: Sendable {
    /// The least severity that fails the step or the command (`fail-on`).
    public enum FailOn: String, Sendable, CaseIterable, Codable {
        case error, warning, note, never

        /// Whether a finding of `severity` is at or above this level.
        public func fails(_ severity: Finding.Severity) -> Bool {
            switch self {
            case .never: false
            case .error: severity >= .error
            case .warning: severity >= .warning
            case .note: true
            }
        }
    }

    public var findings: [Finding]
    public var rules: [RuleDescriptor]
    /// The files read (the Dockerfile first, then requirements files).
    public var files: [String]
    public var torch: String?
    public var cuda: String?
    public var python: String?
    /// The recommended base image and why, when the stack is known.
    public var recommendation: (image: String, reason: String)?

    public init(findings: [Finding], rules: [RuleDescriptor], files: [String], torch: String? = nil, cuda: String? = nil,
                python: String? = nil, recommendation: (image: String, reason: String)? = nil) {
        self.findings = findings
        self.rules = rules
        self.files = files
        self.torch = torch
        self.cuda = cuda
        self.python = python
        self.recommendation = recommendation
    }

    public func count(_ severity: Finding.Severity) -> Int { findings.filter { $0.severity == severity }.count }

    /// Whether any finding is at or above `level`.
    public func fails(at level: FailOn) -> Bool { findings.contains { level.fails($0.severity) } }

    /// `path:line:column: severity[rule]: message`, one per finding, with a `note:` line for a fix
    /// (as `flow validate` prints its diagnostics).
    public func lines(color: Bool = false) -> String {
        var out = ""
        for f in findings {
            let severity: String
            switch (f.severity, color) {
            case (.error, true): severity = "\u{1B}[1;31merror\u{1B}[0m"
            case (.warning, true): severity = "\u{1B}[1;33mwarning\u{1B}[0m"
            case (.note, true): severity = "\u{1B}[1;36mnote\u{1B}[0m"
            case (let s, false): severity = s.rawValue
            }
            out += "\(f.span.file):\(f.span.line):\(f.span.column): \(severity)[\(f.rule)]: \(f.message)\n"
            if let fix = f.fix { out += "\(f.span.file):\(f.span.line):\(f.span.column): note: fix: \(fix.description)\n" }
        }
        return out
    }

    /// One line: "3 errors, 1 warning, 2 notes; torch 2.4.1, CUDA 12.1, Python 3.11".
    public var summary: String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var text = [plural(count(.error), "error"), plural(count(.warning), "warning"), plural(count(.note), "note")].joined(separator: ", ")
        let stack = [torch.map { "torch \($0)" }, cuda.map { "CUDA \($0)" }, python.map { "Python \($0)" }].compactMap { $0 }
        if !stack.isEmpty { text += "; " + stack.joined(separator: ", ") }
        return text
    }
}
