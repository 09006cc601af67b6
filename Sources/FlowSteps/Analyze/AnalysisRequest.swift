/// What to analyze: a Dockerfile, and optionally which requirements files, the build context,
/// build args, the target stage, overrides of what is inferred, and rule levels.
public struct AnalysisRequest: Sendable {
    /// The Dockerfile's path as the user wrote it (findings show it so).
    public var dockerfile: String
    /// Requirements files to read; nil means those the built stages `COPY`/`ADD` (or
    /// `RUN --mount=type=bind`), found in the context.
    public var requirements: [String]?
    /// The build context; nil means the Dockerfile's folder.
    public var context: String?
    public var buildArgs: [String: String]
    public var target: String?
    public var python: String?
    public var cuda: String?
    public var torch: String?
    public var rules: RuleLevels

    public init(dockerfile: String, requirements: [String]? = nil, context: String? = nil, buildArgs: [String: String] = [:],
                target: String? = nil, python: String? = nil, cuda: String? = nil, torch: String? = nil, rules: RuleLevels = RuleLevels()) {
        self.dockerfile = dockerfile
        self.requirements = requirements
        self.context = context
        self.buildArgs = buildArgs
        self.target = target
        self.python = python
        self.cuda = cuda
        self.torch = torch
        self.rules = rules
    }

    /// The context folder: as given, else the Dockerfile's folder.
    public var contextDirectory: String {
        if let context { return context }
        guard let slash = dockerfile.lastIndex(of: "/") else { return "." }
        let folder = String(dockerfile[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}
