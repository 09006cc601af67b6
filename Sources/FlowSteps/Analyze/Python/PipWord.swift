/// One word of a shell command: its text with quotes removed, where it is written, and (when
/// known) the word as written, quotes included.
public struct PipWord: Sendable, Hashable {
    public var text: String
    public var span: SourceSpan
    /// The word as written (`"torch==2.4.1"`); lets requirement sub-spans step over the quote.
    public var raw: String?

    /// Makes a value from its parts.
    public init(text: String, span: SourceSpan, raw: String? = nil) {
        self.text = text
        self.span = span
        self.raw = raw
    }
}

/// One package a `pip install` names: a requirement word, a URL/path, or an `-e` target.
public struct PipPackage: Sendable, Hashable {
    public var word: PipWord
    public var kind: RequirementsEntry.Kind
    /// The requirement, when a name is known (see `RequirementsEntry.requirement`).
    public var requirement: Requirement?
    /// The URL or path of a non-`named` package.
    public var location: String?
    public var isEditable: Bool
    /// The word holds a shell expansion (`torch==$TORCH_VERSION`), so its version is not known here.
    public var isUnresolved: Bool
    /// For an unresolved word, the package name it starts with (`torch`), when there is one.
    public var unresolvedName: String?

    /// Makes a value from its parts.
    public init(word: PipWord, kind: RequirementsEntry.Kind, requirement: Requirement?, location: String?,
                isEditable: Bool, isUnresolved: Bool = false, unresolvedName: String? = nil) {
        self.word = word
        self.kind = kind
        self.requirement = requirement
        self.location = location
        self.isEditable = isEditable
        self.isUnresolved = isUnresolved
        self.unresolvedName = unresolvedName
    }

    /// The PEP 503 name, when known.
    public var normalizedName: String? {
        requirement?.normalizedName ?? unresolvedName.map(Requirement.normalize)
    }
}
