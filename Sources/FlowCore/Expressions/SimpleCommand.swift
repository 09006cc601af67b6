/// A `run:` script that is one simple command of plain words, which flow can start directly
/// (as make starts a recipe line without a shell) instead of through `bash -eo pipefail`: the
/// same program, arguments, exit code and output, without the cost of a bash per step.
///
/// A script qualifies only when bash would do nothing but look the first word up and run it:
/// one line of words separated by blanks, each made of letters, digits and `_ . / : , + @ % -`
/// (`=` too, after the first word). Anything bash would read — `$`, quotes, `\`, globs, `~`,
/// braces, `#`, redirections, operators, a second line — and a first word that is a bash
/// builtin or keyword (`cd`, `echo`, `export`, `if`) or an assignment leaves the script to
/// bash. Whether the program can be run directly is decided where it is started (the step
/// type), since that depends on the step's environment.
public enum SimpleCommand {
    /// The command's words, or nil when the script must run in bash.
    public static func words(in script: String) -> [String]? {
        var text = Substring(script)
        while let last = text.last, last == "\n" || last == " " || last == "\t" { text.removeLast() }
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        guard !text.isEmpty, text.utf8.count <= 4096 else { return nil }
        var words: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard word.utf8.allSatisfy({ isPlain($0, equalsAllowed: !words.isEmpty) }) else { return nil }
            words.append(String(word))
        }
        guard let first = words.first, !shellOwned.contains(first) else { return nil }
        // `true`/`false` are builtins whose program twins act the same, with no arguments.
        if first == "true" || first == "false" { return words.count == 1 ? words : nil }
        return words
    }

    static func isPlain(_ byte: UInt8, equalsAllowed: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "+"),
             UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "-"):
            return true
        case UInt8(ascii: "="):
            return equalsAllowed
        default:
            return false
        }
    }

    /// bash's builtins and reserved words: a first word bash answers itself (`true` and
    /// `false` are allowed bare above).
    static let shellOwned: Set<String> = [
        ".", ":", "[", "[[", "]]", "!", "{", "}", "alias", "bg", "bind", "break", "builtin", "caller", "case", "cd", "command",
        "compgen", "complete", "compopt", "continue", "coproc", "declare", "dirs", "disown", "do", "done", "echo", "elif",
        "else", "enable", "esac", "eval", "exec", "exit", "export", "fc", "fg", "fi", "for", "function", "getopts", "hash",
        "help", "history", "if", "in", "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd",
        "read", "readarray", "readonly", "return", "select", "set", "shift", "shopt", "source", "suspend", "test", "then",
        "time", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "until", "wait", "while",
    ]
}
