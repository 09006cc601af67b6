/// The command level of `ShellScanner`: words, operators, comments, redirections and heredocs, and the
/// command words that make bash evaluate their arguments as code or arithmetic.
extension ShellScanner {
    enum CommandsEnd { case end, parenthesis }

    /// What is known about the simple command being read.
    struct CommandState {
        /// Whether the next word is the command name (or a keyword, or a prefix assignment).
        var atCommandStart = true
        var kind = CommandKind.other
        var expectsRedirectionTarget = false
        /// After `bash -c`: the next non-option argument is the command string.
        var shellExpectsCode = false
        /// After an option of `read` or `printf` that takes an argument: whether that argument is a variable name.
        var optionArgumentIsName: Bool?
        var test: Test?
    }

    enum CommandKind: Equatable {
        case other
        /// `command`, `exec`, `sudo`, …: the command name comes after them.
        case prefix
        case letCommand
        /// `eval`, `trap`: the arguments are shell code.
        case code(String)
        /// `declare`, `local`, …: arguments are variable names, possibly assigned; `-i` makes values arithmetic.
        case declaration(String)
        case integerDeclaration(String)
        /// `read`, `mapfile`, `readarray`: non-option arguments are variable names.
        case read(String)
        /// `printf`: the argument of `-v` is a variable name.
        case printf
        /// `bash`, `sh`, …: the argument after `-c` is shell code.
        case shell(String)
        /// `case WORD`, until its `in`.
        case caseHeader
    }

    /// A test command: `[[ … ]]`, or `test …` / `[ … ]` (which end with the command).
    struct Test {
        var isDoubleBracket: Bool
        /// The first operator seen that evaluates operands as arithmetic.
        var arithmeticOperator: String?
        /// The enclosing test's expressions, restored when this test ends.
        var enclosingExpressions: [TextPosition]?
        var parentheses = 0
    }

    /// A word as far as command classification needs it.
    struct Word {
        /// The word's text up to its first quote, escape or expansion.
        var plainPrefix = ""
        /// Whether the whole word is plain text (then `plainPrefix` is the word).
        var isPlain = true
        var literal: String? { isPlain ? plainPrefix : nil }
    }

    private static let keywordsBeforeCommand: Set<String> = [
        "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until",
    ]
    private static let commandPrefixes: Set<String> = ["command", "builtin", "exec", "nohup", "time", "sudo", "env"]
    private static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh", "ash", "su"]
    private static let declarations: Set<String> = ["declare", "typeset", "local", "export", "readonly"]
    /// Test operators whose operands bash evaluates as arithmetic in `[[ ]]` (`-v` evaluates an array
    /// subscript in the name). The `test` builtin parses integers strictly; only its `-v` is unsafe.
    private static let arithmeticTestOperators: Set<String> = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v"]
    private static let singleBracketArithmeticTestOperators: Set<String> = ["-v"]
    /// Options that take an argument, of `read` (only `-a`'s is a variable name) and of `mapfile`.
    private static let optionsWithArgument: [String: Set<Character>] = [
        "read": Set("adinNptu"), "mapfile": Set("dnOsuCc"), "readarray": Set("dnOsuCc"),
    ]

    static func isMetacharacter(_ scalar: Unicode.Scalar) -> Bool {
        " \t\n;&|()<>".unicodeScalars.contains(scalar)
    }

