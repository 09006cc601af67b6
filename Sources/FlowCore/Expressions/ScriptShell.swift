/// Which `shell:` values flow rewrites `${{ }}` in. `ShellScanner` reads bash's quoting; POSIX sh (dash) reads
/// every construct it shares with bash the same way, and a bash-only construct (`$'…'`, `[[ ]]`, `<<<`) is at
/// worst a syntax error or literal text there, never an expansion. No other interpreter's quoting is known,
/// so a script for one may not hold expressions: values reach it through `env:`.
public enum ScriptShell {
    /// The shell of a `run:` step that does not name one.
    public static let defaultShell = "bash"

    /// Whether `shell` (a name such as `sh`, or a command line such as `bash -e {0}`) runs the script with bash
    /// or sh: its first word, without a directory, is `bash` or `sh`.
    public static func substitutesExpressions(_ shell: String?) -> Bool {
        guard let shell else { return true }
        guard let program = shell.split(separator: " ").first else { return false }
        let name = program.split(separator: "/").last.map(String.init) ?? ""
        return name == "bash" || name == "sh"
    }
}

extension ShellSubstitution {
    /// A script ready for its shell: for bash and sh, expressions replaced by variable references; for any other
    /// interpreter, the script unchanged, which must then hold no expression (validation refuses one, with its
    /// position; this throws at the first).
    public static func prepare(_ script: String, shell: String?) throws(ExpressionError) -> ShellSubstitution {
        if ScriptShell.substitutesExpressions(shell) { return try substitute(script) }
        if script.containsExpressionOpener {
            let first = try Template.parse(script).expressions.first
            throw ExpressionError(
                Messages.expressionInOtherInterpreter(shell ?? ScriptShell.defaultShell),
                at: first?.1 ?? TextPosition(line: 1, column: 1))
        }
        return ShellSubstitution(script: script, variables: [])
    }
}
