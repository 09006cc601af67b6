/// One word of an instruction or of a shell command: its value, its text as written, and where
/// it is written.
public struct ShellWord: Sendable, Hashable {
    /// The value: quotes and escapes removed; for the instructions Docker expands (FROM, COPY,
    /// ENV, WORKDIR, …) variables substituted too. `$(…)` and backticks stay as written.
    public var text: String
    /// The word exactly as written (continuations joined).
    public var raw: String
    /// Where the word is written (over continuation lines when it crosses them).
    public var span: SourceSpan
    /// Variables the word referenced that have no value (Dockerfile words only).
    public var unsetVariables: [String]

    /// A word with its value, its text as written and its place.
    public init(text: String, raw: String, span: SourceSpan, unsetVariables: [String] = []) {
        self.text = text
        self.raw = raw
        self.span = span
        self.unsetVariables = unsetVariables
    }

    /// The byte offset just past the word in the file.
    public var endOffset: Int { span.offset + span.length }
}

/// A `--name=value` flag of an instruction (`--from=build`, `--mount=type=cache,target=/x`, `--link`).
public struct InstructionFlag: Sendable, Hashable {
    /// The name without the dashes, lower-cased (`from`, `mount`).
    public var name: String
    /// The value with quotes removed (and variables substituted where the instruction expands);
    /// nil for a bare flag such as `--link`.
    public var value: String?
    /// The value as written.
    public var rawValue: String?
    /// The whole flag.
    public var span: SourceSpan
    /// The value alone, when there is one.
    public var valueSpan: SourceSpan?

    /// A flag with its value (nil for a bare flag) and their places.
    public init(name: String, value: String?, rawValue: String?, span: SourceSpan, valueSpan: SourceSpan?) {
        self.name = name
        self.value = value
        self.rawValue = rawValue
        self.span = span
        self.valueSpan = valueSpan
    }
}

/// One `key=value` of ENV, LABEL or ARG (`ARG NAME` has no value; legacy `ENV key value` has one).
public struct KeyValue: Sendable, Hashable {
    public var key: String
    /// Quotes removed and variables substituted (ENV, LABEL, ARG all expand); nil for `ARG NAME`.
    public var value: String?
    public var keySpan: SourceSpan
    public var valueSpan: SourceSpan?
    /// The whole pair.
    public var span: SourceSpan

    /// A pair with its places.
    public init(key: String, value: String?, keySpan: SourceSpan, valueSpan: SourceSpan?, span: SourceSpan) {
        self.key = key
        self.value = value
        self.keySpan = keySpan
        self.valueSpan = valueSpan
        self.span = span
    }
}

/// A heredoc of RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`).
public struct Heredoc: Sendable {
    /// The delimiter word, quotes removed.
    public var name: String
    /// False when the delimiter was quoted: the body is then taken literally.
    public var expands: Bool
    /// `<<-`: leading tabs are stripped from the body lines (and the terminator).
    public var stripsTabs: Bool
    /// `3<<EOF` names a file descriptor.
    public var fileDescriptor: Int?
    /// The `<<EOF` word in the instruction line.
    public var markerSpan: SourceSpan
    /// The body lines (with their newlines; leading tabs left out for `<<-`).
    public var body: LogicalText
    /// Whether the terminator line was found before the end of the file.
    public var isTerminated: Bool
}
