import FlowEngine

/// One top-level requirement the image must satisfy: its import and, when it has version
/// clauses, its installed version.
public struct SmokeRequirement: Sendable, Hashable {
    /// The name as written.
    public var name: String
    public var specifiers: SpecifierSet
    public var marker: MarkerExpression?
    /// `file:line` where it is written.
    public var origin: String

    public init(name: String, specifiers: SpecifierSet = SpecifierSet(), marker: MarkerExpression? = nil, origin: String) {
        self.name = name
        self.specifiers = specifiers
        self.marker = marker
        self.origin = origin
    }

    public var normalizedName: String { Requirement.normalize(name) }
}

/// Reads the requirements a smoke test checks, with `analyze`'s parsers: the files named by
/// `requirements:` (their `-r` includes too; `-c` constraints are not requirements), or the
/// requirements files a Dockerfile copies plus the packages its `RUN pip install`s name.
public enum SmokeRequirements {
    /// Problems that make the input unusable (a file that cannot be read) are thrown as
    /// terminal errors naming the input; lines pip would reject are left to `analyze`.
    public static func load(files: [String]?, dockerfile: String?, context: String?,
                            reader: AnalysisFiles) throws -> [SmokeRequirement] {
        if let files {
            for path in files {
                if case .failure(let problem) = reader.read(path) {
                    throw StepError("requirements: \(problem); name files that exist in the workspace", kind: .terminal)
                }
            }
            return unique(fromFiles: files, reader: reader)
        }
        guard let dockerfile else { return [] }
        let text: String
        switch reader.read(dockerfile) {
        case .success(let t): text = t
        case .failure(let problem): throw StepError("dockerfile: \(problem)", kind: .terminal)
        }
        let request = AnalysisRequest(dockerfile: dockerfile, context: context)
        let parsed = DockerfileParser.parse(text, file: dockerfile)
        var gathering = Gathering(dockerfile: parsed, request: request, context: reader.context(request.contextDirectory),
                                  contextDirectory: request.contextDirectory)
        _ = gathering.run(files: reader)
        // The stage walk lists constraints files among the files it read: keep the names it
        // counted as installed requirements.
        let installed = Set(gathering.facts.packages.filter { $0.pipInstall == nil }.map(\.name))
        var found = unique(fromFiles: gathering.requirementFiles, reader: reader).filter { installed.contains($0.normalizedName) }
        var seen = Set(found.map(\.normalizedName))
        // `RUN pip install name==1.0` lines (requirements files were read above).
        for package in gathering.facts.packages where package.pipInstall != nil && !seen.contains(package.name) {
            guard case .success(let specifiers) = SpecifierSet.parse(package.specifier) else { continue }
            seen.insert(package.name)
            found.append(SmokeRequirement(name: package.name, specifiers: specifiers,
                                          origin: "\(package.span.file):\(package.span.line)"))
        }
        return found
    }

    /// The named requirements of `files` and what they include, first mention of a name kept.
    static func unique(fromFiles files: [String], reader: AnalysisFiles) -> [SmokeRequirement] {
        let set = RequirementsSet.load(roots: files, read: { try? reader.read($0).get() })
        var seen = Set<String>()
        var found: [SmokeRequirement] = []
        for item in set.requirements {
            guard let requirement = item.entry.requirement, seen.insert(requirement.normalizedName).inserted else { continue }
            found.append(SmokeRequirement(name: requirement.name, specifiers: requirement.specifiers, marker: requirement.marker,
                                          origin: "\(requirement.span.file):\(requirement.span.line)"))
        }
        return found
    }
}
