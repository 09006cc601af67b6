/// The command level of `ShellScanner`: words, operators, comments, redirections and heredocs; which words of
/// a command are code (see `ShellScanner+Readings`); and pipelines, which carry values to commands that read
/// their program from standard input.
extension ShellScanner {
    enum CommandsEnd { case end, parenthesis }

    /// What is known about the simple command being read.
    struct CommandState {
        /// Whether the next word is the command name (or a keyword, or a prefix assignment).
        var atCommandStart = true
        /// How the command's words are read, once its command word is known.
        var readings: [CommandReading] = []
        var expectsRedirectionTarget = false
        /// The redirection target expected next feeds standard input (`<`, `<<<`).
        var targetFeedsStdin = false
        var test: Test?
        /// After the `time` keyword, which prefixes a pipeline (its `-p` option too).
        var afterTime = false
        /// Values that reach the command's standard input through its own redirections (`<<<`, `<`).
        var stdinSources: [ValueSource] = []
    }

    /// The pipeline being read at one level: what flows into its next stage.
    struct Pipeline {
        /// Values that reach the current stage's standard input: the enclosing command's input, and the
        /// output of every earlier stage (whatever those stages do with it, a value may pass through).
        var sources: [ValueSource]
        /// Where the current stage's values start in `valueLog`.
        var stageStart: Int
        /// Heredocs of this pipeline whose bodies are still to be read start here in `pendingHeredocs`.
        var heredocStart: Int
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

    /// A word as command classification needs it.
    struct Word {
        /// The word's text up to its first quote, escape or expansion.
        var plainPrefix = ""
        /// Whether the whole word is plain text (then `plainPrefix` is the word).
        var isPlain = true
        /// The word with quotes removed, while it holds no expansion.
        var cooked: String? = ""
        var start = 0
        var literal: String? { isPlain ? plainPrefix : nil }
    }

    private static let keywordsBeforeCommand: Set<String> = [
        "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until",
    ]
    /// Keywords that open a compound command, whose body reads the standard input of the whole compound, and
    /// those that close one.
    private static let compoundOpeners: Set<String> = ["{", "if", "while", "until", "for", "select", "case"]
    private static let compoundClosers: Set<String> = ["}", "fi", "done", "esac"]
    /// Test operators whose operands bash evaluates as arithmetic in `[[ ]]` (`-v` evaluates an array
    /// subscript in the name). The `test` builtin parses integers strictly; only its `-v` is unsafe.
    private static let arithmeticTestOperators: Set<String> = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v"]
    private static let singleBracketArithmeticTestOperators: Set<String> = ["-v"]
    /// Options that take an argument, of `read` (only `-a`'s is a variable name) and of `mapfile` (`-C`'s is code).
    static let optionsWithArgument: [String: Set<Character>] = [
        "read": Set("adinNptu"), "mapfile": Set("dnOsuCc"), "readarray": Set("dnOsuCc"),
    ]
    /// Variables whose value bash, or a program commonly run from scripts, runs as code (or sources as a file
    /// after expanding it, as bash does `BASH_ENV`). Not `ENV`: only interactive shells read it, and pipelines
    /// use the name for other things.
    static let codeVariables: Set<String> = [
        "PS0", "PS1", "PS2", "PS4", "PROMPT_COMMAND", "BASH_ENV", "PERL5OPT", "PERL5DB", "GIT_SSH_COMMAND",
        "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF", "GIT_PROXY_COMMAND", "EDITOR",
        "VISUAL", "PAGER", "MANPAGER", "LESSOPEN", "LESSCLOSE", "LD_PRELOAD", "LD_AUDIT",
    ]

    static func isCodeVariable(_ name: String) -> Bool { codeVariables.contains(name) || name.hasPrefix("BASH_FUNC_") }

    static func isMetacharacter(_ scalar: Unicode.Scalar) -> Bool {
        " \t\n;&|()<>".unicodeScalars.contains(scalar)
    }

