/// Rules on the commands of RUN: DL3003, DL3004, DL3047, DL3059, DL4001, DL4006.
extension DockerfileRuleRun {
    mutating func checkCommands() {
        var downloaders: [Int: (tool: String, stage: Int)] = [:]
        var reportedBothTools: Set<Int> = []
        for run in shellRuns(includingTriggers: true) {
            for command in run.shell.commands {
                if command.baseName == "cd", let word = command.words.first {
                    report("DL3003", word.span, "Use WORKDIR instead of `cd` in RUN: the directory does not carry over to the next instruction.")
                }
                if let sudo = command.prefixes.first(where: { $0.text == "sudo" }) {
                    report("DL3004", sudo.span, "Do not use sudo: RUN already runs as the current USER; switch USER instead.")
                }
                if command.baseName == "wget" { checkWget(command) }
                guard let stage = run.instruction.stage, !run.isTrigger,
                      let tool = command.baseName, tool == "wget" || tool == "curl", let word = command.words.first else { continue }
                if let seen = downloaders[stage], seen.tool != tool {
                    if !reportedBothTools.contains(stage) {
                        reportedBothTools.insert(stage)
                        report("DL4001", word.span, "This stage uses both \(seen.tool) and \(tool); use one of them.")
                    }
                } else if downloaders[stage] == nil {
                    downloaders[stage] = (tool, stage)
                }
            }
            checkPipefail(run)
        }
        checkConsecutiveRuns()
    }

    /// DL3047: wget prints a progress bar line for every few kilobytes unless told otherwise.
    private mutating func checkWget(_ command: ShellCommand) {
        let quiet: Set<String> = ["-q", "--quiet", "-nv", "--no-verbose", "-o", "--output-file", "-a", "--append-output"]
        let valueOptions = Set("OoaPtTwUeiBYlAR".utf8)
        for argument in command.arguments {
            let text = argument.text
            if quiet.contains(text) || text.hasPrefix("--progress") || text.hasPrefix("--output-file=") || text.hasPrefix("--append-output=") {
                return
            }
            if text.hasPrefix("-"), !text.hasPrefix("--") {
                for byte in text.utf8.dropFirst() {
                    if "qoa".utf8.contains(byte) { return }
                    if valueOptions.contains(byte) { break }
                }
            }
        }
        guard let wget = command.words.first else { return }
        let fix = Fix("Add --progress=dot:giga", edits: [insert(" --progress=dot:giga", at: wget.endOffset)])
        report("DL3047", wget.span, "wget without --progress writes a progress line per chunk into the build log; add --progress=dot:giga or -q.",
               fix: fix)
    }

    /// The shell a RUN runs under: the last SHELL before it in its stage or the stages it is built FROM.
    func shellWords(before instruction: Instruction) -> [String]? {
        guard let stage = instruction.stage else { return nil }
        for stageIndex in dockerfile.stageChain(from: stage) {
            let candidates = shellsByStage[stageIndex] ?? []
            if let shell = candidates.last(where: { stageIndex != stage || $0.index < instruction.index }) {
                return shell.words.map(\.text)
            }
        }
        return nil
    }

    /// DL4006: a pipe's exit status is the last command's unless pipefail is set.
    private mutating func checkPipefail(_ run: ShellInstruction) {
        guard let pipe = run.shell.commands.firstIndex(where: { $0.separator.isPipe }) else { return }
        if let shell = shellWords(before: run.instruction) {
            if let executable = shell.first, !["sh", "bash", "ash", "dash", "zsh", "ksh"].contains(executable.split(separator: "/").last.map(String.init) ?? executable) {
                return
            }
            if zip(shell, shell.dropFirst()).contains(where: { $0 == "-o" && $1 == "pipefail" }) { return }
        }
        let setsPipefail = run.shell.commands[..<pipe].contains { command in
            guard command.name == "set" else { return false }
            let arguments = command.arguments.map(\.text)
            return zip(arguments, arguments.dropFirst()).contains { option, value in
                value == "pipefail" && option.hasPrefix("-") && !option.hasPrefix("--") && option.hasSuffix("o")
            }
        }
        guard !setsPipefail, let span = run.shell.commands[pipe].separatorSpan else { return }
        report("DL4006", span,
               "A failure before this pipe is ignored; set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before this RUN (or `set -o pipefail` in it).")
    }

    /// DL3059: a RUN right after a RUN with the same flags, neither chaining commands.
    private mutating func checkConsecutiveRuns() {
        for stage in dockerfile.stages {
            var previous: Instruction?
            for instruction in dockerfile.instructions(in: stage.index) {
                defer { previous = instruction }
                guard instruction.kind == .run, let before = previous, before.kind == .run else { continue }
                let sameFlags = before.flags.map { [$0.name, $0.value ?? ""] } == instruction.flags.map { [$0.name, $0.value ?? ""] }
                guard sameFlags, !Self.chainsCommands(before), !Self.chainsCommands(instruction) else { continue }
                report("DL3059", instruction.keywordSpan, "This RUN follows another RUN; join them with && to make one layer.")
            }
        }
    }

    private static func chainsCommands(_ instruction: Instruction) -> Bool {
        guard let shell = instruction.shell else { return false }
        return shell.commands.filter { !$0.words.isEmpty || !$0.assignments.isEmpty }.count > 1
            && shell.commands.contains { [.and, .or, .semicolon, .newline].contains($0.separator) }
    }
}
