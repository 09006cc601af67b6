/// One `apt-get install` (or `apt install`) command, its options and package words.
struct AptInstall {
    var command: ShellCommand
    /// `apt-get` or `apt`.
    var tool: ShellWord
    /// The `install` word.
    var subcommand: ShellWord
    var options: [ShellWord]
    var packages: [ShellWord]

    /// Options that take a separate value.
    private static let optionsWithValue: Set<String> = [
        "-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a", "--host-architecture",
    ]

    /// Reads `command` when it is `apt-get|apt [options] install [options] packages`.
    init?(_ command: ShellCommand) {
        guard let tool = command.words.first, command.baseName == "apt-get" || command.baseName == "apt" else { return nil }
        var options: [ShellWord] = []
        var packages: [ShellWord] = []
        var subcommand: ShellWord?
        var index = 1
        let words = command.words
        while index < words.count {
            let word = words[index]
            index += 1
            if word.text.hasPrefix("-") {
                options.append(word)
                if Self.optionsWithValue.contains(word.text), index < words.count {
                    options.append(words[index])
                    index += 1
                }
            } else if subcommand == nil {
                subcommand = word
            } else {
                packages.append(word)
            }
        }
        guard let install = subcommand, install.text == "install" else { return nil }
        self.command = command
        self.tool = tool
        self.subcommand = install
        self.options = options
        self.packages = packages
    }

    private var optionTexts: [String] { options.map(\.text) }

    /// `-y`, `--yes`, `--assume-yes`, `-qq`, `-q=2`, a short cluster with `y`, or `-o APT::Get::Assume-Yes=true`.
    var assumesYes: Bool {
        let texts = optionTexts
        if texts.contains(where: { ["-y", "--yes", "--assume-yes", "-qq", "-q=2", "--quiet=2"].contains($0) }) { return true }
        if texts.filter({ $0 == "-q" || $0 == "--quiet" }).count >= 2 { return true }
        if texts.contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.dropFirst().contains("y") && !$0.contains("=") }) { return true }
        return texts.contains { $0.lowercased().hasPrefix("apt::get::assume-yes=") && ["true", "1", "yes"].contains($0.split(separator: "=").last.map { $0.lowercased() } ?? "") }
    }

    /// `--no-install-recommends` or `-o APT::Install-Recommends=false`.
    var skipsRecommends: Bool {
        optionTexts.contains { text in
            text == "--no-install-recommends"
                || (text.lowercased().hasPrefix("apt::install-recommends=") && ["false", "0", "no"].contains(text.split(separator: "=").last.map { $0.lowercased() } ?? ""))
        }
    }

    /// The package words without a version: no `=`, not a path or `.deb`, no variable.
    var unpinnedPackages: [ShellWord] {
        packages.filter { word in
            !word.text.contains("=") && !word.text.contains("/") && !word.text.hasSuffix(".deb") && !word.text.contains("$")
        }
    }

    /// From the tool to the `install` word (what DL3014/DL3015/apt-no-update point at).
    var commandSpan: (start: Int, end: Int) { (tool.span.offset, subcommand.endOffset) }
}

/// apt rules: DL3008, DL3009, DL3014, DL3015, DL3027, `apt-no-update`, `debian-frontend`.
extension DockerfileRuleRun {
    mutating func checkApt() {
        let shipped = shippedStages
        var frontendReported: Set<Int> = []
        for run in shellRuns(includingTriggers: true) {
            let commands = run.shell.commands
            var updated = false
            var frontendExported = false
            var lastInstall: AptInstall?
            for command in commands {
                if command.baseName == "apt" { checkAptCommand(command) }
                if (command.baseName == "apt-get" || command.baseName == "apt"),
                   command.words.dropFirst().first(where: { !$0.text.hasPrefix("-") })?.text == "update" {
                    updated = true
                }
                if command.name == "export", command.arguments.contains(where: { $0.text == "DEBIAN_FRONTEND=noninteractive" }) {
                    frontendExported = true
                }
                guard let install = AptInstall(command) else { continue }
                let span = dockerfile.source.span(from: install.commandSpan.start, to: install.commandSpan.end)
                if install.tool.text.hasSuffix("apt-get") {
                    checkHadolintApt(install, span: span)
                    lastInstall = install
                }
                guard !run.isTrigger, let stage = run.instruction.stage else { continue }
                if !updated { reportMissingUpdate(install, span: span) }
                if !frontendExported, !frontendReported.contains(stage),
                   !hasNoninteractiveFrontend(install.command, before: run.instruction, stage: stage) {
                    frontendReported.insert(stage)
                    reportFrontend(span: span, stage: stage)
                }
            }
            if let install = lastInstall, let stage = run.instruction.stage, shipped.contains(stage) || run.isTrigger {
                checkListsCleanup(run, install: install)
            }
        }
    }

    private mutating func checkHadolintApt(_ install: AptInstall, span: SourceSpan) {
        let unpinned = install.unpinnedPackages
        if let first = unpinned.first {
            let names = unpinned.prefix(5).map(\.text).joined(separator: ", ") + (unpinned.count > 5 ? ", …" : "")
            report("DL3008", first.span, "Pin versions in apt-get install (\(names)): `\(first.text)=<version>`.")
        }
        if !install.assumesYes {
            report("DL3014", span, "apt-get install without -y waits for a confirmation the build cannot give.",
                   fix: Fix("Add -y", edits: [insert(" -y", at: install.subcommand.endOffset)]))
        }
        if !install.skipsRecommends {
            report("DL3015", span, "apt-get install without --no-install-recommends also installs recommended packages.",
                   fix: Fix("Add --no-install-recommends", edits: [insert(" --no-install-recommends", at: install.subcommand.endOffset)]))
        }
    }

