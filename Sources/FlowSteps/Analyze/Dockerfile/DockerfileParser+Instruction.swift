/// Builds an `Instruction` from its joined text, and keeps stages and ARG/ENV scopes as it goes.
extension DockerfileParserState {
    /// The lookup for words of an instruction at this point: FROM sees the global ARGs, others
    /// the current stage's ARG and ENV (or the global ARGs before the first FROM).
    func currentLookup(for kind: Instruction.Kind) -> (String) -> String? {
        if kind == .from || stages.isEmpty {
            let values = globalArgValues
            return { values[$0] }
        }
        let scope = self.scope
        return { scope.lookup($0) }
    }

    mutating func buildInstruction(logical: LogicalText, keywordLength: Int, arguments: LogicalText,
                                   span: SourceSpan, heredocs: [Heredoc]) -> Instruction {
        let keyword = String(decoding: logical.bytes[0..<keywordLength], as: UTF8.self)
        let kind = Instruction.Kind(keyword: keyword)
        let stage: Int? = kind == .from ? stages.count : (stages.isEmpty ? nil : stages.count - 1)
        var instruction = Instruction(kind: kind, keyword: keyword, keywordSpan: logical.span(from: 0, to: keywordLength),
                                      span: span, index: instructions.count, stage: stage, arguments: arguments)
        if kind != .onbuild { instruction.heredocs = heredocs }
        let context = WordContext(substitutes: kind.expandsVariables, lookup: currentLookup(for: kind))
        parseBody(&instruction, context: context, heredocs: heredocs, nested: false)
        apply(instruction)
        return instruction
    }

    /// Parses the arguments of `instruction` by its kind.
    mutating func parseBody(_ instruction: inout Instruction, context: WordContext, heredocs: [Heredoc], nested: Bool) {
        let kind = instruction.kind
        if kind == .unknown {
            problem("Unknown instruction `\(instruction.keyword.prefix(80))`.", at: instruction.keywordSpan)
            instruction.words = splitWords(instruction.arguments).map { word($0, in: instruction.arguments, context: context) }
            return
        }
        let (flags, rest) = extractFlags(instruction.arguments, context: context)
        instruction.flags = flags
        instruction.arguments = rest
        for flag in flags where !kind.knownFlags.contains(flag.name) {
            problem("\(instruction.keyword.uppercased()) has no flag `--\(flag.name)`.", at: flag.span)
        }
        if rest.bytes.isEmpty {
            problem("\(instruction.keyword.uppercased()) needs arguments.", at: instruction.keywordSpan)
            return
        }
        let splitAll = { (state: inout DockerfileParserState) -> [ShellWord] in
            let raws = state.splitWords(rest)
            if raws.count >= Self.maximumWords {
                state.problem("Too many arguments; only the first \(Self.maximumWords) are read.", at: rest.span)
            }
            return raws.map { state.word($0, in: rest, context: context) }
        }
        switch kind {
        case .from:
            instruction.words = splitAll(&self)
            let words = instruction.words
            if !(words.count == 1 || (words.count == 3 && words[1].text.lowercased() == "as")) {
                problem("FROM takes an image and an optional `AS name`.", at: rest.span)
            }
        case .run, .cmd, .entrypoint:
            commandForm(&instruction)
        case .shell:
            commandForm(&instruction)
            if !instruction.isExecForm { problem("SHELL needs the JSON form: SHELL [\"executable\", \"parameters\"].", at: rest.span) }
        case .copy, .add, .volume:
            listForm(&instruction, context: context)
        case .env, .label:
            instruction.pairs = nameValuePairs(instruction, context: context)
        case .arg:
            instruction.pairs = argumentPairs(instruction, context: context)
        case .expose, .stopsignal:
            instruction.words = splitAll(&self)
        case .user, .workdir:
            let raw = RawWord(range: 0..<trimmedLength(rest.bytes), bytes: Array(rest.bytes.prefix(trimmedLength(rest.bytes))))
            instruction.words = [word(raw, in: rest, context: context)]
        case .maintainer:
            // Taken as written: no quote removal, no substitution.
            let text = String(decoding: rest.bytes.prefix(trimmedLength(rest.bytes)), as: UTF8.self)
            instruction.words = [ShellWord(text: text, raw: text, span: rest.span(from: 0, to: trimmedLength(rest.bytes)))]
        case .healthcheck:
            healthcheck(&instruction, context: context)
        case .onbuild:
            onbuild(&instruction, heredocs: heredocs, nested: nested)
        case .unknown:
            break
        }
    }

