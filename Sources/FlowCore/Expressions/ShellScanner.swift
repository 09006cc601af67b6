/// Reads a bash script far enough to know the quoting context of every `${{ … }}` in it, and writes the
/// script back with each expression replaced by a variable reference (see `ShellSubstitution`).
///
/// It tracks what changes how bash reads text: quotes (`'…'`, `"…"`, `$'…'`, `$"…"`), backslash escapes,
/// `$( )`, backticks, `${ }`, arithmetic, comments, heredocs; in `ShellScanner+Commands`, pipelines and the
/// command words that make bash or a second interpreter read their arguments as code (`eval`, `let`,
/// `[[ -eq ]]`, `bash -c`, `python3 -c`, …, see `ShellScanner+Readings`); and variables the script assigns from
/// expressions, followed to places that would run them. Everything other than the expressions is copied
/// unchanged.
struct ShellScanner {
    let text: ScalarText
    var offset = 0
    /// End of the region being scanned: the whole script, or the body of a heredoc.
    var limit: Int
    /// The rewritten script as UTF-8 (appending bytes is far cheaper than appending scalars to a String).
    var output: [UInt8] = []
    var variables: [ShellSubstitution.Variable] = []
    var problems: [ExpressionError] = []
    /// Why an expression here would be unsafe; nested contexts inherit it.
    var hazard: ShellHazard?
    /// Heredocs whose `<<` was read and whose bodies start after the next newline.
    var pendingHeredocs: [Heredoc] = []
    /// While inside a test (`[[ ]]`, `test`, `[`), where the expressions in it are, in case an arithmetic
    /// operator later in the test makes them unsafe.
    var expressionsInTest: [TextPosition]?
    /// How many quotes, substitutions and expansions enclose `offset`.
    var depth = 0
    /// Deeper nesting is reported rather than risking the stack.
    static let maximumDepth = 200
    /// Variables declared with `declare -i` (or `local -i`, …) so far: assigning to them is arithmetic.
    var integerVariables: Set<String> = []
    /// Variables declared with `declare -n` (or `local -n`, …) and no target yet: assigning to them sets the
    /// target, a name. Value: how they were declared.
    var namerefVariables: [String: String] = [:]
    /// Every value that appears, in order: each expression, and each use of a variable holding one.
    var valueLog: [ValueSource] = []
    /// Variables the script assigns from expressions (directly or through another such variable): where those
    /// expressions are (the first `maximumValuesPerVariable`; one refused is enough to stop the run).
    var valueVariables: [String: [TextPosition]] = [:]
    static let maximumValuesPerVariable = 64
    /// Expressions already reported as reaching an unsafe place after the fact (one report each is enough).
    var reportedPositions: Set<TextPosition> = []
    /// The pipeline being read, and those around the compound commands it is inside (with their inherited input).
    var pipeline: Pipeline?
    var compounds: [(Pipeline, [ValueSource])] = []
    /// Values that reach the standard input of the commands being read from outside them.
    var inheritedStdin: [ValueSource] = []

    /// A value at some place in the script: an expression, or a use of a variable that holds values.
    enum ValueSource {
        case expression(TextPosition)
        case variable(String, at: TextPosition)
    }

    struct Heredoc {
        var delimiter: String
        var stripsTabs: Bool
        /// How the operator was written (`<<'EOF'`), when the delimiter is quoted.
        var quotedOperator: String?
        /// The command whose program the body is, when it reaches one on standard input.
        var feedsProgram: String? = nil
    }

    static func scan(
        _ script: String
    ) -> (script: String, variables: [ShellSubstitution.Variable], problems: [ExpressionError]) {
        var scanner = ShellScanner(text: ScalarText(script))
        scanner.scanCommands(until: .end)
        // One problem per expression: the first found (a value can reach several unsafe places).
        var seen = Set<TextPosition>()
        let problems = scanner.problems.enumerated()
            .sorted {
                $0.element.position == $1.element.position
                    ? $0.offset < $1.offset : $0.element.position < $1.element.position
            }
            .map(\.element)
            .filter { seen.insert($0.position).inserted }
        return (String(decoding: scanner.output, as: UTF8.self), scanner.variables, problems)
    }

    private init(text: ScalarText) {
        self.text = text
        self.limit = text.count
        output.reserveCapacity(text.count + 32)
    }

    // MARK: Primitives

    var current: Unicode.Scalar? { offset < limit ? text.scalars[offset] : nil }