    /// DL3027, with a fix when apt-get has the same subcommand.
    private mutating func checkAptCommand(_ command: ShellCommand) {
        guard let apt = command.words.first else { return }
        let same: Set<String> = ["install", "update", "upgrade", "remove", "purge", "autoremove", "dist-upgrade",
                                 "clean", "autoclean", "source", "build-dep", "download", "check", "satisfy"]
        let subcommand = command.arguments.first { !$0.text.hasPrefix("-") }?.text ?? ""
        var fix: Fix?
        if same.contains(subcommand) {
            let replacement = apt.raw.hasSuffix("/apt") ? String(apt.raw.dropLast(3)) + "apt-get" : "apt-get"
            fix = Fix("Use apt-get", edits: [replace(apt.span, with: replacement)])
        }
        report("DL3027", apt.span, "`apt` is meant for terminals and warns that its interface may change; use apt-get in a Dockerfile.", fix: fix)
    }

    private mutating func reportMissingUpdate(_ install: AptInstall, span: SourceSpan) {
        let command = install.command
        let reserved: Set<String> = ["!", "{", "then", "do", "else", "elif", "if", "while", "until", "time"]
        let tokens = command.assignments + command.prefixes.filter { !reserved.contains($0.raw) } + command.words
        var fix: Fix?
        if let start = tokens.map(\.span.offset).min() {
            fix = Fix("Run apt-get update first in the same RUN", edits: [insert("apt-get update && ", at: start)])
        }
        report("apt-no-update", span,
               "\(install.tool.text) install without \(install.tool.text) update in the same RUN: a cached layer keeps stale package lists and the install fails with 404s.",
               fix: fix)
    }

    /// DEBIAN_FRONTEND=noninteractive in the command's own assignments, or ENV/ARG in scope.
    private func hasNoninteractiveFrontend(_ command: ShellCommand, before instruction: Instruction, stage: Int) -> Bool {
        if command.assignments.contains(where: { $0.text == "DEBIAN_FRONTEND=noninteractive" }) { return true }
        return frontend(in: stage, before: instruction.index) == "noninteractive"
    }

    private static let nonDebianImages = ["alpine", "fedora", "centos", "rhel", "ubi", "amazonlinux", "rockylinux", "almalinux",
                                          "opensuse", "archlinux", "oraclelinux", "photon", "busybox", "wolfi", "chainguard"]

    private mutating func reportFrontend(span: SourceSpan, stage: Int) {
        if let base = dockerfile.externalBase(of: stage) {
            let name = DockerImageReference(base.baseImage).name.lowercased()
            let last = name.split(separator: "/").last.map(String.init) ?? name
            if Self.nonDebianImages.contains(where: { last.hasPrefix($0) }) { return }
        }
        let from = dockerfile.instructions[dockerfile.stages[stage].fromIndex]
        let bytes = dockerfile.source.bytes
        let lineEnd = from.span.offset + from.span.length
        var newline = lineEnd
        while newline < bytes.count, bytes[newline] != DockerfileASCII.newline { newline += 1 }
        let edit: TextEdit
        if newline < bytes.count {
            let ending = newline > 0 && bytes[newline - 1] == DockerfileASCII.carriageReturn ? "\r\n" : "\n"
            edit = insert("ARG DEBIAN_FRONTEND=noninteractive" + ending, at: newline + 1)
        } else {
            edit = insert("\nARG DEBIAN_FRONTEND=noninteractive", at: bytes.count)
        }
        report("debian-frontend", span,
               "apt-get install without DEBIAN_FRONTEND=noninteractive: packages such as tzdata ask questions and the build hangs.",
               fix: Fix("Add ARG DEBIAN_FRONTEND=noninteractive after FROM", edits: [edit]))
    }

    /// DL3009: the lists stay in the layer unless the same RUN removes them (or they are a cache mount).
    private mutating func checkListsCleanup(_ run: ShellInstruction, install: AptInstall) {
        let cleans = run.shell.commands.contains { command in
            command.baseName == "rm" && command.arguments.contains { $0.text.hasPrefix("/var/lib/apt/lists") }
        }
        let cached = run.instruction.flags(named: "mount").contains { flag in
            let value = flag.value ?? ""
            return value.contains("type=cache") && (value.contains("/var/lib/apt/lists") || value.contains("target=/var/lib/apt,")
                || value.hasSuffix("target=/var/lib/apt") || value.contains("target=/var/lib/apt/,") || value.hasSuffix("target=/var/lib/apt/"))
        }
        guard !cleans, !cached else { return }
        var fix: Fix?
        let command = install.command
        if [.end, .and, .semicolon, .newline].contains(command.separator) {
            let end = command.span.offset + command.span.length
            fix = Fix("Remove the apt lists in the same RUN", edits: [insert(" && rm -rf /var/lib/apt/lists/*", at: end)])
        }
        let span = dockerfile.source.span(from: install.commandSpan.start, to: install.commandSpan.end)
        report("DL3009", span, "The apt package lists stay in this layer; add `&& rm -rf /var/lib/apt/lists/*` to the install.", fix: fix)
    }
}
