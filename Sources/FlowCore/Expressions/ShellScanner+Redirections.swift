/// Comments, redirections and heredocs for `ShellScanner`.
extension ShellScanner {
    /// `# …` up to the end of the line; an expression there gets the plain reference (it is never run).
    mutating func scanComment() {
        while let scalar = current, scalar != "\n" {
            if isAtExpression() { substituteExpression(.comment) } else { copy() }
        }
    }

    /// A redirection operator at `offset`: `<`, `>>`, `>&2`, a here-string, a heredoc or a process substitution.
    mutating func scanRedirection(_ state: inout CommandState) {
        let next = peek(1)
        if current == "<", next == "<", peek(2) == "<" {
            copy(3)  // here-string: an ordinary word follows, which becomes standard input
            state.expectsRedirectionTarget = true
            state.targetFeedsStdin = true
        } else if current == "<", next == "<" {
            copy(2)
            let stripsTabs = current == "-"
            if stripsTabs { copy() }
            scanHeredocDelimiter(stripsTabs: stripsTabs)
        } else if next == "(" {
            scanProcessSubstitution(&state)
        } else {
            let isDoubled = next == ">" || next == "&" || next == "|" || (current == "<" && next == ">")
            state.targetFeedsStdin = current == "<" && !isDoubled
            copy(isDoubled ? 2 : 1)
            state.expectsRedirectionTarget = true
        }
    }

    /// `<( … )` or `>( … )`: a word that names a file. As the target of `<` its output is standard input; as the
    /// program operand of a command (`source <(…)`, `bash <(…)`), its output is the program.
    private mutating func scanProcessSubstitution(_ state: inout CommandState) {
        copy(2)
        let start = valueLog.count
        if state.expectsRedirectionTarget {
            scanCommands(until: .parenthesis)
            if state.targetFeedsStdin { state.stdinSources += valueLog[start...] }
            state.expectsRedirectionTarget = false
            state.targetFeedsStdin = false
            return
        }
        var hazard: ShellHazard? = nil
        if !state.atCommandStart, let reader = state.readings.first(where: { place(of: [$0]).hazard != nil }) {
            hazard = .programInput(command: programName(reader) ?? "source")
        }
        withHazard(hazard) { $0.scanCommands(until: .parenthesis) }
        let word = ShellWord(
            literal: CommandReading.processSubstitutionPath, plainPrefix: CommandReading.processSubstitutionPath,
            written: CommandReading.processSubstitutionPath)
        if state.atCommandStart {
            state.atCommandStart = false
            state.readings = readings(forCommand: word.literal, written: word.written)
        } else if state.test == nil {
            state.readings = advance(state.readings, past: word)
        }
    }

    /// The delimiter word after `<<` or `<<-`. Any quoting in it makes the heredoc quoted (no expansion).
    mutating func scanHeredocDelimiter(stripsTabs: Bool) {
        while current == " " || current == "\t" { copy() }
        let start = offset
        var delimiter = String.UnicodeScalarView()
        var isQuoted = false
        while let scalar = current, !ShellScanner.isMetacharacter(scalar) {
            if isAtExpression() {
                withHazard(.heredocDelimiter) { $0.substituteExpression(.unquoted) }
                continue
            }
            switch scalar {
            case "'", "\"":
                isQuoted = true
                copy()
                while let inner = current, inner != scalar {
                    if scalar == "\"", inner == "\\", let escaped = peek(1), "\"\\$`".unicodeScalars.contains(escaped) {
                        copy()
                    }
                    if let literal = current { delimiter.append(literal) }
                    copy()
                }
                copy()
            case "\\":
                isQuoted = true
                copy()
                if let escaped = current {
                    delimiter.append(escaped)
                    copy()
                }
            default:
                delimiter.append(scalar)
                copy()
            }
        }
        guard !delimiter.isEmpty else { return }
        let written = "<<" + (stripsTabs ? "-" : "") + text.string(start..<offset)
        pendingHeredocs.append(
            Heredoc(delimiter: String(delimiter), stripsTabs: stripsTabs, quotedOperator: isQuoted ? written : nil))
    }

    /// Reads the bodies of the heredocs started on the line that just ended. `offset` is at the next line.
    mutating func readPendingHeredocs() {
        let heredocs = pendingHeredocs
        pendingHeredocs = []
        for heredoc in heredocs {
            let delimiter = Array(heredoc.delimiter.unicodeScalars)
            // Like bash, find the delimiter line first; the body is everything before it.
            var lineStart = offset
            var bodyEnd = limit
            var resume = limit
            while lineStart < limit {
                var lineEnd = lineStart
                while lineEnd < limit, text.scalars[lineEnd] != "\n" { lineEnd += 1 }
                var contentStart = lineStart
                if heredoc.stripsTabs {
                    while contentStart < lineEnd, text.scalars[contentStart] == "\t" { contentStart += 1 }
                }
                if text.scalars[contentStart..<lineEnd].elementsEqual(delimiter) {
                    bodyEnd = lineStart
                    resume = min(lineEnd + 1, limit)
                    break
                }
                lineStart = lineEnd + 1
            }
            let outerLimit = limit
            limit = bodyEnd
            if let op = heredoc.quotedOperator {
                // Nothing in a quoted heredoc is expanded, so no reference can carry a value there.
                let message =
                    "an expression cannot be used inside a quoted heredoc (\(op)); use an unquoted "
                    + "delimiter or pass the value through `env:`"
                while current != nil {
                    if isAtExpression() { rejectExpression(message) } else { copy() }
                }
            } else {
                // The body of a heredoc that reaches a program on standard input is that program's text.
                withHazard(heredoc.feedsProgram.map { .programInput(command: $0) }) {
                    $0.scanDoubleQuoted(heredocBody: true)
                }
            }
            limit = outerLimit
            copy(resume - offset)  // the delimiter line
        }
    }
}