    /// Reads commands up to the end of the region, or up to the `)` closing a `$(`, `(` or `<(`.
    mutating func scanCommands(until end: CommandsEnd) {
        guard enterNested() else { return }
        defer { leaveNested() }
        var state = CommandState()
        // For each open `case … in`: whether a pattern is expected next.
        var caseLevels: [Bool] = []
        defer { finishCommand(&state) }
        while let scalar = current {
            if isAtExpression() {
                scanWord(&state, &caseLevels)
                continue
            }
            let inDoubleBracket = state.test?.isDoubleBracket == true
            let next = peek(1)
            switch scalar {
            case " ", "\t":
                copy()
            case "\n":
                copy()
                if !inDoubleBracket { finishCommand(&state) }
                readPendingHeredocs()
            case "#":
                scanComment()
            case ";":
                let isCaseEnd = next == ";" || next == "&"
                copy(next == ";" && peek(2) == "&" ? 3 : isCaseEnd ? 2 : 1)
                finishCommand(&state)
                if isCaseEnd, !caseLevels.isEmpty { caseLevels[caseLevels.count - 1] = true }
            case "&" where next == ">":
                copy(peek(2) == ">" ? 3 : 2)
                state.expectsRedirectionTarget = true
            case "|" where caseLevels.last == true:
                copy()  // between alternative patterns
            case "&", "|":
                let isDoubled = next == scalar || (scalar == "|" && next == "&")
                copy(isDoubled ? 2 : 1)
                // Inside `[[ ]]`, `&&` and `||` join conditions of the same test.
                if !(inDoubleBracket && isDoubled) { finishCommand(&state) }
            case "<", ">":
                // Inside `[[ ]]` they compare strings.
                if inDoubleBracket { copy() } else { scanRedirection(&state) }
            case "(":
                if inDoubleBracket {
                    state.test?.parentheses += 1
                    copy()
                } else if caseLevels.last == true {
                    copy()  // `(pattern)`
                } else if next == "(" {
                    copy(2)
                    withHazard(.arithmetic) { $0.scanArithmetic(until: .doubleParenthesis) }
                    state.atCommandStart = false
                } else {
                    copy()
                    scanCommands(until: .parenthesis)
                }
            case ")":
                if inDoubleBracket, let parentheses = state.test?.parentheses, parentheses > 0 {
                    state.test?.parentheses -= 1
                    copy()
                } else if caseLevels.last == true {
                    copy()
                    caseLevels[caseLevels.count - 1] = false
                    state = CommandState()
                } else {
                    copy()
                    if end == .parenthesis { return }
                }
            default:
                scanWord(&state, &caseLevels)
            }
        }
    }

    /// Ends the simple command: a `test`/`[` ends with it, and the next word is a command name again.
    private mutating func finishCommand(_ state: inout CommandState) {
        finishTest(&state)
        state = CommandState()
    }

    private mutating func beginTest(_ state: inout CommandState, doubleBracket: Bool) {
        state.test = Test(isDoubleBracket: doubleBracket, enclosingExpressions: expressionsInTest)
        expressionsInTest = []
    }

    /// Closes the current test; if it used an arithmetic operator, every expression in it is a problem.
    private mutating func finishTest(_ state: inout CommandState) {
        guard let test = state.test else { return }
        let positions = expressionsInTest ?? []
        if let op = test.arithmeticOperator {
            for position in positions {
                problems.append(ExpressionError(ShellHazard.arithmeticTest(operator: op).message, at: position))
            }
        }
        expressionsInTest = test.enclosingExpressions.map { $0 + positions }
        state.test = nil
    }

    // MARK: Words

    /// Reads one word and updates what is known about the command.
    private mutating func scanWord(_ state: inout CommandState, _ caseLevels: inout [Bool]) {
        var wordHazard: ShellHazard? = nil
        var declaringCommand: String? = nil
        if !state.expectsRedirectionTarget && !state.atCommandStart {
            switch state.kind {
            case .letCommand: wordHazard = .letArguments
            case .code(let command): wordHazard = .codeArguments(command: command)
            case .integerDeclaration(let command):
                wordHazard = .integerDeclaration
                declaringCommand = command
            case .declaration(let command): declaringCommand = command
            case .shell(let command) where state.shellExpectsCode: wordHazard = .shellCommandString(command: command)
            case .read(let command) where state.optionArgumentIsName != false:
                wordHazard = .variableName(command: command)
            case .printf where state.optionArgumentIsName == true: wordHazard = .variableName(command: "printf -v")
            default: break
            }
        }
        var word = Word()
        withHazard(wordHazard) {
            word = $0.readWord(
                allowsAssignment: state.atCommandStart || declaringCommand != nil, declaring: declaringCommand)
        }
        classify(word, &state, &caseLevels)
    }

