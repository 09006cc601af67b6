/// The values `ImageFacts` holds, made from parsed requirements and `pip install` commands.
extension RequirementsEntry {
    /// The entry as an installed package (nil when its name is not known).
    public var packageInstall: ImageFacts.PackageInstall? {
        guard let requirement else { return nil }
        return ImageFacts.PackageInstall(
            name: requirement.normalizedName, specifier: requirement.specifiers.description,
            pinnedVersion: requirement.pinnedVersion?.description, span: requirement.span,
            specifierSpan: requirement.specifierSpan, pipInstall: nil, removal: removal)
    }
}

extension RequirementsOption {
    /// The option's value where it is written (for `ImageFacts.indexURLs`).
    public var located: ImageFacts.Located? {
        guard let value, let valueSpan else { return nil }
        return ImageFacts.Located(value, span: valueSpan)
    }
}

extension PipWord {
    /// The word as a located text.
    public var located: ImageFacts.Located { ImageFacts.Located(text, span: span) }
}

extension PipInstallCommand {
    /// The command as `ImageFacts.pipInstalls` holds it. `environment` is the `ENV` in effect:
    /// `PIP_BREAK_SYSTEM_PACKAGES` there (or before the command) counts as outside the system
    /// Python, as do `--user`, a venv's pip (by its path, or a bare `pip`/`python` that `PATH`
    /// finds in a venv first), and `uv pip` without `--system`.
    public func invocation(runIndex: Int, environment: [String: String] = [:]) -> ImageFacts.PipInvocation {
        let variable = self.environment["PIP_BREAK_SYSTEM_PACKAGES"] ?? environment["PIP_BREAK_SYSTEM_PACKAGES"]
        let environmentBreaks = variable.map { !["", "0", "false", "no", "off", "n", "f"].contains($0.lowercased()) } ?? false
        let venv = isVirtualEnvironmentPip
            || Self.pathFindsVirtualEnvironment(executable: executable.text, environment: environment.merging(self.environment) { _, command in command })
        return ImageFacts.PipInvocation(
            runIndex: runIndex, commandSpan: commandSpan, breakSystemPackages: breakSystemPackages,
            outsideSystemPython: user || venv || environmentBreaks || (runner == .uv && !system))
    }

    /// The directories a system Python's `pip` lives in; `PATH` is searched up to the first of them.
    static let systemBinDirectories: Set<String> = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// Whether a bare `executable` (`pip`, `python3`) is found in a virtual environment's `bin`:
    /// `ENV PATH=/opt/venv/bin:$PATH` is how a Dockerfile activates a venv. A `PATH` entry before
    /// the system directories counts when it is `$VIRTUAL_ENV/bin`, or a `bin` whose folder's name
    /// says venv or conda (`/opt/venv/bin`, `/app/.venv/bin`, `/opt/conda/bin`). Other entries
    /// (`/opt/amazon/efa/bin`) hold no Python and are passed over.
    static func pathFindsVirtualEnvironment(executable: String, environment: [String: String]) -> Bool {
        guard !executable.isEmpty, !executable.contains("/"), let path = environment["PATH"] else { return false }
        let virtualEnv = environment["VIRTUAL_ENV"].map(RequirementsSet.normalize)
        for entry in path.split(separator: ":").map({ RequirementsSet.normalize(String($0)) }) {
            if systemBinDirectories.contains(entry) { return false }
            guard entry.hasSuffix("/bin") else { continue }
            let folder = String(entry.dropLast(4))
            if let virtualEnv, !virtualEnv.isEmpty, folder == virtualEnv { return true }
            let name = (folder.split(separator: "/").last.map(String.init) ?? folder).lowercased()
            if name.contains("venv") || name.contains("virtualenv") || name.contains("conda") || name.hasPrefix("miniforge") || name.hasPrefix("mambaforge") {
                return true
            }
        }
        return false
    }

    /// The packages with known names as `ImageFacts.packages` holds them; `pipInstall` is this
    /// command's index in `ImageFacts.pipInstalls`. A package's removal deletes its word and the
    /// blank before it when both are on one line.
    public func packageInstalls(pipInstall: Int) -> [ImageFacts.PackageInstall] {
        packages.compactMap { package in
            guard let name = package.normalizedName else { return nil }
            let requirement = package.isUnresolved ? nil : package.requirement
            // An unresolved word keeps what follows its name (`==$TORCH_VERSION`), so it does not read as unpinned.
            let unresolvedSpecifier = package.isUnresolved && package.kind == .named
                ? String(package.word.text.dropFirst(package.unresolvedName?.count ?? package.word.text.count)) : ""
            return ImageFacts.PackageInstall(
                name: name, specifier: requirement?.specifiers.description ?? unresolvedSpecifier,
                pinnedVersion: requirement?.pinnedVersion?.description, span: requirement?.span ?? package.word.span,
                specifierSpan: requirement?.specifierSpan, pipInstall: pipInstall, removal: removal(of: package.word))
        }
    }

    /// Deletes `word`, from the end of the word before it when that one is on the same line.
    func removal(of word: PipWord) -> TextEdit {
        let span = word.span
        let previous = words.last { $0.span.offset + $0.span.length <= span.offset }
        if let previous, previous.span.line == span.line {
            let start = previous.span.offset + previous.span.length
            return TextEdit(file: span.file, offset: start, length: span.offset + span.length - start, replacement: "")
        }
        return TextEdit(file: span.file, offset: span.offset, length: span.length, replacement: "")
    }
}
