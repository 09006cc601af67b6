/// A `run:` script with each `${{ … }}` replaced by a reference to an environment variable that will hold
/// the value, so that values are never parsed as shell code (the script-injection hole of GitHub Actions).
///
/// The n-th expression (in order of appearance, one per occurrence) becomes `FLOW_EXPR_n`, referenced in a
/// form that fits its quoting context: `"${FLOW_EXPR_1}"` in an unquoted word, `${FLOW_EXPR_1}` inside double
/// quotes or an unquoted heredoc, `'"${FLOW_EXPR_1}"'` inside single quotes, `'"${FLOW_EXPR_1}"$'` inside `$'…'`.
/// Places where bash would evaluate the value as code or arithmetic are errors: quoted heredocs (where no
/// reference can work), arithmetic, array subscripts and substring offsets, `let`, `declare -i` (and later
/// assignments to such integer variables), arithmetic tests (`[[ a -eq b ]]`, `-v`), variable names given to
/// `declare`, `read`, `printf -v` and the like, and the code arguments of `eval`, `trap` and `bash -c`. So is a
/// `\` or a lone `$` right before `${{`, which would mangle the reference.
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

/// Why an expression at some place in a script would be unsafe: bash would evaluate its value.
enum ShellHazard: Equatable {
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

    private static let validateAdvice = "assign it to a variable and validate it first"

    var message: String {
        switch self {
        case .arithmetic:
            "an expression cannot be used inside arithmetic (`$(( ))`, `(( ))`, `$[ ]`): bash evaluates the value "
                + "as arithmetic, where an array subscript such as `a[$(cmd)]` runs commands; \(ShellHazard.validateAdvice)"
        case .subscriptOrOffset:
            "an expression cannot be used in an array subscript or a substring offset: bash evaluates it as "
                + "arithmetic, where an array subscript such as `a[$(cmd)]` runs commands; \(ShellHazard.validateAdvice)"
        case .letArguments:
            "an expression cannot be used in the arguments of `let`: bash evaluates them as arithmetic, where an "
                + "array subscript such as `a[$(cmd)]` runs commands; \(ShellHazard.validateAdvice)"
        case .integerDeclaration:
            "an expression cannot be assigned with `declare -i`: bash evaluates the value as arithmetic, where an "
                + "array subscript such as `a[$(cmd)]` runs commands; \(ShellHazard.validateAdvice)"
        case .arithmeticTest(let op):
            "an expression cannot be used in a test with `\(op)`: bash evaluates its operands as arithmetic, where an "
                + "array subscript such as `a[$(cmd)]` runs commands; compare strings with `==`, or \(ShellHazard.validateAdvice)"
        case .codeArguments(let command):
            "an expression cannot be used in the arguments of `\(command)`: they are run as shell code, and so "
                + "would the value be; pass the value through `env:` and use it as data"
        case .shellCommandString(let command):
            "an expression cannot be used in the command string of `\(command) -c`: it is run as shell code; pass the "
                + "value as an argument instead: \(command) -c 'echo \"$1\"' \(command) \"${{ … }}\""
        case .variableName(let command):
            "an expression cannot be used as a variable name for `\(command)`: bash evaluates a subscript in the "
                + "name as arithmetic, where `a[$(cmd)]` runs commands; use a fixed variable name"
        case .parameterName:
            "an expression cannot be used as a parameter name in `${…}`; reference a variable by its name"
        case .heredocDelimiter:
            "an expression cannot be used as a heredoc delimiter"
        }
    }
}
