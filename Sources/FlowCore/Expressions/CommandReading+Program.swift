/// How an interpreter (or a command whose name is not plain text) reads its words: options, then its program
/// (an option's argument, the first operand, or standard input), then data. See `ShellCommandSyntax`.
extension ShellScanner {
    // MARK: Options

    enum OptionEvent {
        case flag(String)
        case argument(ShellCommandSyntax.Argument, option: String, attached: Bool)
        /// An option not in the table; `attached` when text follows it in the same word.
        case unknown(attached: Bool)
    }

    /// The options in one word, as getopt reads them (or as one whole word, for `wholeWords` commands).
    static func optionEvents(_ word: String, _ options: ShellCommandSyntax.Options) -> [OptionEvent] {
        if let argument = options.argument(of: word) {
            return [argument == .none ? .flag(word) : .argument(argument, option: word, attached: false)]
        }
        if options.wholeWords || word.hasPrefix("--") {
            let parts = word.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            guard parts.count == 2, let argument = options.argument(of: name) else {
                return [.unknown(attached: parts.count == 2)]
            }
            return [argument == .none ? .unknown(attached: true) : .argument(argument, option: name, attached: true)]
        }
        let sign = word.first!
        var events: [OptionEvent] = []
        var letters = Substring(word.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            let option = "\(sign)\(letter)"
            switch options.argument(of: option) {
            case .none?: events.append(.flag(option))
            case let argument?:
                events.append(.argument(argument, option: option, attached: !letters.isEmpty))
                return events
            case nil:
                events.append(.unknown(attached: !letters.isEmpty))
                return events
            }
        }
        return events
    }
}

extension CommandReading.ProgramReading {
    init(name: String, syntax: ShellCommandSyntax.ProgramSyntax? = nil) {
        self.name = name
        self.syntax = syntax
    }

    private var operandsAreProgram: ShellCommandSyntax.ProgramSyntax.Operands { syntax?.operands ?? .programFirst }

    /// What the next operand would be: the program (text, or the file holding it), or data.
    private var nextOperandIsProgram: Bool {
        switch operandsAreProgram {
        case .programFirst: !programGiven && operands == 0
        case .programAfterFirst: operands >= 1
        case .data: false
        case .text: true
        }
    }

    private var nextOperandIsText: Bool {
        commandString || syntax?.operandIsText == true || operandsAreProgram == .programAfterFirst
            || operandsAreProgram == .text
    }

    /// Why the next word would be unsafe here, or `nil` when it is data.
    var nextWordHazard: ShellHazard? {
        guard speculative else { return hazardIfRun }
        switch hazardIfRun {
        case .programText?, .shellCommandString?:
            // Only program text given through an option (`-c`, `-e`), not a first operand that may be plain data.
            return pending?.argument == .program || commandString ? hazardIfRun : nil
        default: return nil
        }
    }

    private var hazardIfRun: ShellHazard? {
        if let pending {
            switch pending.argument {
            case .program: return .programText(command: "\(name) \(pending.option)")
            case .source: return .beforeProgram(command: name)
            case .data, .none: return nil
            }
        }
        if nextOperandIsProgram {
            if commandString, syntax?.isShell == true { return .shellCommandString(command: name) }
            if nextOperandIsText, syntax != nil { return .programText(command: name) }
            return .beforeProgram(command: name)
        }
        // Data once the options are over; until then the value could itself be an option such as `-c`.
        return optionsEnded ? nil : .beforeProgram(command: name)
    }

    var readsProgramFromStdin: Bool {
        if speculative { return false }
        guard let syntax else { return true }
        if readsStdin { return true }
        if commandString { return false }
        let programFromArguments =
            programGiven || (syntax.operands == .programAfterFirst && operands >= 2)
        return syntax.readsStdinWithoutProgram && !programFromArguments
    }

    mutating func advance(past literal: String?) {
        if let pending {
            self.pending = nil
            if pending.argument == .program || pending.argument == .source {
                programGiven = true
                if pending.argument == .source, let literal, CommandReading.stdinNames.contains(literal) {
                    readsStdin = true
                }
                if syntax?.programOptionEndsOptions == true { optionsEnded = true }
            }
            return
        }
        guard let literal else {
            // Not plain text: an option or an operand. Take it as an option that may take an argument, so the
            // words after it are still read as options or the program (refused until a plain operand comes).
            if optionsEnded {
                operand(nil)
            } else {
                maybeArgument = true
            }
            return
        }
        let options = syntax?.options ?? ShellCommandSyntax.Options()
        if !optionsEnded, literal == "--", options.argument(of: literal) == nil {
            optionsEnded = true
            maybeArgument = false
            return
        }
        let isOption =
            literal.count > 1
            && (literal.hasPrefix("-") || options.plus && literal.hasPrefix("+") && syntax?.isShell == true)
        if !optionsEnded, isOption {
            maybeArgument = false
            readOption(literal, options)
            return
        }
        if !optionsEnded, maybeArgument {
            maybeArgument = false  // perhaps the argument of the unknown option before it
            return
        }
        operand(literal)
    }

    private mutating func readOption(_ literal: String, _ options: ShellCommandSyntax.Options) {
        for event in ShellScanner.optionEvents(literal, options) {
            switch event {
            case .flag(let option):
                let letter = option.count == 2 ? option.last : nil
                if let letter, letter == syntax?.commandStringFlag, option.hasPrefix("-") { commandString = true }
                if let letter, letter == syntax?.stdinFlag, option.hasPrefix("-") {
                    readsStdin = true
                    programGiven = true
                }
            case .argument(let argument, let option, let attached):
                if attached {
                    if argument == .program || argument == .source {
                        programGiven = true
                        if syntax?.programOptionEndsOptions == true { optionsEnded = true }
                    }
                } else {
                    pending = (argument, option)
                }
            case .unknown(let attached):
                if !attached { maybeArgument = true }
            }
        }
    }

    private mutating func operand(_ literal: String?) {
        let isProgram = nextOperandIsProgram
        operands += 1
        if isProgram {
            programGiven = true
            if let literal, !nextOperandIsText, CommandReading.stdinNames.contains(literal) { readsStdin = true }
            if commandString { commandString = false }
        }
        if syntax?.permutes != true { optionsEnded = true }
    }
}
