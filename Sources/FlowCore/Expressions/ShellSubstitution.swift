/// A `run:` script with each `${{ … }}` replaced by a reference to an environment variable that will hold
/// the value, so that values are never parsed as shell code (the script-injection hole of GitHub Actions).
///
/// The n-th expression (in order of appearance, one per occurrence) becomes `FLOW_EXPR_n`, referenced in a
/// form that fits its quoting context: `"${FLOW_EXPR_1}"` in an unquoted word, `${FLOW_EXPR_1}` inside double
/// quotes or an unquoted heredoc, `'"${FLOW_EXPR_1}"'` inside single quotes, `'"${FLOW_EXPR_1}"$'` inside `$'…'`.
/// Places where bash, or a second interpreter the script starts, would read the value as code are errors:
/// quoted heredocs (where no reference can work), arithmetic, array subscripts and substring offsets, `let`,
/// `declare -i`, arithmetic tests, variable names (`declare`, `read`, `printf -v`, `unset`, `wait -p`, namerefs),
/// code arguments (`eval`, `trap`, `alias`, `ssh`, …), the program text and options of shells and other
/// interpreters however they are started (`timeout 5 bash -c`, `xargs sh -c`, `find -exec`, `"$SHELL" -c`,
/// `python3 -c`, `awk '…'`, `sed -e`), anything that reaches an interpreter's program on standard input
/// (`echo … | bash`, `bash <<<`, `source <(…)`), variables read as code (`PS4`, `BASH_ENV`), and the command
/// name itself (see `ShellCommandSyntax`). A value assigned to a variable in the script is followed to `eval`,
/// `bash -c "$v"`, `${!v}`, `${v@P}` and the like, but not into arithmetic. So is a `\` or a lone `$` right
/// before `${{`, which would mangle the reference.
public struct ShellSubstitution: Hashable, Sendable {
    /// One substituted expression: the runner sets `name` in the step's environment to the value's string form.
    public struct Variable: Hashable, Sendable {
        public var name: String
        public var expression: Expression
        /// Where the `${{` starts in the original script.
        public var position: TextPosition

        public init(name: String, expression: Expression, position: TextPosition) {
            self.name = name
            self.expression = expression
            self.position = position
        }
    }

    /// The prefix of the variables' names, followed by 1, 2, …
    public static let variablePrefix = "FLOW_EXPR_"

    /// The script with references in place of the expressions.
    public var script: String
    public var variables: [Variable]

    public init(script: String, variables: [Variable]) {
        self.script = script
        self.variables = variables
    }

    /// Substitutes every expression in `script`. Throws the first problem by position (an expression that does
    /// not parse, or one in an unsafe place); use `problems(in:)` to get all of them.
    public static func substitute(_ script: String) throws(ExpressionError) -> ShellSubstitution {
        let result = ShellScanner.scan(script)
        if let first = result.problems.first { throw first }
        return ShellSubstitution(script: result.script, variables: result.variables)
    }

    /// One scan for validation: every expression that parsed (with where its `${{` starts) and every problem,
    /// sorted by position.
    public static func analyze(_ script: String) -> (variables: [Variable], problems: [ExpressionError]) {
        let result = ShellScanner.scan(script)
        return (result.variables, result.problems)
    }

    /// Every problem in `script`, sorted by position: expressions that do not parse and expressions in
    /// places where bash would run or evaluate their value. Empty when `substitute` would succeed.
    public static func problems(in script: String) -> [ExpressionError] {
        ShellScanner.scan(script).problems
    }
}

/// The quoting context an expression stands in, which decides how the variable is referenced.
enum ShellQuoting: Equatable {
    case unquoted, doubleQuoted, singleQuoted, ansiC, heredoc, comment