    func peek(_ distance: Int) -> Unicode.Scalar? { offset + distance < limit ? text.scalars[offset + distance] : nil }

    func isAtExpression() -> Bool { offset < limit && EmbeddedExpression.starts(in: text, at: offset) }

    /// Copies `count` scalars to the output.
    mutating func copy(_ count: Int = 1) {
        let end = min(offset + count, limit)
        text.appendUTF8(offset..<end, to: &output)
        offset = end
    }

    /// Copies a backslash and the scalar it escapes. A backslash cannot escape an expression: the reference
    /// put in its place starts with a quote or `$`, which the backslash would make literal.
    mutating func copyEscape() {
        copy()
        if isAtExpression() {
            problems.append(
                ExpressionError(
                    "a backslash right before `${{` would escape the variable reference that replaces the expression; "
                        + "remove the backslash (write `\\\\` for a literal one)", at: text.position(of: offset)))
        } else {
            copy()
        }
    }

    /// Enters a nested construct. Past `maximumDepth` it reports a problem, copies the rest of the region
    /// unchanged and returns `false`; the caller then returns at once. Balance a `true` with `leaveNested()`.
    mutating func enterNested() -> Bool {
        guard depth < ShellScanner.maximumDepth else {
            problems.append(
                ExpressionError(
                    "the script nests quotes and substitutions more than \(ShellScanner.maximumDepth) levels deep; "
                        + "simplify it", at: text.position(of: offset)))
            copy(limit - offset)
            return false
        }
        depth += 1
        return true
    }

    mutating func leaveNested() { depth -= 1 }

    /// Runs `body` with `newHazard` in force unless a hazard is already (it stays: the outer one is why).
    mutating func withHazard(_ newHazard: ShellHazard?, _ body: (inout ShellScanner) -> Void) {
        let saved = hazard
        hazard = hazard ?? newHazard
        body(&self)
        hazard = saved
    }

    // MARK: Expressions

    /// Replaces the expression at `offset` with a reference fitting `quoting`. In an unsafe place it still
    /// gets its variable and reference, and the hazard is recorded as a problem (which makes
    /// `ShellSubstitution.substitute` fail).
    mutating func substituteExpression(_ quoting: ShellQuoting) {
        let start = offset
        switch EmbeddedExpression.read(in: text, at: start, limit: limit) {
        case .failure(let failure):
            problems.append(failure.error)
            copy(failure.resumeAt - offset)
        case .success(let embedded):
            let position = text.position(of: start)
            let name = ShellSubstitution.variablePrefix + String(variables.count + 1)
            variables.append(
                ShellSubstitution.Variable(name: name, expression: embedded.expression, position: position))
            output.append(contentsOf: quoting.reference(to: name).utf8)
            offset = embedded.end
            valueLog.append(.expression(position))
            if let hazard {
                problems.append(hazard.problem(at: position))
            } else {
                expressionsInTest?.append(position)
            }
        }
    }

    /// A value that reaches an unsafe place: a problem at each expression it comes from (once per expression).
    mutating func report(_ hazard: ShellHazard, for source: ValueSource) {
        switch source {
        case .expression(let position):
            if reportedPositions.insert(position).inserted { problems.append(hazard.problem(at: position)) }
        case .variable(let name, let at):
            for position in valueVariables[name] ?? [] where reportedPositions.insert(position).inserted {
                problems.append(hazard.problem(at: position, through: (name, at)))
            }
        }
    }

    /// The expressions behind some values, each once, at most `maximumValuesPerVariable`.
    func expressions(in sources: some Sequence<ValueSource>) -> [TextPosition] {
        var seen = Set<TextPosition>()
        var result: [TextPosition] = []
        for source in sources {
            let positions: [TextPosition]
            switch source {
            case .expression(let position): positions = [position]
            case .variable(let name, _): positions = valueVariables[name] ?? []
            }
            for position in positions where seen.insert(position).inserted {
                result.append(position)
                if result.count == ShellScanner.maximumValuesPerVariable { return result }
            }
        }
        return result
    }

    /// `$name` at `position`: if `name` holds values, they appear here, and are problems if this place is unsafe
    /// (except in arithmetic: checking a variable, then computing with it, is the advice there).
    mutating func noteVariableUse(_ name: String, at position: TextPosition) {
        guard valueVariables[name] != nil else { return }
        let source = ValueSource.variable(name, at: position)
        valueLog.append(source)
        if let hazard, !hazard.isArithmetic { report(hazard, for: source) }
    }

