/// One problem `analyze` found: a rule id, a severity, where it is, what is wrong, and, where one
/// exists, a machine-applicable fix.
public struct Finding: Sendable, Hashable, Codable {
    /// How bad a finding is. Ordered: `note` < `warning` < `error`.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case note, warning, error

        private var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// `DL3008` for the hadolint rules, a kebab-case name for flow's own (`torch-triple`).
    public var rule: String
    public var severity: Severity
    public var span: SourceSpan
    public var message: String
    public var fix: Fix?

    public init(rule: String, severity: Severity, span: SourceSpan, message: String, fix: Fix? = nil) {
        self.rule = rule
        self.severity = severity
        self.span = span
        self.message = message
        self.fix = fix
    }
}

/// A stretch of one file. Lines and columns are 1-based, columns count Unicode scalars (as flow's
/// diagnostics do); `offset` and `length` count UTF-8 bytes from the start of the file, which is
/// what a fix edits.
public struct SourceSpan: Sendable, Hashable, Codable {
    public var file: String
    public var line: Int
    public var column: Int
    public var offset: Int
    public var length: Int

    public init(file: String, line: Int, column: Int, offset: Int, length: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset
        self.length = length
    }
}

/// A machine-applicable fix: what it does, and the edits that do it.
public struct Fix: Sendable, Hashable, Codable {
    public var description: String
    public var edits: [TextEdit]

    public init(_ description: String, edits: [TextEdit]) {
        self.description = description
        self.edits = edits
    }
}

/// Replace `length` UTF-8 bytes at `offset` of `file` with `replacement` (an insertion when
/// `length` is 0, a deletion when `replacement` is empty).
public struct TextEdit: Sendable, Hashable, Codable {
    public var file: String
    public var offset: Int
    public var length: Int
    public var replacement: String

    public init(file: String, offset: Int, length: Int, replacement: String) {
        self.file = file
        self.offset = offset
        self.length = length
        self.replacement = replacement
    }

    /// Applies the edits meant for one file's bytes, last first, so earlier offsets stay valid.
    /// Overlapping edits are a programming error of the rule that made them; the later one is dropped.
    public static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        var lowestStart = Int.max
        for edit in edits.sorted(by: { ($0.offset, $0.length) > ($1.offset, $1.length) }) {
            let end = edit.offset + edit.length
            guard edit.offset >= 0, end <= bytes.count, end <= lowestStart else { continue }
            result.replaceSubrange(edit.offset..<end, with: Array(edit.replacement.utf8))
            lowestStart = edit.offset
        }
        return result
    }
}

/// What a rule is, for `flow steps analyze`, the SARIF `rules` array and the `rules:` input that
/// re-levels or disables it.
public struct RuleDescriptor: Sendable, Hashable, Codable {
    public var id: String
    /// The severity its findings have unless `rules:` says otherwise.
    public var severity: Finding.Severity
    /// One sentence: what the rule checks.
    public var summary: String
    /// Where to read more (the hadolint wiki for `DL` rules).
    public var helpURI: String?

    public init(_ id: String, _ severity: Finding.Severity, _ summary: String, helpURI: String? = nil) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.helpURI = helpURI
    }
}
