/// Single-instruction rules: DL3000, DL3020, DL3025, DL3045, DL4000.
extension DockerfileRuleRun {
    mutating func checkInstructions() {
        var workdirStages: Set<Int> = []
        for instruction in dockerfile.instructions {
            switch instruction.kind {
            case .workdir:
                if let stage = instruction.stage { workdirStages.insert(stage) }
                checkWorkdir(instruction)
            case .maintainer:
                checkMaintainer(instruction)
            case .cmd, .entrypoint:
                checkShellForm(instruction)
            case .add:
                checkAdd(instruction)
            case .copy:
                checkCopyDestination(instruction, workdirStages: workdirStages)
            default:
                break
            }
        }
    }

    static func isAbsolute(_ path: String) -> Bool {
        if path.hasPrefix("/") { return true }
        let bytes = Array(path.utf8)
        // Windows: C:\ or C:/
        return bytes.count >= 3 && ((bytes[0] | 0x20) >= DockerfileASCII.lowerA && (bytes[0] | 0x20) <= DockerfileASCII.lowerZ)
            && bytes[1] == DockerfileASCII.colon && (bytes[2] == DockerfileASCII.slash || bytes[2] == DockerfileASCII.backslash)
    }

    private mutating func checkWorkdir(_ instruction: Instruction) {
        guard let word = instruction.words.first, word.unsetVariables.isEmpty, !word.text.isEmpty else { return }
        if !Self.isAbsolute(word.text) {
            report("DL3000", word.span, "WORKDIR \(word.text) is relative; use an absolute path (it resolves against the previous WORKDIR).")
        }
    }

    private mutating func checkMaintainer(_ instruction: Instruction) {
        let name = instruction.words.first?.text ?? ""
        let escape = String(dockerfile.escapeCharacter)
        var quoted = ""
        for character in name {
            if character == "\"" || character == "$" || String(character) == escape { quoted += escape }
            quoted.append(character)
        }
        let fix = Fix("Replace MAINTAINER with LABEL maintainer=\"…\"",
                      edits: [replace(instruction.span, with: "LABEL maintainer=\"\(quoted)\"")])
        report("DL4000", instruction.keywordSpan, "MAINTAINER is deprecated; use LABEL maintainer=\"\(name)\".", fix: fix)
    }

    /// DL3025, with a fix to the JSON form when the words carry no shell syntax.
    private mutating func checkShellForm(_ instruction: Instruction) {
        guard !instruction.isExecForm, let shell = instruction.shell else { return }
        let body = instruction.arguments
        let keyword = instruction.kind.rawValue.uppercased()
        var fix: Fix?
        let special = Set("#;&|<>()$`*?[]~\\\n{}".utf8)
        if shell.commands.count == 1, let command = shell.commands.first, command.assignments.isEmpty,
           command.prefixes.isEmpty, command.redirections.isEmpty, !command.words.isEmpty,
           !body.bytes.contains(where: { special.contains($0) }) {
            let json = "[" + command.words.map { ExecFormParser.encode($0.text) }.joined(separator: ", ") + "]"
            fix = Fix("Use the JSON form: \(keyword) \(json)", edits: [replace(body.span, with: json)])
        }
        report("DL3025", body.span,
               "\(keyword) in shell form runs under /bin/sh -c, so the process does not get SIGTERM; use the JSON form.", fix: fix)
    }

    static func isRemote(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("git@") || lower.hasPrefix("git://")
            || lower.hasPrefix("ssh://")
    }

    static func isArchive(_ source: String) -> Bool {
        let lower = source.lowercased()
        let suffixes = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz", ".tar.zst",
                        ".tzst", ".tar.lz", ".tlz", ".tar.lzma", ".tar.z", ".taz", ".gz", ".bz2", ".xz", ".zst"]
        return suffixes.contains { lower.hasSuffix($0) }
    }

    /// The source words of COPY/ADD: all but the destination, heredoc markers left out.
    static func sources(of instruction: Instruction) -> [ShellWord] {
        guard instruction.words.count >= 2 else { return [] }
        return instruction.words.dropLast().filter { !instruction.isHeredocMarker($0) }
    }

    private mutating func checkAdd(_ instruction: Instruction) {
        let sources = Self.sources(of: instruction)
        let local = sources.filter { !Self.isRemote($0.text) && !Self.isArchive($0.text) }
        guard !local.isEmpty else { return }
        var fix: Fix?
        let addOnlyFlags: Set<String> = ["checksum", "keep-git-dir", "unpack"]
        if local.count == sources.count, !instruction.flags.contains(where: { addOnlyFlags.contains($0.name) }) {
            fix = Fix("Replace ADD with COPY", edits: [replace(instruction.keywordSpan, with: "COPY")])
        }
        let names = local.prefix(3).map(\.text).joined(separator: ", ")
        report("DL3020", instruction.keywordSpan,
               "ADD copies local files (\(names)) here; use COPY, which does not also fetch URLs or unpack archives.", fix: fix)
    }

    /// DL3045: a relative destination with no WORKDIR set in the stage or the stages it is built FROM.
    private mutating func checkCopyDestination(_ instruction: Instruction, workdirStages: Set<Int>) {
        guard let stage = instruction.stage, instruction.words.count >= 2, let destination = instruction.words.last,
              destination.unsetVariables.isEmpty, !destination.text.isEmpty, !Self.isAbsolute(destination.text),
              !destination.raw.hasPrefix("$") else { return }
        let chain = dockerfile.stageChain(from: stage)
        if chain.contains(where: { workdirStages.contains($0) }) { return }
        report("DL3045", destination.span,
               "COPY to the relative path `\(destination.text)` with no WORKDIR set: where it lands depends on the base image.")
    }
}
