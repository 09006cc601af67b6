/// A pip requirements file, parsed as pip reads it ("Requirements File Format" in pip's docs):
/// requirements, `-r`/`-c` includes, global options, and a finding for each line pip would reject.
public struct RequirementsFile: Sendable {
    public var file: String
    /// The requirement lines, `-e` lines included, in file order.
    public var entries: [RequirementsEntry] = []
    /// `-r` and `-c` lines, in file order.
    public var includes: [RequirementsInclude] = []
    /// The other option lines (`--index-url`, `--extra-index-url`, `--find-links`, `--pre`, …), in file order.
    public var options: [RequirementsOption] = []
    /// `requirements-syntax` findings: unknown options, lines that do not parse.
    public var findings: [Finding] = []

    /// An empty file named `file`.
    public init(file: String) {
        self.file = file
    }

    /// `--index-url`, `--extra-index-url` and `--find-links` options, in file order.
    public var indexOptions: [RequirementsOption] {
        options.filter { ["--index-url", "--extra-index-url", "--find-links"].contains($0.name) }
    }

    /// Whether the file sets `option` (a long name: `--no-index`, `--pre`, `--require-hashes`).
    public func sets(_ option: String) -> Bool {
        options.contains { $0.name == option }
    }
}

/// One option of a requirements file (or of one requirement, like `--hash`), by its long name.
public struct RequirementsOption: Sendable, Hashable {
    /// The canonical long name (`--index-url` also for `-i`).
    public var name: String
    public var value: String?
    /// The option and its value as written.
    public var span: SourceSpan
    public var valueSpan: SourceSpan?
    /// The physical line(s) the option is on, line breaks included.
    public var lineSpan: SourceSpan

    /// Makes a value from its parts.
    public init(name: String, value: String?, span: SourceSpan, valueSpan: SourceSpan?, lineSpan: SourceSpan) {
        self.name = name
        self.value = value
        self.span = span
        self.valueSpan = valueSpan
        self.lineSpan = lineSpan
    }
}

/// A `-r file` or `-c file` line.
public struct RequirementsInclude: Sendable, Hashable {
    /// `-r` includes requirements, `-c` constraints.
    public enum Kind: String, Sendable, Hashable {
        case requirements = "-r"
        case constraints = "-c"
    }

    public var kind: Kind
    /// The path as written (after `${VAR}` expansion), relative to the including file's directory.
    public var path: String
    /// The option and its path.
    public var span: SourceSpan
    public var pathSpan: SourceSpan
    public var lineSpan: SourceSpan

    /// Makes a value from its parts.
    public init(kind: Kind, path: String, span: SourceSpan, pathSpan: SourceSpan, lineSpan: SourceSpan) {
        self.kind = kind
        self.path = path
        self.span = span
        self.pathSpan = pathSpan
        self.lineSpan = lineSpan
    }
}

/// One requirement line of a requirements file: a PEP 508 requirement, a URL, a path or a VCS
/// URL, maybe editable, with its per-requirement options.
public struct RequirementsEntry: Sendable, Hashable {
    /// How the requirement names what to install.
    public enum Kind: String, Sendable, Hashable {
        /// A name and version clauses, resolved on an index (`torch==2.4.1`).
        case named
        /// A URL: `name @ https://…`, or a bare archive URL (`https://…/torch-2.4.1+cu121-….whl`).
        case url
        /// A local directory or archive (`./pkg`, `dist/x-1.0.whl`, `-e .`).
        case path
        /// A version-control URL (`git+https://…@v1#egg=name`).
        case vcs
    }

    public var kind: Kind
    /// The requirement, when a name is known: always for `named` and `name @ url`; for a bare
    /// URL or path only from `#egg=` or an archive file name (a wheel's version becomes `==V`).
    public var requirement: Requirement?
    /// The URL or path of a non-`named` entry.
    public var location: String?
    public var isEditable: Bool
    /// `--hash` values (`sha256:…`).
    public var hashes: [String]
    /// All per-requirement options (`--hash`, `--config-settings`, `--global-option`).
    public var options: [RequirementsOption]
    /// The requirement (or `-e` target) as written.
    public var span: SourceSpan
    /// The physical line(s) the entry is on, line breaks included: deleting them removes the entry.
    public var lineSpan: SourceSpan

    /// Makes a value from its parts.
    public init(kind: Kind, requirement: Requirement?, location: String?, isEditable: Bool, hashes: [String],
                options: [RequirementsOption], span: SourceSpan, lineSpan: SourceSpan) {
        self.kind = kind
        self.requirement = requirement
        self.location = location
        self.isEditable = isEditable
        self.hashes = hashes
        self.options = options
        self.span = span
        self.lineSpan = lineSpan
    }

    /// The PEP 503 name, when known.
    public var normalizedName: String? { requirement?.normalizedName }

    /// The edit that deletes the entry's line(s), line break included.
    public var removal: TextEdit {
        TextEdit(file: lineSpan.file, offset: lineSpan.offset, length: lineSpan.length, replacement: "")
    }
}
