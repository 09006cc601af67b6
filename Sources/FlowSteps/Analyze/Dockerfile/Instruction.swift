/// One Dockerfile instruction with every part located: keyword, flags, arguments, heredocs and,
/// for shell-form commands, the commands split for the rules.
public struct Instruction: Sendable {
    /// The instructions of the Dockerfile reference, and `unknown` for anything else.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case from, run, cmd, label, maintainer, expose, env, add, copy, entrypoint, volume, user
        case workdir, arg, onbuild, stopsignal, healthcheck, shell, unknown

        /// The kind a keyword names, case-insensitively.
        public init(keyword: String) {
            self = Kind(rawValue: keyword.lowercased()) ?? .unknown
        }

        /// Whether Docker substitutes variables in this instruction's arguments (the reference's list).
        public var expandsVariables: Bool {
            switch self {
            case .add, .copy, .env, .expose, .from, .label, .stopsignal, .user, .volume, .workdir, .arg: return true
            default: return false
            }
        }

        /// Whether the instruction may carry heredocs.
        public var acceptsHeredocs: Bool { self == .run || self == .copy || self == .add }

        /// The flags BuildKit accepts on it.
        var knownFlags: Set<String> {
            switch self {
            case .from: return ["platform"]
            case .run: return ["mount", "network", "security", "device"]
            case .copy: return ["from", "chown", "chmod", "link", "parents", "exclude"]
            case .add: return ["chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "unpack"]
            case .healthcheck: return ["interval", "timeout", "start-period", "start-interval", "retries"]
            default: return []
            }
        }
    }

    public var kind: Kind
    /// The keyword as written (`run`, `Run`).
    public var keyword: String
    public var keywordSpan: SourceSpan
    /// The whole instruction: keyword to the end of its last continuation line, and its heredoc
    /// bodies when it has any.
    public var span: SourceSpan
    /// Its position in `Dockerfile.instructions`.
    public var index: Int
    /// The stage it belongs to; nil before the first FROM.
    public var stage: Int?
    public var flags: [InstructionFlag]
    /// Everything after the keyword and the flags, continuations joined.
    public var arguments: LogicalText
    /// The arguments split the way this instruction splits them: JSON strings in exec form,
    /// whitespace-separated words otherwise (FROM's `image AS name`, COPY's sources and
    /// destination, …); one word for WORKDIR, USER and MAINTAINER; the shell words of every
    /// command for a shell-form RUN/CMD/ENTRYPOINT.
    public var words: [ShellWord]
    /// JSON (exec) form: `["executable", "arg"]`.
    public var isExecForm: Bool
    /// ENV, LABEL and ARG pairs.
    public var pairs: [KeyValue]
    public var heredocs: [Heredoc]
    /// The commands of a shell-form RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD, including the
    /// commands of a heredoc that is the script (`RUN <<EOF`, `RUN bash <<EOF`).
    public var shell: ShellCommandLine?
    private var triggerStorage: [Instruction]

    /// The instruction an ONBUILD wraps.
    public var trigger: Instruction? {
        get { triggerStorage.first }
        set { triggerStorage = newValue.map { [$0] } ?? [] }
    }

    init(kind: Kind, keyword: String, keywordSpan: SourceSpan, span: SourceSpan, index: Int, stage: Int?,
         arguments: LogicalText) {
        self.kind = kind
        self.keyword = keyword
        self.keywordSpan = keywordSpan
        self.span = span
        self.index = index
        self.stage = stage
        self.flags = []
        self.arguments = arguments
        self.words = []
        self.isExecForm = false
        self.pairs = []
        self.heredocs = []
        self.shell = nil
        self.triggerStorage = []
    }

    /// The last flag with this name (`flag("from")`), as BuildKit keeps the last one.
    public func flag(_ name: String) -> InstructionFlag? {
        flags.last { $0.name == name }
    }

    /// All flags with this name (RUN may have several `--mount`).
    public func flags(named name: String) -> [InstructionFlag] {
        flags.filter { $0.name == name }
    }

    /// Whether a word is one of this instruction's heredoc markers (`<<EOF` in `COPY <<EOF /x`).
    public func isHeredocMarker(_ word: ShellWord) -> Bool {
        heredocs.contains { $0.markerSpan.offset == word.span.offset }
    }
}
