/// Reads a Dockerfile and its requirements and reports what will break: the Dockerfile rules,
/// the Python rules and the torch rules over what the first two gather (``ImageFacts``).
public enum Analyzer {
    /// Every rule `analyze` has.
    public static var descriptors: [RuleDescriptor] {
        DockerfileRules.descriptors + PythonRules.descriptors + TorchRules.descriptors
    }

    /// The whole check. Fails only when the Dockerfile (or a requirements file named in the
    /// request) cannot be read; everything wrong inside a file is a finding.
    public static func analyze(_ request: AnalysisRequest, files: AnalysisFiles) -> Result<AnalysisReport, AnalysisFiles.ReadProblem> {
        let text: String
        switch files.read(request.dockerfile) {
        case .success(let t): text = t
        case .failure(let problem): return .failure(problem)
        }
        for path in request.requirements ?? [] {
            if case .failure(let problem) = files.read(path) { return .failure(problem) }
        }
        let contextDirectory = request.contextDirectory
        let context = files.context(contextDirectory).map { listing -> BuildContextFiles in
            // BuildKit reads `<Dockerfile>.dockerignore` before the context's `.dockerignore`.
            var listing = listing
            if case .success(let own) = files.read(request.dockerfile + ".dockerignore") { listing.dockerignore = own }
            return listing
        }
        var dockerfile = DockerfileParser.parse(text, file: request.dockerfile, buildArgs: request.buildArgs)
        if let name = request.target { dockerfile.target = dockerfile.stage(named: name)?.index }
        var gathered = Gathering(dockerfile: dockerfile, request: request, context: context, contextDirectory: contextDirectory)
        let findings = gathered.run(files: files)
        let facts = gathered.facts
        var stack = ResolvedStack.resolve(facts)
        // What torch will run with: the CUDA of the wheel pip installs, when pip installs one
        // (the base image's CUDA then only matters for the driver, which `base-cuda` checks).
        if let wheel = stack.wheelCuda { stack.cuda = wheel }
        let all = request.rules.apply(to: Self.ordered(findings + TorchRules.check(facts)))
        return .success(AnalysisReport(
            findings: all, rules: descriptors, files: [request.dockerfile] + gathered.requirementFiles,
            torch: stack.torch?.value.text, cuda: stack.cuda?.value.description, python: stack.python?.value.text,
            recommendation: recommendation(stack, base: facts.baseImage?.text)))
    }

    /// The base image for the stack: the recommendation, or the base itself when it already is
    /// what the recommendation asks for in another spelling (as `base-recommendation` judges),
    /// or when the image uses the torch the base ships (NGC, `pytorch/pytorch`, a DLC): another
    /// base would mean installing torch, and an NGC torch is a pre-release build no index has.
    static func recommendation(_ stack: ResolvedStack, base: String?) -> (image: String, reason: String)? {
        if let base, stack.torchFromBase, let torch = stack.torch?.value.text {
            return (base, "the base image ships torch \(torch) and the image uses it")
        }
        guard let recommended = BaseImageRecommendation.recommend(for: stack) else { return nil }
        if let base, let current = stack.base {
            let wanted = BaseImageFacts.parse(recommended.image)
            if current.normalizedName == wanted.normalizedName || TorchRules.Context.isAsGood(current, as: wanted) {
                return (base, "the base image already fits this torch, CUDA and Python")
            }
        }
        return recommended
    }

    /// Findings by file (the Dockerfile first, as files were read), then position, each once.
    static func ordered(_ findings: [Finding]) -> [Finding] {
        var fileOrder: [String: Int] = [:]
        for f in findings where fileOrder[f.span.file] == nil { fileOrder[f.span.file] = fileOrder.count }
        var seen = Set<Finding>()
        return findings.filter { seen.insert($0).inserted }.sorted {
            (fileOrder[$0.span.file] ?? 0, $0.span.offset, $0.rule) < (fileOrder[$1.span.file] ?? 0, $1.span.offset, $1.rule)
        }
    }
}
