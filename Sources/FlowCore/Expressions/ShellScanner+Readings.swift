/// How `ShellScanner` follows the words of one simple command to know which of them are code: the command
/// word is looked up (`ShellCommandSyntax`), wrappers are skipped to the command they run, and each later word
/// is data, program text, an option, a variable name, … for the command that reads it.
///
/// When the scanner cannot tell how a command reads its words — a wrapper's option it does not know may or may
/// not take an argument — it follows every reading at once, and a word is refused if any reading would run it.
indirect enum CommandReading: Hashable {
    /// The next word names the command (after a wrapper, or `find -exec`). With `assignments`, `NAME=value`
    /// words may come first (`env`, `sudo`).
    case command(assignments: Bool)
    /// The remaining words are data.
    case data
    case wrapper(WrapperReading)
    case program(ProgramReading)
    /// Every remaining word is code (`eval`, `alias`, `ssh`, …).
    case code(name: String, readsStdin: Bool)
    /// `source`/`.`: the first argument is the program, unless `gotProgram`; `readsStdin` when that is stdin.
    case source(name: String, gotProgram: Bool, readsStdin: Bool)
    /// `find`: inside `-exec … ;`, the words are read by `inner`.
    case find(inner: CommandReading?, innerReadsStdin: Bool)
    case xargs(XargsReading)
    case letCommand
    /// `declare`, `local`, …: names, maybe assigned; `-n` makes values names, `-i` arithmetic.
    case declaration(name: String, nameref: Bool, integer: Bool)
    /// `read`, `mapfile`, `readarray`: operands are names; `pending` is what an option's argument is.
    case read(name: String, pending: PendingArgument?)
    /// `printf`: the argument of `-v` is a name; after the format, data.
    case printf(pending: PendingArgument?)
    /// `wait`: the argument of `-p` is a name.
    case wait(pending: PendingArgument?)
    /// `unset`: operands are names.
    case unset
    /// `function NAME`: the next word is the name, then a new command (the body) starts.
    case functionName
    /// `case WORD`, until its `in`.
    case caseHeader
    /// Too many readings to follow: every remaining word is refused.
    case opaque(name: String)

    enum PendingArgument: Hashable { case name, code, data }

    /// An option-and-operand reader of an interpreter, or of a command whose name is not plain text.
    struct ProgramReading: Hashable {
        /// The command as written (its file name, or the whole word when it is not plain text).
        var name: String
        /// `nil` when the command is not known because its name is not plain text (`$B`, `"$SHELL"`): then
        /// it is treated as any interpreter at once.
        var syntax: ShellCommandSyntax.ProgramSyntax?
        var optionsEnded = false
        /// The program was given by an option (`-c CODE`, `-f FILE`) or by the program operand.
        var programGiven = false
        /// Shells: `-c` was seen; the first operand is program text.
        var commandString = false
        /// The program comes from standard input (`-s`, or a program named `-` or `/dev/stdin`).
        var readsStdin = false
        var operands = 0
        /// The next word is the argument of this option.
        var pending: (argument: ShellCommandSyntax.Argument, option: String)?
        /// After an option it does not know: the next word may be that option's argument.
        var maybeArgument = false
        /// Started by an interpreter's name among the arguments of another command (`docker run img sh -c …`),
        /// which may or may not run it: only its program text is refused.
        var speculative = false

        static func == (a: ProgramReading, b: ProgramReading) -> Bool {
            a.name == b.name && a.syntax == b.syntax && a.optionsEnded == b.optionsEnded
                && a.programGiven == b.programGiven && a.commandString == b.commandString
                && a.readsStdin == b.readsStdin && a.operands == b.operands && a.pending?.argument == b.pending?.argument
                && a.pending?.option == b.pending?.option && a.maybeArgument == b.maybeArgument
                && a.speculative == b.speculative
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(name)
            hasher.combine(operands)
            hasher.combine(programGiven)
            hasher.combine(optionsEnded)
        }
    }

    struct WrapperReading: Hashable {
        var name: String
        var syntax: ShellCommandSyntax.WrapperSyntax
        var pending: ShellCommandSyntax.Argument?
        var pendingOption = ""
        var operandsLeft: Int
        var optionsEnded = false
        /// A flag that runs a shell was seen (`sudo -s`).
        var runsShell = false
    }

    struct XargsReading: Hashable {
        var wrapper: WrapperReading
        /// `-I`, `--replace`: every input item is put into the command's words, wherever `{}` stands.
        var replaces = false
        var inner: CommandReading?
        /// Whether the command run is one that reads code in some argument (a shell, an interpreter, …).
        var innerRunsCode = false
    }

    /// Where a process substitution standing as a word goes: the path bash gives for it.
    static let processSubstitutionPath = "/dev/fd/63"
    /// Program names that mean standard input.
    static let stdinNames: Set<String> = ["-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]
}

/// A word as the command readings need it.
struct ShellWord {
    /// The word's text when it is plain text (quotes removed, no expansion); else `nil`.
    var literal: String?
    /// The text up to the first quote, escape or expansion.
    var plainPrefix: String
    /// The word as written in the script.
    var written: String
}

/// What is known about the next word of a command, before it is read: a hazard for the whole word, or that it
/// may name a command (refused, unless it turns out to be an assignment where assignments may stand).
struct WordPlace {
    var hazard: ShellHazard?
    var namesCommand = false
    /// `NAME=value` is an assignment here (a command's prefix, an `env`/`sudo` operand).
    var allowsAssignment = false
    /// The arguments of `declare` and the like: the part before `=` is a variable name.
    var declaration: (command: String, nameref: Bool, integer: Bool)?

    static let plain = WordPlace()
}

extension ShellScanner {
    // MARK: Command words

    /// The readings a command word starts. `literal` is its text when it is plain text; `written`, its source.
    func readings(forCommand literal: String?, written: String) -> [CommandReading] {
        // A name that is not plain text, or that a glob or a brace expansion could turn into another, could be
        // any program.
        guard let literal, literal == "[" || literal == "[[" || !literal.unicodeScalars.contains(where: { "*?[{".unicodeScalars.contains($0) })
        else { return [.program(.init(name: written))] }
        let name = String(literal.split(separator: "/").last ?? Substring(literal))
        switch name {
        case "let": return [.letCommand]
        case "case": return [.caseHeader]
        case "function": return [.functionName]
        case _ where ShellScanner.declarations.contains(name):
            return [.declaration(name: name, nameref: false, integer: false)]
        case "read", "mapfile", "readarray": return [.read(name: name, pending: nil)]
        case "printf": return [.printf(pending: nil)]
        case "wait": return [.wait(pending: nil)]
        case "unset": return [.unset]
        default: break
        }
        // A relative path names the repository's own program, not a system interpreter.
        if literal.contains("/"), !literal.hasPrefix("/"), !literal.hasPrefix("~") { return [.data] }
        switch ShellCommandSyntax.named(name) {
        case .program(let syntax)?: return [.program(.init(name: name, syntax: syntax))]
        case .wrapper(let syntax)?:
            return [.wrapper(.init(name: name, syntax: syntax, operandsLeft: syntax.leadingOperands))]
        case .codeArguments(let readsStdin)?: return [.code(name: name, readsStdin: readsStdin)]
        case .source?: return [.source(name: name, gotProgram: false, readsStdin: false)]
        case .find?: return [.find(inner: nil, innerReadsStdin: false)]
        case .xargs(let syntax)?:
            return [.xargs(.init(wrapper: .init(name: name, syntax: syntax, operandsLeft: 0)))]
        case nil: return [.data]
        }
    }

    static let declarations: Set<String> = ["declare", "typeset", "local", "export", "readonly"]

    // MARK: The next word

    /// What the next word is to all readings together.
    func place(of readings: [CommandReading]) -> WordPlace {
        var place = WordPlace()
        var assignmentsEverywhere = true
        for reading in readings {
            let one = self.place(of: reading)
            place.hazard = place.hazard ?? one.hazard
            if one.namesCommand {
                place.namesCommand = true
                assignmentsEverywhere = assignmentsEverywhere && one.allowsAssignment
            }
            if let declaration = one.declaration, place.declaration == nil { place.declaration = declaration }
        }
        place.allowsAssignment = place.namesCommand && assignmentsEverywhere
        return place
    }

    private func place(of reading: CommandReading) -> WordPlace {
        switch reading {
        case .command(let assignments): return WordPlace(namesCommand: true, allowsAssignment: assignments)
        case .data, .caseHeader, .functionName: return .plain
        case .wrapper(let wrapper): return place(of: wrapper)
        case .program(let program): return WordPlace(hazard: program.nextWordHazard)
        case .code(let name, _): return WordPlace(hazard: .codeArguments(command: name))
        case .source(let name, let gotProgram, _):
            return WordPlace(hazard: gotProgram ? nil : .beforeProgram(command: name))
        case .find(let inner, _): return inner.map { place(of: $0) } ?? .plain
        case .xargs(let xargs):
            if let inner = xargs.inner { return place(of: inner) }
            return place(of: xargs.wrapper)
        case .letCommand: return WordPlace(hazard: .letArguments)
        case .declaration(let name, let nameref, let integer):
            return WordPlace(declaration: (name, nameref, integer))
        case .read(let name, let pending):
            switch pending {
            case .code?: return WordPlace(hazard: .codeArguments(command: "\(name) -C"))
            case .data?: return .plain
            case .name?, nil: return WordPlace(hazard: .variableName(command: name))
            }
        case .printf(let pending): return WordPlace(hazard: pending == .name ? .variableName(command: "printf -v") : nil)
        case .wait(let pending): return WordPlace(hazard: pending == .name ? .variableName(command: "wait -p") : nil)
        case .unset: return WordPlace(hazard: .variableName(command: "unset"))
        case .opaque(let name): return WordPlace(hazard: .beforeProgram(command: name))
        }
    }

    private func place(of wrapper: CommandReading.WrapperReading) -> WordPlace {
        switch wrapper.pending {
        case .program?: return WordPlace(hazard: .programText(command: "\(wrapper.name) \(wrapper.pendingOption)"))
        case .source?: return WordPlace(hazard: .beforeProgram(command: wrapper.name))
        case .data?, .none?: return .plain
        case nil: break
        }
        if wrapper.operandsLeft > 0 { return .plain }
        // An option of the wrapper, an assignment, or the command it runs: a value here could be any.
        return WordPlace(namesCommand: true, allowsAssignment: wrapper.syntax.assignments)
    }

    // MARK: After a word

    /// The readings after `word`. `literal` is the word's text when it is plain text.
    mutating func advance(_ readings: [CommandReading], past word: ShellWord) -> [CommandReading] {
        var next: [CommandReading] = []
        for reading in readings {
            for successor in advance(reading, past: word) where !next.contains(successor) { next.append(successor) }
        }
        if next.count > ShellScanner.maximumReadings {
            // Speculative readings go first; only if the real ones are too many is every word refused.
            next.removeAll { if case .program(let program) = $0 { program.speculative } else { false } }
            if next.count > ShellScanner.maximumReadings { return [.opaque(name: word.written)] }
        }
        return next
    }

    static let maximumReadings = 32

    private mutating func advance(_ reading: CommandReading, past word: ShellWord) -> [CommandReading] {
        let literal = word.literal
        switch reading {
        case .command(let assignments):
            if assignments, let literal, ShellScanner.isAssignment(literal) { return [reading] }
            return readings(forCommand: literal, written: word.written)
        case .data:
            // A shell or interpreter named among plain arguments may be run by the command (`docker run img
            // sh -c …`, `kubectl exec pod -- python3 -c …`): follow it too, for its program text.
            if let literal, !literal.contains("/") || literal.hasPrefix("/"),
                case .program(let syntax)? = ShellCommandSyntax.named(literal)
            {
                let name = String(literal.split(separator: "/").last ?? Substring(literal))
                var program = CommandReading.ProgramReading(name: name, syntax: syntax)
                program.speculative = true
                return [.data, .program(program)]
            }
            return [reading]
        case .caseHeader, .functionName, .letCommand, .unset, .opaque: return [reading]
        case .wrapper(let wrapper): return advance(wrapper, past: word)
        case .program(var program):
            program.advance(past: literal)
            // A speculative reading past its program can find nothing more.
            if program.speculative, program.programGiven, program.optionsEnded, program.pending == nil { return [] }
            return [.program(program)]
        case .code(let name, _):
            if name == "parallel", let literal, literal.hasPrefix(":::") { return [.data] }
            return [reading]
        case .source(let name, let gotProgram, let readsStdin):
            if gotProgram { return [reading] }
            return [.source(name: name, gotProgram: true, readsStdin: readsStdin || literal.map(CommandReading.stdinNames.contains) == true)]
        case .find(let inner, let innerReadsStdin):
            guard let inner else {
                let starts = ["-exec", "-execdir", "-ok", "-okdir"].contains(literal ?? "")
                return [.find(inner: starts ? .command(assignments: false) : nil, innerReadsStdin: innerReadsStdin)]
            }
            if literal == ";" || literal == "+" {
                return [.find(inner: nil, innerReadsStdin: innerReadsStdin || readsProgramFromStdin(inner))]
            }
            return advance(inner, past: word).map { .find(inner: $0, innerReadsStdin: innerReadsStdin) }
        case .xargs(let xargs): return advance(xargs, past: word)
        case .declaration(let name, let nameref, let integer):
            if let literal, literal.hasPrefix("-") || literal.hasPrefix("+"), literal.count > 1 {
                let isOn = literal.hasPrefix("-")
                let takesNameref = name != "export" && name != "readonly"
                return [
                    .declaration(
                        name: name, nameref: takesNameref && literal.contains("n") ? isOn : nameref,
                        integer: literal.contains("i") ? isOn : integer)
                ]
            }
            // Later plain assignments to these variables are arithmetic, or set the nameref's target.
            let variable = String(word.plainPrefix.prefix { $0 != "=" && $0 != "+" })
            if ShellScanner.isName(variable) {
                if integer { integerVariables.insert(variable) }
                if nameref { namerefVariables[variable] = "\(name) -n" }
            }
            return [reading]
        case .read(let name, let pending):
            if pending != nil { return [.read(name: name, pending: nil)] }
            if let literal, literal.hasPrefix("-"), literal.count > 1, let last = literal.last,
                ShellScanner.optionsWithArgument[name]?.contains(last) == true
            {
                let argument: CommandReading.PendingArgument =
                    name == "read" && last == "a" ? .name : name != "read" && last == "C" ? .code : .data
                return [.read(name: name, pending: argument)]
            }
            return [reading]
        case .printf(let pending):
            if pending == .name || !(literal?.hasPrefix("-") ?? false) { return [.data] }
            return [.printf(pending: literal == "-v" ? .name : nil)]
        case .wait(let pending):
            if pending == .name { return [.wait(pending: nil)] }
            if let literal, literal.hasPrefix("-"), literal.contains("p") { return [.wait(pending: .name)] }
            return [reading]
        }
    }

    private func advance(_ wrapper: CommandReading.WrapperReading, past word: ShellWord) -> [CommandReading] {
        var wrapper = wrapper
        let literal = word.literal
        if wrapper.pending != nil {
            wrapper.pending = nil
            return [.wrapper(wrapper)]
        }
        guard let literal else {
            // Not plain text: an option, a leading operand or the command; follow all three.
            var next: [CommandReading] = [.program(.init(name: word.written))]
            if wrapper.operandsLeft > 0 { wrapper.operandsLeft -= 1 }
            next.append(.wrapper(wrapper))
            return next
        }
        if !wrapper.optionsEnded, literal == "--" {
            wrapper.optionsEnded = true
            return [.wrapper(wrapper)]
        }
        if !wrapper.optionsEnded, literal.count > 1 || wrapper.syntax.options.argument(of: literal) != nil,
            literal.hasPrefix("-")
        {
            return readOption(literal, of: wrapper)
        }
        if wrapper.operandsLeft > 0 {
            // The operand, or (if an option before it took no argument after all) the command.
            wrapper.operandsLeft -= 1
            return [.wrapper(wrapper)] + readings(forCommand: literal, written: word.written)
        }
        if wrapper.syntax.assignments, ShellScanner.isAssignment(literal) { return [.wrapper(wrapper)] }
        return readings(forCommand: literal, written: word.written)
    }

    /// A wrapper's option word; an option it does not know is followed both as a flag and as taking an argument.
    private func readOption(_ literal: String, of wrapper: CommandReading.WrapperReading) -> [CommandReading] {
        var wrapper = wrapper
        let options = wrapper.syntax.options
        if wrapper.syntax.lookupFlags.contains(literal) { return [.data] }
        if wrapper.syntax.shellFlags.contains(literal) { wrapper.runsShell = true }
        for event in ShellScanner.optionEvents(literal, options) {
            switch event {
            case .flag(let option):
                if wrapper.syntax.lookupFlags.contains(option) { return [.data] }
                if wrapper.syntax.shellFlags.contains(option) { wrapper.runsShell = true }
            case .argument(let argument, let option, let attached):
                if !attached {
                    wrapper.pending = argument
                    wrapper.pendingOption = option
                }
            case .unknown(let attached):
                if attached { continue }
                var takesArgument = wrapper
                takesArgument.pending = ShellCommandSyntax.Argument.data
                return [.wrapper(wrapper), .wrapper(takesArgument)]
            }
        }
        return [.wrapper(wrapper)]
    }

    private mutating func advance(_ xargs: CommandReading.XargsReading, past word: ShellWord) -> [CommandReading] {
        var xargs = xargs
        if let inner = xargs.inner {
            return advance(inner, past: word).map { next in
                var copy = xargs
                copy.inner = next
                copy.innerRunsCode = copy.innerRunsCode || ShellScanner.runsCode(next)
                return .xargs(copy)
            }
        }
        if let literal = word.literal, !xargs.wrapper.optionsEnded, xargs.wrapper.pending == nil,
            literal.hasPrefix("-"), literal.count > 1
        {
            let name = literal.split(separator: "=").first.map(String.init) ?? literal
            if xargs.wrapper.syntax.replaceOptions.contains(name)
                || (literal.hasPrefix("-I") || literal.hasPrefix("-i")) && !literal.hasPrefix("--")
            {
                xargs.replaces = true
            }
            // `-i`, `-l` and `-e` take an argument only when it is attached.
            if ["-i", "-l", "-e"].contains(literal) { return [.xargs(xargs)] }
        }
        return advance(.wrapper(xargs.wrapper), past: word).map { next in
            var copy = xargs
            switch next {
            case .wrapper(let wrapper): copy.wrapper = wrapper
            default:
                copy.inner = next
                copy.innerRunsCode = ShellScanner.runsCode(next)
            }
            return .xargs(copy)
        }
    }

    /// Whether a command read this way runs code from some argument (so putting input items there is unsafe).
    static func runsCode(_ reading: CommandReading) -> Bool {
        switch reading {
        case .data, .command, .caseHeader, .functionName: false
        default: true
        }
    }

    // MARK: At the end of the command

    /// Whether the command reads the program it runs from its standard input.
    func readsProgramFromStdin(_ reading: CommandReading) -> Bool {
        switch reading {
        case .program(let program): program.readsProgramFromStdin
        case .code(_, let readsStdin): readsStdin
        case .source(_, _, let readsStdin): readsStdin
        case .find(let inner, let innerReadsStdin): innerReadsStdin || inner.map(readsProgramFromStdin) == true
        case .wrapper(let wrapper): wrapper.runsShell
        case .xargs(let xargs):
            // The items become arguments: code if they land where the command reads its program or code.
            if let inner = xargs.inner {
                (xargs.replaces && xargs.innerRunsCode) || place(of: inner).hazard != nil
                    || place(of: inner).namesCommand
            } else {
                false  // no command: `echo`
            }
        case .opaque: true
        default: false
        }
    }

    /// The name to give in a message about a command that reads its program from standard input.
    func programName(_ reading: CommandReading) -> String? {
        switch reading {
        case .program(let program): program.name
        case .code(let name, _), .source(let name, _, _), .opaque(let name): name
        case .find(let inner, _): inner.flatMap(programName) ?? "find"
        case .wrapper(let wrapper): wrapper.name
        case .xargs(let xargs): xargs.wrapper.name
        default: nil
        }
    }
}
