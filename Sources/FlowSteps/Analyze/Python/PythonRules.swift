/// The rules over Python requirements and `pip install` commands: pin conflicts, unpinned
/// requirements (`unpinned`, hadolint's DL3013), pip's cache in the layer (DL3042), and the
/// syntax and include problems the parsers report.
public enum PythonRules {
    static let syntaxRule = "requirements-syntax"
    static let includeRule = "requirements-include"
    static let pinConflictRule = "pin-conflict"
    static let unpinnedRule = "unpinned"
    static let unpinnedPipRule = "DL3013"
    static let noCacheDirRule = "DL3042"

    /// What each rule checks, with its default severity.
    public static let descriptors: [RuleDescriptor] = [
        RuleDescriptor(pinConflictRule, .error, "The same package is pinned in two places (requirements files, constraints, `RUN pip install`) with version specifiers no version satisfies together."),
        RuleDescriptor(unpinnedRule, .warning, "A requirement in a requirements file has no version specifier, so each build installs whatever the index has that day."),
        RuleDescriptor(unpinnedPipRule, .warning, "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`.", helpURI: "https://github.com/hadolint/hadolint/wiki/DL3013"),
        RuleDescriptor(noCacheDirRule, .warning, "Avoid keeping pip's cache in the image: use `pip install --no-cache-dir` (or a cache mount).", helpURI: "https://github.com/hadolint/hadolint/wiki/DL3042"),
        RuleDescriptor(syntaxRule, .error, "A requirements file line, requirement, version specifier or marker that pip cannot parse."),
        RuleDescriptor(includeRule, .error, "A `-r`/`-c` include that cannot be read, closes a cycle, or exceeds the include limits."),
    ]

    /// Everything the rules find in a set of requirements files without the Dockerfile: the
    /// parsers' `requirements-syntax` and `requirements-include` findings and `unpinned`.
    public static func check(_ set: RequirementsSet) -> [Finding] {
        set.findings + unpinned(set)
    }

    /// Everything the rules find in one `RUN pip install`: its `requirements-syntax` findings,
    /// `DL3013` and `DL3042`.
    public static func check(_ command: PipInstallCommand, cache: PipCacheContext = PipCacheContext()) -> [Finding] {
        command.findings + unpinnedInstalls(command) + pipCache(command, context: cache)
    }
}