    /// The text that stands for the variable in this context.
    func reference(to name: String) -> String {
        switch self {
        case .unquoted, .comment: "\"${\(name)}\""
        case .doubleQuoted, .heredoc: "${\(name)}"
        // Close the quote, expand in double quotes, reopen.
        case .singleQuoted: "'\"${\(name)}\"'"
        case .ansiC: "'\"${\(name)}\"$'"
        }
    }
}

/// Why an expression at some place in a script would be unsafe: bash, or a second interpreter the script
/// starts, would read its value as code (or as arithmetic, or as a variable name, which can hold code).
enum ShellHazard: Hashable {
    case arithmetic
    case subscriptOrOffset
    case letArguments
    case integerDeclaration
    case arithmeticTest(operator: String)
    case codeArguments(command: String)
    case shellCommandString(command: String)
    case variableName(command: String)
    case parameterName
    case heredocDelimiter
    /// The command word: the value would choose the program.
    case commandName
    /// Program text given to an interpreter (`python3 -c`, `awk '…'`, `sed -e`).
    case programText(command: String)
    /// Where an interpreter still reads options or its program: the value could be `-c …` or name the script.
    case beforeProgram(command: String)
    /// What reaches the input an interpreter reads its program from (standard input, a `<( )` file).
    case programInput(command: String)
    /// The value of a variable bash or a common program runs as code (`PS4`, `BASH_ENV`, `GIT_SSH_COMMAND`).
    case codeVariable(name: String)
    /// `${!name}` where `name` holds a value.
    case indirection(variable: String)
    /// `${name@P}` where `name` holds a value.
    case promptExpansion(variable: String)

    var message: String {
        switch self {
        case .arithmetic: Messages.scriptArithmetic
        case .subscriptOrOffset: Messages.scriptSubscriptOrOffset
        case .letArguments: Messages.scriptLetArguments
        case .integerDeclaration: Messages.scriptIntegerDeclaration
        case .arithmeticTest(let op): Messages.scriptArithmeticTest(op)
        case .codeArguments(let command): Messages.scriptCodeArguments(command)
        case .shellCommandString(let command): Messages.scriptShellCommandString(command)
        case .variableName(let command): Messages.scriptVariableName(command)
        case .parameterName: Messages.scriptParameterName
        case .heredocDelimiter: Messages.scriptHeredocDelimiter
        case .commandName: Messages.scriptCommandName
        case .programText(let command): Messages.scriptProgramText(command)
        case .beforeProgram(let command): Messages.scriptBeforeProgram(command)
        case .programInput(let command): Messages.scriptProgramInput(command)
        case .codeVariable(let name): Messages.scriptCodeVariable(name)
        case .indirection(let name): Messages.scriptIndirection(name)
        case .promptExpansion(let name): Messages.scriptPromptExpansion(name)
        }
    }

    /// How to pass the value instead, for the places where a second interpreter would run it.
    var fix: String? {
        switch self {
        case .codeArguments, .shellCommandString, .programText, .beforeProgram, .programInput, .codeVariable,
            .indirection, .promptExpansion, .variableName:
            Messages.scriptPassThroughEnv
        default: nil
        }
    }

    /// Whether bash evaluates the value as arithmetic here. A variable holding a value is not followed into
    /// arithmetic: checking it first (`[[ $n =~ ^[0-9]+$ ]]`) and then computing with it is the advice.
    var isArithmetic: Bool {
        switch self {
        case .arithmetic, .subscriptOrOffset, .letArguments, .integerDeclaration, .arithmeticTest: true
        default: false
        }
    }

    /// The problem at an expression: the message, where the value gets there through a variable (if it does),
    /// and the fix.
    func problem(at expression: TextPosition, through variable: (name: String, at: TextPosition)? = nil) -> ExpressionError {
        var notes: [ExpressionError.Note] = []
        if let variable { notes.append(.init(Messages.scriptValueThroughVariable(variable.name), at: variable.at)) }
        if let fix { notes.append(.init(fix)) }
        return ExpressionError(message, at: expression, notes: notes)
    }
}