    private func trimmedLength(_ bytes: [UInt8]) -> Int {
        var end = bytes.count
        while end > 0, Self.isBlank(bytes[end - 1]) { end -= 1 }
        return end
    }

    /// COPY, ADD and VOLUME: a JSON list or whitespace-separated words; heredoc markers are kept as written.
    mutating func listForm(_ instruction: inout Instruction, context: WordContext) {
        let text = instruction.arguments
        if let elements = ExecFormParser.parse(text.bytes) {
            instruction.isExecForm = true
            instruction.words = elements.map { element in
                let expansion = VariableExpander.expand(Array(element.value.utf8), escape: escape, removeQuotes: false,
                                                        substitute: context.substitutes, lookup: context.lookup)
                return ShellWord(text: expansion.value, raw: String(decoding: text.bytes[element.range], as: UTF8.self),
                                 span: text.span(from: element.range.lowerBound, to: element.range.upperBound),
                                 unsetVariables: expansion.unsetVariables)
            }
        } else {
            instruction.words = splitWords(text).map { raw in
                let span = text.span(from: raw.range.lowerBound, to: raw.range.upperBound)
                if instruction.heredocs.contains(where: { $0.markerSpan.offset == span.offset }) {
                    return ShellWord(text: String(decoding: raw.bytes, as: UTF8.self), raw: String(decoding: raw.bytes, as: UTF8.self), span: span)
                }
                return word(raw, in: text, context: context)
            }
        }
        if instruction.kind != .volume, instruction.words.count < 2 {
            problem("\(instruction.keyword.uppercased()) needs at least one source and a destination.", at: text.span)
        }
    }

    /// `HEALTHCHECK [flags] CMD command` or `HEALTHCHECK NONE`.
    mutating func healthcheck(_ instruction: inout Instruction, context: WordContext) {
        let text = instruction.arguments
        let first = text.bytes.prefix { !Self.isBlank($0) }
        let keyword = String(decoding: first, as: UTF8.self).uppercased()
        if keyword == "NONE" {
            instruction.words = [ShellWord(text: "NONE", raw: String(decoding: first, as: UTF8.self), span: text.span(from: 0, to: first.count))]
            if trimmedLength(text.bytes) > first.count { problem("HEALTHCHECK NONE takes no arguments.", at: text.span) }
            return
        }
        guard keyword == "CMD" else {
            problem("HEALTHCHECK needs `CMD command` or `NONE`.", at: text.span(from: 0, to: first.count))
            return
        }
        var start = first.count
        while start < text.bytes.count, Self.isBlank(text.bytes[start]) { start += 1 }
        instruction.arguments = text.slice(start..<text.bytes.count)
        if instruction.arguments.bytes.isEmpty {
            problem("HEALTHCHECK CMD needs a command.", at: text.span)
            return
        }
        commandForm(&instruction)
    }

