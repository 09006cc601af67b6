/// A `pip install` (or `pip3.11 install`, `python -m pip install`, `uv pip install`) inside a
/// `RUN`, with its packages, files, index options and flags.
public struct PipInstallCommand: Sendable {
    /// Which program runs pip.
    public enum Runner: String, Sendable, Hashable {
        case pip
        case pythonModule = "python -m pip"
        case uv = "uv pip"
    }

    public var words: [PipWord]
    public var runner: Runner
    /// The `pip`, `python` or `uv` word.
    public var executable: PipWord
    /// The `install` word (options go right after it).
    public var installWord: PipWord
    /// From the executable through `install`.
    public var commandSpan: SourceSpan
    /// The pip or python is a virtual environment's (a `/venv/` or `/.venv/` path, or a `bin/`
    /// outside `/usr`: `/opt/venv/bin/pip`, `/opt/conda/bin/pip`).
    public var isVirtualEnvironmentPip: Bool
    /// `VAR=value` words before the command (`PIP_NO_CACHE_DIR=1 pip install …`).
    public var environment: [String: String] = [:]

    public var packages: [PipPackage] = []
    /// `-r` files.
    public var requirementFiles: [PipWord] = []
    /// `-c` files.
    public var constraintFiles: [PipWord] = []
    /// `-i`/`--index-url` (the last one wins, as in pip).
    public var indexURL: PipWord?
    public var extraIndexURLs: [PipWord] = []
    public var findLinks: [PipWord] = []
    public var cacheDirectory: PipWord?
    public var target: PipWord?
    public var prefix: PipWord?

    public var noIndex = false
    public var noCacheDir = false
    public var breakSystemPackages = false
    public var user = false
    public var pre = false
    public var upgrade = false
    public var noDeps = false
    /// `uv pip install --system`.
    public var system = false
    /// Options this parser does not know, kept as written.
    public var unknownOptions: [PipWord] = []
    /// `requirements-syntax` findings for package words that do not parse.
    public var findings: [Finding] = []

    init(words: [PipWord], runner: Runner, executable: PipWord, installWord: PipWord, isVirtualEnvironmentPip: Bool) {
        self.words = words
        self.runner = runner
        self.executable = executable
        self.installWord = installWord
        self.isVirtualEnvironmentPip = isVirtualEnvironmentPip
        let end = installWord.span.offset + installWord.span.length
        self.commandSpan = SourceSpan(file: executable.span.file, line: executable.span.line, column: executable.span.column,
                                      offset: executable.span.offset, length: max(0, end - executable.span.offset))
    }

    /// Every index URL the command uses: `--index-url`, `--extra-index-url`, `--find-links`.
    public var indexOptions: [PipWord] {
        (indexURL.map { [$0] } ?? []) + extraIndexURLs + findLinks
    }

    /// The offset right after `install`, where an option can be inserted.
    public var insertionOffset: Int { installWord.span.offset + installWord.span.length }
}