    /// Reads a word up to the next metacharacter, following quotes and expansions.
    /// With `allowsAssignment`, `name[…]` starts an assignment whose subscript is arithmetic, and an assignment
    /// to a variable declared with `declare -i` is arithmetic too. With `declaring` (the arguments of `declare`
    /// and the like), the part before `=` is a variable name.
    private mutating func readWord(allowsAssignment: Bool, declaring: String? = nil) -> Word {
        var word = Word()
        let outerHazard = hazard
        defer { hazard = outerHazard }
        if let declaring { hazard = hazard ?? .variableName(command: declaring) }
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(.unquoted)
                word.isPlain = false
                continue
            }
            if scalar == "=", word.isPlain, !word.plainPrefix.contains("=") {
                // The value part: no longer a name, but arithmetic when the variable is an integer.
                var name = word.plainPrefix
                if name.hasSuffix("+") { name.removeLast() }
                let isInteger = allowsAssignment && integerVariables.contains(name)
                hazard = outerHazard ?? (isInteger ? .integerDeclaration : nil)
            }
            if ShellScanner.isMetacharacter(scalar) {
                // `name=(…)`: an array assignment.
                guard scalar == "(", word.isPlain, ShellScanner.isAssignment(word.plainPrefix),
                    word.plainPrefix.hasSuffix("=")
                else { break }
                scanArrayElements()
                word.isPlain = false
                continue
            }
            switch scalar {
            case "\\": copyEscape()
            case "'": scanSingleQuoted()
            case "\"": scanDoubleQuoted()
            case "$": scanDollar(inDoubleQuotes: false)
            case "`": scanBackticks()
            case "[" where allowsAssignment && word.isPlain && ShellScanner.isName(word.plainPrefix):
                copy()
                // Said as a subscript rather than as part of a variable name being declared.
                let nameHazard = hazard
                hazard = outerHazard ?? .subscriptOrOffset
                scanArithmetic(until: .bracket)
                hazard = nameHazard
                word.plainPrefix += "[]"
                continue
            default:
                copy()
                if word.isPlain { word.plainPrefix.unicodeScalars.append(scalar) }
                continue
            }
            word.isPlain = false
        }
        return word
    }

    /// `(a b [k]=v …)` after `name=`: words, where a leading `[…]` is a subscript. `offset` is at the `(`.
    private mutating func scanArrayElements() {
        copy()
        while let scalar = current {
            switch scalar {
            case ")":
                copy()
                return
            case " ", "\t", "\n": copy()
            case "[":
                copy()
                withHazard(.subscriptOrOffset) { $0.scanArithmetic(until: .bracket) }
            default:
                if ShellScanner.isMetacharacter(scalar), !isAtExpression() {
                    copy()
                } else {
                    _ = readWord(allowsAssignment: false)
                }
            }
        }
    }

    private mutating func classify(_ word: Word, _ state: inout CommandState, _ caseLevels: inout [Bool]) {
        if state.expectsRedirectionTarget {
            state.expectsRedirectionTarget = false
            return
        }
        // `2>file`: the number belongs to the redirection.
        if let literal = word.literal, !literal.isEmpty, literal.allSatisfy(\.isASCII), literal.allSatisfy(\.isNumber),
            current == "<" || current == ">"
        {
            return
        }
        let literal = word.literal
        if caseLevels.last == true {  // a pattern
            if literal == "esac" { caseLevels.removeLast() }
            return
        }
        if state.test != nil {
            if state.test?.isDoubleBracket == true, literal == "]]" {
                finishTest(&state)
                state.atCommandStart = false
            } else if let literal, let test = state.test, test.arithmeticOperator == nil,
                (test.isDoubleBracket
                    ? ShellScanner.arithmeticTestOperators : ShellScanner.singleBracketArithmeticTestOperators)
                    .contains(literal)
            {
                state.test?.arithmeticOperator = literal
            }
            return
        }
        if state.atCommandStart {
            classifyCommandWord(literal, prefix: word.plainPrefix, &state, &caseLevels)
        } else {
            classifyArgument(literal, prefix: word.plainPrefix, &state, &caseLevels)
        }
    }

    private mutating func classifyCommandWord(
        _ literal: String?, prefix: String, _ state: inout CommandState, _ caseLevels: inout [Bool]
    ) {
        if ShellScanner.isAssignment(prefix) { return }  // `A=1 cmd`: the command comes next
        guard let literal else {
            state.atCommandStart = false
            return
        }
        if ShellScanner.keywordsBeforeCommand.contains(literal) { return }
        if literal == "esac", !caseLevels.isEmpty {
            caseLevels.removeLast()
            return
        }
        if state.kind == .prefix, literal.hasPrefix("-") { return }  // an option of `command`, `sudo`, …
        state.atCommandStart = false
        let name = String(literal.split(separator: "/").last ?? Substring(literal))
        switch name {
        case "let": state.kind = .letCommand
        case "eval", "trap": state.kind = .code(name)
        case "[[": beginTest(&state, doubleBracket: true)
        case "[", "test": beginTest(&state, doubleBracket: false)
        case "case": state.kind = .caseHeader
        case _ where ShellScanner.declarations.contains(name): state.kind = .declaration(name)
        case "read", "mapfile", "readarray": state.kind = .read(name)
        case "printf": state.kind = .printf
        case _ where ShellScanner.commandPrefixes.contains(name):
            state.kind = .prefix
            state.atCommandStart = true
        case _ where ShellScanner.shells.contains(name): state.kind = .shell(name)
        default: state.kind = .other
        }
    }

    private mutating func classifyArgument(
        _ literal: String?, prefix: String, _ state: inout CommandState, _ caseLevels: inout [Bool]
    ) {
        let isOption = literal.map { $0.hasPrefix("-") && !$0.hasPrefix("--") } ?? false
        switch state.kind {
        case .declaration(let command) where isOption && literal!.contains("i"):
            state.kind = .integerDeclaration(command)
        case .integerDeclaration:
            // Later plain assignments to this variable are arithmetic as well.
            let name = String(prefix.prefix { $0 != "=" && $0 != "+" })
            if ShellScanner.isName(name) { integerVariables.insert(name) }
        case .read where state.optionArgumentIsName != nil:
            state.optionArgumentIsName = nil
        case .read(let command) where isOption:
            if let last = literal!.last, ShellScanner.optionsWithArgument[command]?.contains(last) == true {
                state.optionArgumentIsName = command == "read" && last == "a"
            }
        case .printf:
            if state.optionArgumentIsName == true || !isOption {
                state.kind = .other  // past `-v name`, or at the format: the rest is data
            } else if literal == "-v" {
                state.optionArgumentIsName = true
            }
        case .shell where state.shellExpectsCode:
            // The command string has been read; what follows are its positional parameters.
            if !isOption {
                state.kind = .other
                state.shellExpectsCode = false
            }
        case .shell where isOption && literal!.dropFirst().contains("c"):
            state.shellExpectsCode = true
        case .caseHeader where literal == "in":
            caseLevels.append(true)
            state = CommandState()
        default:
            break
        }
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy(isNameCharacter)
    }

    /// Whether `text` starts an assignment: `name=`, `name+=`, `name[]=` (the subscript already elided).
    static func isAssignment(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "=") else { return false }
        var name = text[..<equals]
        if name.hasSuffix("+") { name = name.dropLast() }
        if name.hasSuffix("[]") { name = name.dropLast(2) }
        return isName(String(name))
    }
}
