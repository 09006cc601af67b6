extension PipInstallCommand {
    /// At most this many words are read; a longer command is not recognised.
    static let maximumWords = 4096

    /// Reads one shell command's words; nil unless it is a `pip install` (`pip`, `pip3`,
    /// `pip3.11`, any path to them, `python[3[.11]] -m pip`, `uv pip`), maybe after `VAR=value`
    /// words, `sudo` or `env`. Options come as `--index-url=x` or `--index-url x`.
    public static func parse(_ words: [PipWord]) -> PipInstallCommand? {
        guard words.count <= maximumWords else { return nil }
        var environment: [String: String] = [:]
        var index = skipPrefixes(words, environment: &environment)
        guard index < words.count else { return nil }
        let executable = words[index]
        let name = basename(executable.text)
        let runner: Runner
        if isVersioned(name, stem: "pip") {
            runner = .pip
            index += 1
        } else if isVersioned(name, stem: "python") {
            index += 1
            while index < words.count, words[index].text.hasPrefix("-"), words[index].text != "-m", words[index].text != "-mpip" {
                if ["-W", "-X"].contains(words[index].text) { index += 1 }
                index += 1
            }
            guard index < words.count else { return nil }
            if words[index].text == "-mpip" {
                index += 1
            } else {
                guard words[index].text == "-m", index + 1 < words.count, isVersioned(words[index + 1].text, stem: "pip") else { return nil }
                index += 2
            }
            runner = .pythonModule
        } else if name == "uv" {
            guard index + 1 < words.count, words[index + 1].text == "pip" else { return nil }
            runner = .uv
            index += 2
        } else {
            return nil
        }
        let reader = PipArgumentReader(words: words)
        var flags = PipInstallCommand.placeholder(words: words, runner: runner, executable: executable)
        // General options may come before the subcommand (`pip --no-cache-dir install …`).
        while index < words.count, words[index].text.hasPrefix("-") {
            index = reader.read(at: index, into: &flags)
        }
        guard index < words.count, words[index].text == "install" else { return nil }
        var command = PipInstallCommand(words: words, runner: runner, executable: executable, installWord: words[index],
                                        isVirtualEnvironmentPip: isVirtualEnvironmentPath(executable.text))
        command.environment = environment
        command.absorb(flags)
        index += 1
        var onlyPackages = false
        while index < words.count {
            if !onlyPackages, words[index].text == "--" {
                onlyPackages = true
                index += 1
            } else if !onlyPackages, words[index].text.hasPrefix("-"), words[index].text.count > 1 {
                index = reader.read(at: index, into: &command)
            } else {
                command.addPackage(words[index], editable: false)
                index += 1
            }
        }
        return command
    }

    /// Skips `VAR=value` words (recording them), `sudo` and `env` with their options.
    private static func skipPrefixes(_ words: [PipWord], environment: inout [String: String]) -> Int {
        var index = 0
        while index < words.count {
            let text = words[index].text
            if let equals = text.firstIndex(of: "="), isVariableName(text[..<equals]) {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
                index += 1
            } else if ["sudo", "env"].contains(basename(text)) {
                index += 1
                while index < words.count, words[index].text.hasPrefix("-") {
                    if ["-u", "-g", "-C", "-S", "-P"].contains(words[index].text) { index += 1 }
                    index += 1
                }
            } else {
                break
            }
        }
        return index
    }

    private static func isVariableName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func basename(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    /// `pip`, `pip3`, `pip3.11` (and `python`, `python3`, `python3.11`).
    static func isVersioned(_ name: String, stem: String) -> Bool {
        guard name.hasPrefix(stem) else { return false }
        let rest = name.dropFirst(stem.count)
        guard !rest.isEmpty else { return true }
        guard let first = rest.first, first.isASCII, first.isNumber, rest.last?.isNumber == true else { return false }
        return rest.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." } && !rest.contains("..")
    }

    /// A virtual environment's program: a `venv`/`.venv` directory, or a `bin/` not under `/usr`.
    static func isVirtualEnvironmentPath(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard components.count >= 2 else { return false }
        if components.dropLast().contains(where: { $0 == "venv" || $0 == ".venv" }) { return true }
        return components[components.count - 2] == "bin" && components.first != "usr" && components.first != "bin"
    }

    /// A command value that only collects options met before `install`.
    private static func placeholder(words: [PipWord], runner: Runner, executable: PipWord) -> PipInstallCommand {
        PipInstallCommand(words: words, runner: runner, executable: executable, installWord: executable, isVirtualEnvironmentPip: false)
    }

    /// Takes over the options collected before `install`.
    private mutating func absorb(_ other: PipInstallCommand) {
        noCacheDir = noCacheDir || other.noCacheDir
        noIndex = noIndex || other.noIndex
        breakSystemPackages = breakSystemPackages || other.breakSystemPackages
        user = user || other.user
        pre = pre || other.pre
        upgrade = upgrade || other.upgrade
        noDeps = noDeps || other.noDeps
        system = system || other.system
        cacheDirectory = other.cacheDirectory ?? cacheDirectory
        indexURL = other.indexURL ?? indexURL
        extraIndexURLs = other.extraIndexURLs + extraIndexURLs
        findLinks = other.findLinks + findLinks
        requirementFiles = other.requirementFiles + requirementFiles
        constraintFiles = other.constraintFiles + constraintFiles
        unknownOptions = other.unknownOptions + unknownOptions
        packages = other.packages + packages
        findings = other.findings + findings
    }

    /// Adds a package word: a requirement, URL, path or `-e` target.
    mutating func addPackage(_ word: PipWord, editable: Bool) {
        let bytes = Array(word.text.utf8)
        guard !bytes.isEmpty else { return }
        let locate = Requirement.wordLocator(bytes: bytes, span: word.span, raw: word.raw)
        let hasExpansion = word.text.contains("$") || word.text.contains("`")
        var form = RequirementTarget.form(of: bytes[...])
        if editable, form == .pep508 { form = .location(.path) }
        switch form {
        case .pep508:
            switch Requirement.parse(bytes: bytes, locate: locate) {
            case .success(let requirement):
                packages.append(PipPackage(word: word, kind: requirement.url == nil ? .named : .url, requirement: requirement,
                                           location: requirement.url, isEditable: editable, isUnresolved: hasExpansion))
            case .failure(let error):
                if hasExpansion {
                    let nameEnd = bytes.firstIndex { !PEP508Bytes.isNameCharacter($0) } ?? bytes.count
                    let name = PythonArchiveName.validName(Array(bytes[..<nameEnd]))
                    packages.append(PipPackage(word: word, kind: .named, requirement: nil, location: nil, isEditable: editable,
                                               isUnresolved: true, unresolvedName: name))
                } else {
                    findings.append(LocatedSyntaxError(error.message, span: locate(error.offset..<(error.offset + error.length))).finding)
                }
            }
        case .location(let kind):
            switch RequirementTarget.requirement(location: bytes, kind: kind, locate: locate) {
            case .success(let target):
                packages.append(PipPackage(word: word, kind: kind, requirement: target.requirement, location: target.location,
                                           isEditable: editable, isUnresolved: hasExpansion))
            case .failure(let error):
                if hasExpansion {
                    packages.append(PipPackage(word: word, kind: kind, requirement: nil, location: word.text, isEditable: editable, isUnresolved: true))
                } else {
                    findings.append(LocatedSyntaxError(error.message, span: locate(error.offset..<(error.offset + error.length))).finding)
                }
            }
        }
    }
}