    /// Reads commands up to the end of the region, or up to the `)` closing a `$(`, `(` or `<(`.
    mutating func scanCommands(until end: CommandsEnd) {
        guard enterNested() else { return }
        defer { leaveNested() }
        // Commands here read the standard input of the command around them (a subshell, `$( )`, …).
        let outerInherited = inheritedStdin
        inheritedStdin = pipeline?.sources ?? inheritedStdin
        let outerPipeline = pipeline
        let outerCompounds = compounds
        pipeline = newPipeline()
        compounds = []
        defer {
            inheritedStdin = outerInherited
            pipeline = outerPipeline
            compounds = outerCompounds
        }
        var state = CommandState()
        // For each open `case … in`: whether a pattern is expected next.
        var caseLevels: [Bool] = []
        defer { finishCommand(&state, endsPipeline: true) }
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
                if !inDoubleBracket { finishCommand(&state, endsPipeline: true) }
                readPendingHeredocs()
            case "#":
                scanComment()
            case ";":
                let isCaseEnd = next == ";" || next == "&"
                copy(next == ";" && peek(2) == "&" ? 3 : isCaseEnd ? 2 : 1)
                finishCommand(&state, endsPipeline: true)
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
                if !(inDoubleBracket && isDoubled) {
                    // `|` and `|&` pipe into the next command; `&&`, `||` and `&` end the pipeline.
                    finishCommand(&state, endsPipeline: !(scalar == "|" && next != "|"))
                }
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
                } else if next == ")" {
                    // `name()`: a function definition; its body is a new command.
                    copy(2)
                    state = CommandState()
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

    private func newPipeline() -> Pipeline {
        Pipeline(sources: inheritedStdin, stageStart: valueLog.count, heredocStart: pendingHeredocs.count)
    }

    /// Ends the simple command (a `test`/`[` ends with it, and the next word is a command name again). If it reads
    /// its program from standard input, every value that reaches that input is a problem, and so is every
    /// heredoc of the pipeline still to be read. With `endsPipeline` a new pipeline starts; otherwise the
    /// command's output flows into the next stage.
    private mutating func finishCommand(_ state: inout CommandState, endsPipeline: Bool) {
        finishTest(&state)
        if var current = pipeline {
            pipeline = nil  // `current` alone holds the sources while they grow
            var reader: CommandReading?
            for reading in state.readings where readsProgramFromStdin(reading) {
                reader = reading
                break
            }
            if let reader, let name = programName(reader) {
                let hazard = ShellHazard.programInput(command: name)
                for source in current.sources + state.stdinSources { report(hazard, for: source) }
                // Reported once; the commands after this one need not report them again.
                current.sources.removeAll()
                inheritedStdin.removeAll()
                for index in pendingHeredocs.indices where index >= current.heredocStart {
                    pendingHeredocs[index].feedsProgram = pendingHeredocs[index].feedsProgram ?? name
                }
            }
            if endsPipeline {
                current = newPipeline()
            } else {
                current.sources += valueLog[current.stageStart...] + state.stdinSources
                current.stageStart = valueLog.count
            }
            pipeline = current
        }
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
        var place = WordPlace.plain
        if state.expectsRedirectionTarget || caseLevels.last == true || state.test != nil {
            place = .plain
        } else if state.atCommandStart {
            place = WordPlace(namesCommand: true, allowsAssignment: true)
        } else {
            place = self.place(of: state.readings)
        }
        let stdinStart = valueLog.count
        let word = readWord(place)
        if state.expectsRedirectionTarget, state.targetFeedsStdin { state.stdinSources += valueLog[stdinStart...] }
        classify(word, &state, &caseLevels)
    }

    /// Reads a word up to the next metacharacter, following quotes and expansions, with the hazard its place
    /// gives it. Where assignments may stand, `name[…]` starts an assignment whose subscript is arithmetic, and
    /// the value after `=` is checked for the variable it sets (`PS4`, a `declare -i` integer, a nameref); the
    /// expressions it holds make the variable a value variable, followed later. Where a command is named, any
    /// other word that is not plain text is refused.
    private mutating func readWord(_ place: WordPlace) -> Word {
        var word = Word(start: offset)
        let outerHazard = hazard
        defer { hazard = outerHazard }
        let assigns = place.allowsAssignment || place.declaration != nil
        if let declaration = place.declaration {
            hazard = hazard ?? place.hazard ?? .variableName(command: declaration.command + (declaration.nameref ? " -n" : ""))
        } else {
            hazard = hazard ?? place.hazard ?? (place.namesCommand ? .commandName : nil)
        }
        var assigned: (name: String, logStart: Int)?
        while let scalar = current {
            if isAtExpression() {
                substituteExpression(.unquoted)
                word.isPlain = false
                word.cooked = nil
                continue
            }
            if scalar == "=", word.isPlain, !word.plainPrefix.contains("="), assigns,
                ShellScanner.isAssignment(word.plainPrefix + "=")
            {
                // The value part: no longer a name, but checked for the variable it sets.
                var name = word.plainPrefix
                if name.hasSuffix("+") { name.removeLast() }
                if name.hasSuffix("[]") { name.removeLast(2) }
                hazard = outerHazard ?? place.hazard ?? assignmentHazard(name, place)
                assigned = (name, valueLog.count)
            }
            if ShellScanner.isMetacharacter(scalar) {
                // `name=(…)`: an array assignment.
                guard scalar == "(", word.isPlain, ShellScanner.isAssignment(word.plainPrefix),
                    word.plainPrefix.hasSuffix("=")
                else { break }
                scanArrayElements()
                word.isPlain = false
                word.cooked = nil
                continue
            }
            let partStart = offset
            switch scalar {
            case "\\":
                copyEscape()
                if offset - partStart == 2, text.scalars[partStart + 1] != "\n" {
                    word.cooked?.unicodeScalars.append(text.scalars[partStart + 1])
                }
            case "'":
                let expressions = variables.count
                scanSingleQuoted()
                if variables.count > expressions {
                    word.cooked = nil
                } else if offset - partStart >= 2 {
                    word.cooked? += text.string((partStart + 1)..<(offset - 1))
                }
            case "\"":
                scanDoubleQuoted()
                word.cooked = word.cooked.flatMap { cooked in
                    ShellScanner.cookDoubleQuoted(text.string(partStart..<offset)).map { cooked + $0 }
                }
            case "$":
                scanDollar(inDoubleQuotes: false)
                word.cooked = nil
            case "`":
                scanBackticks()
                word.cooked = nil
            case "[" where assigns && word.isPlain && ShellScanner.isName(word.plainPrefix):
                copy()
                // Said as a subscript rather than as part of a variable name being declared.
                let nameHazard = hazard
                hazard = outerHazard ?? .subscriptOrOffset
                scanArithmetic(until: .bracket)
                hazard = nameHazard
                word.plainPrefix += "[]"
                word.cooked = nil
                continue
            default:
                copy()
                if word.isPlain { word.plainPrefix.unicodeScalars.append(scalar) }
                word.cooked?.unicodeScalars.append(scalar)
                continue
            }
            word.isPlain = false
        }
        if let assigned, valueLog.count > assigned.logStart {
            let known = valueVariables[assigned.name] ?? []
            let added = expressions(in: valueLog[assigned.logStart...]).filter { !known.contains($0) }
            valueVariables[assigned.name] = Array((known + added).prefix(ShellScanner.maximumValuesPerVariable))
        }
        return word
    }

    /// Why a value assigned to `name` here would be unsafe.
    private func assignmentHazard(_ name: String, _ place: WordPlace) -> ShellHazard? {
        if let declaration = place.declaration {
            if declaration.integer { return .integerDeclaration }
            if declaration.nameref { return .variableName(command: declaration.command + " -n") }
        }
        if ShellScanner.isCodeVariable(name) { return .codeVariable(name: name) }
        if integerVariables.contains(name) { return .integerDeclaration }
        if let declared = namerefVariables[name] { return .variableName(command: declared) }
        return nil
    }

    /// The text of a double-quoted part with its quotes and escapes removed, if it expands nothing.
    static func cookDoubleQuoted(_ quoted: String) -> String? {
        var scalars = Array(quoted.unicodeScalars.dropFirst())
        if scalars.last == "\"" { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "$" || scalar == "`" { return nil }
            if scalar == "\\", index + 1 < scalars.count, "\"\\$`\n".unicodeScalars.contains(scalars[index + 1]) {
                if scalars[index + 1] != "\n" { result.append(scalars[index + 1]) }
                index += 2
                continue
            }
            result.append(scalar)
            index += 1
        }
        return String(result)
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
                    _ = readWord(.plain)
                }
            }
        }
    }

    private mutating func classify(_ word: Word, _ state: inout CommandState, _ caseLevels: inout [Bool]) {
        if state.expectsRedirectionTarget {
            state.expectsRedirectionTarget = false
            state.targetFeedsStdin = false
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
            if literal == "esac" {
                caseLevels.removeLast()
                closeCompound()
            }
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
        let shellWord = ShellWord(
            literal: word.cooked, plainPrefix: word.plainPrefix, written: text.string(word.start..<offset))
        if state.atCommandStart {
            classifyCommandWord(shellWord, &state, &caseLevels)
            return
        }
        if state.readings == [.caseHeader], literal == "in" {
            caseLevels.append(true)
            state = CommandState()
            return
        }
        if state.readings == [.functionName] {
            state = CommandState()  // the name; the body comes next
            return
        }
        state.readings = advance(state.readings, past: shellWord)
    }

    private mutating func classifyCommandWord(
        _ word: ShellWord, _ state: inout CommandState, _ caseLevels: inout [Bool]
    ) {
        if ShellScanner.isAssignment(word.plainPrefix) { return }  // `A=1 cmd`: the command comes next
        if let literal = word.literal {
            if literal == "time" || state.afterTime && literal.hasPrefix("-") {
                state.afterTime = true
                return
            }
            if ShellScanner.compoundClosers.contains(literal), literal != "esac" || !caseLevels.isEmpty {
                if literal == "esac" { caseLevels.removeLast() }
                closeCompound()
                return
            }
            if ShellScanner.compoundOpeners.contains(literal) { openCompound() }
            if ShellScanner.keywordsBeforeCommand.contains(literal) { return }
        }
        state.atCommandStart = false
        switch word.literal {
        case "[[": beginTest(&state, doubleBracket: true)
        case "[", "test": beginTest(&state, doubleBracket: false)
        default: state.readings = readings(forCommand: word.literal, written: word.written)
        }
    }

    /// A compound command starts: its body reads the standard input of the whole compound.
    private mutating func openCompound() {
        guard let current = pipeline else { return }
        compounds.append((current, inheritedStdin))
        inheritedStdin = current.sources
        pipeline = newPipeline()
    }

    /// The compound command ends; the pipeline it stands in goes on.
    private mutating func closeCompound() {
        guard let (outer, inherited) = compounds.popLast() else { return }
        inheritedStdin = inherited
        pipeline = outer
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
