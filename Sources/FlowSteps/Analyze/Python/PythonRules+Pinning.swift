extension PythonRules {
    /// `unpinned`: a named requirement with no version clause in a requirements file (URL, path,
    /// VCS and editable requirements are pinned by what they point at). Constraints files are not
    /// checked: a constraint without a version constrains nothing, but installs nothing either.
    /// `constrained` holds the (normalized) names a `-c` file of the same install gives a version
    /// clause: pip installs the version the constraint allows, so such a name is not unpinned.
    public static func unpinned(_ file: RequirementsFile, constrained: Set<String> = []) -> [Finding] {
        file.entries.compactMap { entry in
            guard entry.kind == .named, !entry.isEditable, let requirement = entry.requirement,
                  requirement.url == nil, requirement.specifiers.isUnconstrained,
                  !constrained.contains(requirement.normalizedName) else { return nil }
            return Finding(rule: unpinnedRule, severity: .warning, span: requirement.span, message:
                "`\(requirement.name)` has no version, so every build installs whatever the index has that day; "
                + "pin it (`\(requirement.name)==<version>`) or constrain it in a `-c` file")
        }
    }

    /// `unpinned` over the requirements files of a set (its constraints files are skipped). A name
    /// that a constraints file of the set pins or bounds is not reported: pip applies every `-c`
    /// of one install to all its requirements, wherever the `-c` line is (the pip-compile layout:
    /// names in `requirements.in`-style files, versions in `constraints.txt`).
    public static func unpinned(_ set: RequirementsSet) -> [Finding] {
        let constrained = Set(set.constraints.compactMap { item -> String? in
            guard let requirement = item.entry.requirement, !requirement.specifiers.isUnconstrained else { return nil }
            return requirement.normalizedName
        })
        return set.files.filter { !$0.isConstraints }.flatMap { unpinned($0.file, constrained: constrained) }
    }

    /// `DL3013`: a package named in `RUN pip install` with no version clause. As hadolint does,
    /// silent for the whole command when it installs from a `-r` file, from `.`, or under a `-c`
    /// constraints file (which pins what it names); and for URLs, paths, VCS and `-e` targets and
    /// words holding a shell expansion (`torch==$V`).
    public static func unpinnedInstalls(_ command: PipInstallCommand) -> [Finding] {
        guard command.constraintFiles.isEmpty, command.requirementFiles.isEmpty,
              !command.packages.contains(where: { $0.word.text == "." }) else { return [] }
        return command.packages.compactMap { package in
            guard package.kind == .named, !package.isEditable, !package.isUnresolved, let requirement = package.requirement,
                  requirement.url == nil, requirement.specifiers.isUnconstrained else { return nil }
            return Finding(rule: unpinnedPipRule, severity: .warning, span: package.word.span, message:
                "Pin versions in pip. Instead of `pip install \(requirement.name)` use `pip install \(requirement.name)==<version>` "
                + "or `pip install --requirement <requirements file>`")
        }
    }
}
