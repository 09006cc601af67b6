/// A PEP 508 requirement (`torch[cuda]>=2.4,<2.5; python_version >= "3.9"`, `pkg @ https://…`)
/// with where each part is written, so a fix can replace the version or drop the requirement.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    /// The name as written.
    public var name: String
    /// The extras as written (`[cuda, dev]` → `["cuda", "dev"]`).
    public var extras: [String]
    public var specifiers: SpecifierSet
    /// The URL of `name @ url`, or where a bare URL / wheel entry comes from.
    public var url: String?
    public var marker: MarkerExpression?
    /// The whole requirement as written.
    public var text: String
    /// The whole requirement.
    public var span: SourceSpan
    public var nameSpan: SourceSpan
    /// The `[…]` part, when there is one.
    public var extrasSpan: SourceSpan?
    /// The version clauses without parentheses (`>=2.4,<2.5`), to replace them; nil when there are
    /// none or when they were derived (a wheel file name).
    public var specifierSpan: SourceSpan?

    /// Makes a requirement from its parts.
    public init(name: String, extras: [String] = [], specifiers: SpecifierSet = SpecifierSet(), url: String? = nil,
                marker: MarkerExpression? = nil, text: String, span: SourceSpan, nameSpan: SourceSpan,
                extrasSpan: SourceSpan? = nil, specifierSpan: SourceSpan? = nil) {
        self.name = name
        self.extras = extras
        self.specifiers = specifiers
        self.url = url
        self.marker = marker
        self.text = text
        self.span = span
        self.nameSpan = nameSpan
        self.extrasSpan = extrasSpan
        self.specifierSpan = specifierSpan
    }

    /// The name as PEP 503 normalizes it: lower case, each run of `-`, `_`, `.` as one `-`.
    public var normalizedName: String { Self.normalize(name) }

    /// The exact version when the specifiers are one `==V` or `===V` (`2.4.1+cu121`).
    public var pinnedVersion: PythonVersion? { specifiers.pinnedVersion }

    /// `name[extras]specifiers; marker` (or `name @ url`) in normalized form.
    public var description: String {
        var text = name
        if !extras.isEmpty { text += "[\(extras.joined(separator: ","))]" }
        if let url, specifiers.isUnconstrained {
            text += " @ \(url)"
            if let marker { text += " ; \(marker)" }
            return text
        }
        text += specifiers.description
        if let marker { text += "; \(marker)" }
        return text
    }

    /// PEP 503 normalization of a distribution or extra name.
    public static func normalize(_ name: String) -> String {
        var result = ""
        var pendingSeparator = false
        for scalar in name.lowercased().unicodeScalars {
            if scalar == "-" || scalar == "_" || scalar == "." {
                pendingSeparator = true
                continue
            }
            if pendingSeparator { result.append("-") }
            pendingSeparator = false
            result.unicodeScalars.append(scalar)
        }
        if pendingSeparator { result.append("-") }
        return result
    }
}
