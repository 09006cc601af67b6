/// What the torch / CUDA / Python rules need to know about an image, gathered from its
/// Dockerfile and requirements files by the analyzer. The rules read only this value.
public struct ImageFacts: Sendable {
    /// The external image the built stage starts from (followed through `FROM stage` chains),
    /// with ARGs substituted, and where its `FROM` names it.
    public var baseImage: Located?
    /// Every Python package the image installs, from requirements files and `RUN pip install`.
    public var packages: [PackageInstall] = []
    /// `--index-url`, `--extra-index-url` and `--find-links` values, from files and `RUN` lines.
    public var indexURLs: [Located] = []
    /// Every `pip install` in a `RUN` of the built stage (for PEP 668 and split installs).
    public var pipInstalls: [PipInvocation] = []
    /// The `python`, `cuda`, `torch` inputs, when the user overrides what is inferred.
    public var pythonOverride: String?
    public var cudaOverride: String?
    public var torchOverride: String?

    public init() {}

    /// A text and where it was written.
    public struct Located: Sendable, Hashable {
        public var text: String
        public var span: SourceSpan

        public init(_ text: String, span: SourceSpan) {
            self.text = text
            self.span = span
        }
    }

    /// One package the image installs.
    public struct PackageInstall: Sendable, Hashable {
        /// Normalized as PEP 503 says (lower case, runs of `-_.` as `-`).
        public var name: String
        /// The version specifier as written (`==2.4.1+cu121`, `>=2.3,<2.5`), empty when unpinned.
        public var specifier: String
        /// The exact version when the specifier is `==V` or `===V` (`2.4.1+cu121`).
        public var pinnedVersion: String?
        /// The whole requirement as written.
        public var span: SourceSpan
        /// Where the version specifier is written (to replace it), when there is one.
        public var specifierSpan: SourceSpan?
        /// Which `pip install` it came from, as an index into `pipInstalls`; nil for a requirements file.
        public var pipInstall: Int?
        /// The edit that removes this requirement (its line in a file, its word in a RUN).
        public var removal: TextEdit?

        public init(name: String, specifier: String, pinnedVersion: String?, span: SourceSpan,
                    specifierSpan: SourceSpan? = nil, pipInstall: Int? = nil, removal: TextEdit? = nil) {
            self.name = name
            self.specifier = specifier
            self.pinnedVersion = pinnedVersion
            self.span = span
            self.specifierSpan = specifierSpan
            self.pipInstall = pipInstall
            self.removal = removal
        }
    }

    /// One `pip install` command inside a `RUN` of the built stage.
    public struct PipInvocation: Sendable, Hashable {
        /// The `RUN` instruction's index among the stage's instructions (two installs in one RUN share it).
        public var runIndex: Int
        /// The words `pip install` (or `python -m pip install`) span, for inserting options after them.
        public var commandSpan: SourceSpan
        public var breakSystemPackages: Bool
        /// `--user`, or a venv's pip (`/opt/venv/bin/pip`), or `PIP_BREAK_SYSTEM_PACKAGES` set in ENV.
        public var outsideSystemPython: Bool

        public init(runIndex: Int, commandSpan: SourceSpan, breakSystemPackages: Bool, outsideSystemPython: Bool) {
            self.runIndex = runIndex
            self.commandSpan = commandSpan
            self.breakSystemPackages = breakSystemPackages
            self.outsideSystemPython = outsideSystemPython
        }
    }
}