    /// `${!name}` or `${name@P}` at `position`: bash reads the value of `name` as code.
    mutating func noteEvaluation(of name: String, _ hazard: ShellHazard, at position: TextPosition) {
        report(hazard, for: .variable(name, at: position))
    }

    /// Copies the expression at `offset` unchanged and records `message` as a problem at it (or the
    /// expression's own error, if it is invalid): for places where no reference can work.
    mutating func rejectExpression(_ message: String) {
        let start = offset
        switch EmbeddedExpression.read(in: text, at: start, limit: limit) {
        case .failure(let failure):
            problems.append(failure.error)
            copy(failure.resumeAt - offset)
        case .success(let embedded):
            problems.append(ExpressionError(message, at: text.position(of: start)))
            copy(embedded.end - offset)
        }
    }

    // MARK: Quotes

    /// `'…'`: nothing is special but the closing quote. `offset` is at the opening quote.
    mutating func scanSingleQuoted() {
        copy()
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(.singleQuoted)
                continue
            }
            copy()
            if scalar == "'" { return }
        }
    }

    /// `$'…'`: backslash escapes, closed by an unescaped quote. `offset` is at the `$`.
    mutating func scanANSICQuoted() {
        copy(2)
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(.ansiC)
                continue
            }
            if scalar == "\\" {
                copyEscape()
                continue
            }
            copy()
            if scalar == "'" { return }
        }
    }

    /// `"…"` (`offset` at the opening quote), or, with `heredocBody`, the body of an unquoted heredoc up to
    /// `limit`: there `"` is an ordinary character but `$`, backticks and backslashes work as in double quotes.
    mutating func scanDoubleQuoted(heredocBody: Bool = false) {
        guard enterNested() else { return }
        defer { leaveNested() }
        if !heredocBody { copy() }
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(heredocBody ? .heredoc : .doubleQuoted)
                continue
            }
            switch scalar {
            case "\"" where !heredocBody:
                copy()
                return
            case "\\": copyEscape()
            case "$": scanDollar(inDoubleQuotes: true)
            case "`": scanBackticks()
            default: copy()
            }
        }
    }

    /// `` `…` ``: a command substitution with a quoting context of its own. `offset` is at the opening backtick.
    /// Like bash, it first finds the closing backtick (the first one not escaped by a backslash, whatever the
    /// quotes in between), then reads what is between as commands.
    mutating func scanBackticks() {
        copy()
        var close = offset
        while close < limit, text.scalars[close] != "`" {
            if EmbeddedExpression.starts(in: text, at: close) {
                // Skip the whole expression: a backtick in one of its strings does not count.
                switch EmbeddedExpression.read(in: text, at: close, limit: limit) {
                case .success(let embedded): close = embedded.end
                case .failure(let failure): close = failure.resumeAt
                }
            } else {
                close += text.scalars[close] == "\\" ? 2 : 1
            }
        }
        let outerLimit = limit
        limit = min(close, outerLimit)
        scanCommands(until: .end)
        limit = outerLimit
        copy()  // the closing backtick, if there is one
    }

    // MARK: Dollar

    /// What follows a `$` that does not start an expression. `offset` is at the `$`.
    mutating func scanDollar(inDoubleQuotes: Bool) {
        switch (peek(1), peek(2)) {
        case ("(", "("):
            copy(3)
            withHazard(.arithmetic) { $0.scanArithmetic(until: .doubleParenthesis) }
        case ("(", _):
            copy(2)
            scanCommands(until: .parenthesis)
        case ("[", _):
            copy(2)
            withHazard(.arithmetic) { $0.scanArithmetic(until: .bracket) }
        case ("{", _):
            copy(2)
            scanParameterExpansion(inDoubleQuotes: inDoubleQuotes)
        case ("'", _) where !inDoubleQuotes:
            scanANSICQuoted()
        case ("\"", _) where !inDoubleQuotes:
            // `$"…"` is a translatable string: double quotes as far as expansion goes.
            copy()
            scanDoubleQuoted()
        case ("$", _) where !EmbeddedExpression.starts(in: text, at: offset + 1):
            copy(2)  // `$$`, the process id
        default:
            let start = offset
            copy()
            if isAtExpression() {
                problems.append(
                    ExpressionError(
                        "a `$` right before `${{` would combine with the variable reference that replaces the "
                            + "expression; remove the `$`", at: text.position(of: offset)))
            } else if let first = current, ShellScanner.isNameCharacter(first), !("0"..."9").contains(first) {
                var name = ""
                while let scalar = current, ShellScanner.isNameCharacter(scalar), !isAtExpression() {
                    name.unicodeScalars.append(scalar)
                    copy()
                }
                noteVariableUse(name, at: text.position(of: start))
            }
        }
    }

    enum ArithmeticEnd { case doubleParenthesis, bracket, brace }

    /// Arithmetic up to its end: `))` (consumed), `]` (consumed) or `}` (left for the caller). Quotes and
    /// expansions inside are followed so that a `)` or `]` in them does not end it early.
    mutating func scanArithmetic(until end: ArithmeticEnd) {
        guard enterNested() else { return }
        defer { leaveNested() }
        var parentheses = 0
        var brackets = 0
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(.unquoted)
                continue
            }
            switch scalar {
            case "(":
                parentheses += 1
                copy()
            case ")" where parentheses > 0:
                parentheses -= 1
                copy()
            case ")":
                // Only `))` ends `$(( ))`; a stray `)` elsewhere belongs to an enclosing `$( )`.
                if end == .doubleParenthesis { copy(peek(1) == ")" ? 2 : 1) }
                return
            case "[":
                brackets += 1
                copy()
            case "]" where brackets > 0:
                brackets -= 1
                copy()
            case "]" where end == .bracket:
                copy()
                return
            case "}" where end == .brace:
                return
            case "\\": copyEscape()
            case "'": scanSingleQuoted()
            case "\"": scanDoubleQuoted()
            case "`": scanBackticks()
            case "$": scanDollar(inDoubleQuotes: true)
            default: copy()
            }
        }
    }

    /// `${…}` after the `${`: a parameter name, an optional subscript, then an operator and a word up to the
    /// matching `}`. Subscripts and substring offsets are arithmetic; the word is quoted like its surroundings.
    mutating func scanParameterExpansion(inDoubleQuotes: Bool) {
        guard enterNested() else { return }
        defer { leaveNested() }
        let start = text.position(of: offset - 2)
        let prefix = current.flatMap { $0 == "#" || $0 == "!" ? $0 : nil }
        if prefix != nil { copy() }
        var nameLength = 0
        var name: String? = ""
        while let scalar = current {
            if isAtExpression() {
                withHazard(.parameterName) { $0.substituteExpression(.unquoted) }
                nameLength += 1
                name = nil
            } else if ShellScanner.isNameCharacter(scalar) {
                copy()
                nameLength += 1
                name?.unicodeScalars.append(scalar)
            } else {
                break
            }
        }
        if let name, !name.isEmpty, !("0"..."9").contains(name.unicodeScalars.first!) {
            if prefix == "!" {
                // `${!name}` reads the value as a variable name; `${!name*}`, `${!name@}` and `${!name[@]}`
                // list names and keys instead.
                let listsNames =
                    (current == "*" || current == "@") && peek(1) == "}"
                    || current == "[" && (peek(1) == "@" || peek(1) == "*") && peek(2) == "]"
                if !listsNames { noteEvaluation(of: name, .indirection(variable: name), at: start) }
            } else if prefix == nil {
                noteVariableUse(name, at: start)
            }
        }
        if nameLength == 0, let scalar = current, "@*#?$!-".unicodeScalars.contains(scalar) { copy() }
        if current == "[" {
            copy()
            withHazard(.subscriptOrOffset) { $0.scanArithmetic(until: .bracket) }
        }
        if let name, prefix == nil, current == "@", peek(1) == "P" {
            noteEvaluation(of: name, .promptExpansion(variable: name), at: start)
        }
        if current == ":", let next = peek(1), !"-=?+".unicodeScalars.contains(next) {
            copy()
            withHazard(.subscriptOrOffset) { $0.scanArithmetic(until: .brace) }
        }
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(inDoubleQuotes ? .doubleQuoted : .unquoted)
                continue
            }
            switch scalar {
            case "}":
                copy()
                return
            case "\\": copyEscape()
            // Inside `"${…}"` a single quote is an ordinary character.
            case "'" where !inDoubleQuotes: scanSingleQuoted()
            case "\"": scanDoubleQuoted()
            case "$": scanDollar(inDoubleQuotes: inDoubleQuotes)
            case "`": scanBackticks()
            default: copy()
            }
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}
