/// A `pip install` found among a RUN's commands: `pip`, `pip3`, `pip3.11`, `/opt/venv/bin/pip`,
/// `python3 -m pip`, or `uv pip`, followed by `install`.
public struct ShellPipInstall: Sendable {
    public var command: ShellCommand
    /// From the executable to the `install` word (where options can be inserted after).
    public var invocationSpan: SourceSpan
    /// The `install` word.
    public var installWord: ShellWord
    /// The words after `install`: options, their values and requirements, as written.
    public var arguments: [ShellWord]
    /// The values of `-r` / `--requirement`.
    public var requirementFiles: [ShellWord]

    /// Reads `command` when it is a pip install.
    public init?(_ command: ShellCommand) {
        guard let base = command.baseName else { return nil }
        let words = command.words
        var index: Int
        if Self.isVersioned(base, prefix: "pip") {
            index = 1
        } else if Self.isVersioned(base, prefix: "python") {
            guard let module = words.indices.dropFirst().first(where: { words[$0].text == "-m" }),
                  module + 1 < words.count, words[module + 1].text == "pip" else { return nil }
            index = module + 2
        } else if base == "uv", words.count > 1, words[1].text == "pip" {
            index = 2
        } else {
            return nil
        }
        while index < words.count, words[index].text.hasPrefix("-") { index += 1 }
        guard index < words.count, words[index].text == "install", let first = words.first else { return nil }
        let install = words[index]
        self.command = command
        self.installWord = install
        self.invocationSpan = SourceSpan(file: first.span.file, line: first.span.line, column: first.span.column,
                                         offset: first.span.offset, length: max(0, install.endOffset - first.span.offset))
        self.arguments = Array(words[(index + 1)...])
        var files: [ShellWord] = []
        var position = 0
        while position < arguments.count {
            let word = arguments[position]
            position += 1
            if word.text == "-r" || word.text == "--requirement" {
                if position < arguments.count {
                    files.append(arguments[position])
                    position += 1
                }
            } else if word.text.hasPrefix("--requirement=") {
                files.append(word)
            } else if word.text.hasPrefix("-r"), !word.text.hasPrefix("--"), word.text.count > 2 {
                files.append(word)
            }
        }
        self.requirementFiles = files
    }

    /// `pip`, `pip3`, `pip3.11` (the prefix, then digits and dots).
    private static func isVersioned(_ name: String, prefix: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        return name.dropFirst(prefix.count).allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
    }
}

extension ShellCommand {
    /// The command as a pip install, when it is one.
    public var pipInstall: ShellPipInstall? { ShellPipInstall(self) }
}