    /// ONBUILD: the wrapped instruction, parsed as written (it runs in a later build).
    mutating func onbuild(_ instruction: inout Instruction, heredocs: [Heredoc], nested: Bool) {
        let text = instruction.arguments
        let keywordLength = text.bytes.prefix { !Self.isBlank($0) }.count
        let keyword = String(decoding: text.bytes[0..<keywordLength], as: UTF8.self)
        let kind = Instruction.Kind(keyword: keyword)
        let keywordSpan = text.span(from: 0, to: keywordLength)
        switch kind {
        case .onbuild:
            problem("ONBUILD ONBUILD is not allowed.", at: keywordSpan)
            return
        case .from, .maintainer:
            problem("\(keyword.uppercased()) is not allowed as an ONBUILD trigger.", at: keywordSpan)
        default:
            break
        }
        guard !nested else { return }
        var start = keywordLength
        while start < text.bytes.count, Self.isBlank(text.bytes[start]) { start += 1 }
        var trigger = Instruction(kind: kind, keyword: keyword, keywordSpan: keywordSpan, span: text.span,
                                  index: instruction.index, stage: instruction.stage,
                                  arguments: text.slice(start..<text.bytes.count))
        trigger.heredocs = heredocs
        let lookup = currentLookup(for: kind)
        parseBody(&trigger, context: WordContext(substitutes: false, lookup: lookup), heredocs: heredocs, nested: true)
        instruction.trigger = trigger
        instruction.heredocs = []
    }

    /// Records the instruction in its stage, opens a stage for FROM, and applies ARG and ENV.
    mutating func apply(_ instruction: Instruction) {
        switch instruction.kind {
        case .from:
            openStage(instruction)
        case .arg:
            for pair in instruction.pairs { declareArgument(pair, at: instruction.index) }
        case .env:
            if !stages.isEmpty {
                for pair in instruction.pairs {
                    define(VariableDefinition(instruction: instruction.index, name: pair.key, value: pair.value ?? "", isEnv: true))
                }
            }
        default:
            break
        }
        if !stages.isEmpty, instruction.kind != .from {
            stages[stages.count - 1].instructionIndices.append(instruction.index)
        }
    }

    private mutating func declareArgument(_ pair: KeyValue, at index: Int) {
        guard !stages.isEmpty else {
            globalArgs.append(pair)
            if let value = buildArgs[pair.key] ?? pair.value {
                globalArgValues[pair.key] = value
            } else {
                globalArgValues.removeValue(forKey: pair.key)
            }
            return
        }
        let value = buildArgs[pair.key] ?? pair.value ?? globalArgValues[pair.key]
        define(VariableDefinition(instruction: index, name: pair.key, value: value, isEnv: false))
    }

    private mutating func define(_ definition: VariableDefinition) {
        stages[stages.count - 1].definitions.append(definition)
        scope.apply(definition)
    }

    /// Stores the running scope as the current stage's final one.
    mutating func closeStage() {
        guard !stages.isEmpty else { return }
        stages[stages.count - 1].endScope = scope
    }

    private mutating func openStage(_ instruction: Instruction) {
        closeStage()
        let words = instruction.words
        let image = words.first
        var name: ShellWord?
        if words.count == 3, words[1].text.lowercased() == "as" {
            name = words[2]
            if let stageName = name, !isValidStageName(stageName.text) {
                problem("`\(stageName.text.prefix(80))` is not a valid stage name: use letters, digits, `-`, `_` and `.`, starting with a letter.",
                        at: stageName.span)
            }
        }
        let imageText = image?.text ?? ""
        let baseStage = imageText.isEmpty ? nil : stageIndexByName[imageText.lowercased()]
        let inherited = baseStage.map { stages[$0].endScope.env } ?? [:]
        let stage = Stage(index: stages.count, name: name?.text, nameSpan: name?.span, fromIndex: instruction.index,
                          instructionIndices: [instruction.index], baseImage: imageText, baseImageWord: image,
                          baseStage: baseStage, platform: instruction.flag("platform"),
                          inheritedEnvironment: inherited, definitions: [],
                          endScope: VariableScope(env: inherited, args: [:]))
        stages.append(stage)
        if let key = name?.text.lowercased(), stageIndexByName[key] == nil { stageIndexByName[key] = stage.index }
        scope = VariableScope(env: inherited, args: [:])
    }

    private func isValidStageName(_ name: String) -> Bool {
        let bytes = Array(name.lowercased().utf8)
        guard let first = bytes.first, first >= DockerfileASCII.lowerA, first <= DockerfileASCII.lowerZ else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == DockerfileASCII.dash || $0 == DockerfileASCII.underscore || $0 == DockerfileASCII.dot }
    }
}
