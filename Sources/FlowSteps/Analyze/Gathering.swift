/// What one analysis gathers while it walks the built stages: the requirements files, the
/// `pip install` commands, and the facts the torch rules read.
struct Gathering {
    let dockerfile: Dockerfile
    let request: AnalysisRequest
    let context: BuildContextFiles?
    let contextDirectory: String
    var facts = ImageFacts()
    var requirementFiles: [String] = []

    init(dockerfile: Dockerfile, request: AnalysisRequest, context: BuildContextFiles?, contextDirectory: String) {
        self.dockerfile = dockerfile
        self.request = request
        self.context = context
        self.contextDirectory = contextDirectory
        facts.pythonOverride = request.python
        facts.cudaOverride = request.cuda
        facts.torchOverride = request.torch
    }

    /// The stage that is built: `target` (by name), else the last.
    var target: Stage? {
        if let name = request.target { return dockerfile.stage(named: name) }
        return dockerfile.targetStage
    }

    mutating func run(files: AnalysisFiles) -> [Finding] {
        var findings = DockerfileRules.check(dockerfile, context: context)
        if let name = request.target, dockerfile.stage(named: name) == nil, let first = dockerfile.stages.first {
            let names = dockerfile.stages.compactMap(\.name)
            findings.append(Finding(rule: "dockerfile-syntax", severity: .error, span: first.nameSpan ?? dockerfile.instructions[first.fromIndex].span,
                                    message: "no stage is named `\(name)` (target)" + (names.isEmpty ? "" : "; stages: " + names.joined(separator: ", "))))
        }
        guard let target else { return findings }
        // The stages the image is made of, from its external base to the target.
        let chain = dockerfile.stageChain(from: target.index).reversed()
        if let base = dockerfile.externalBase(of: target.index), let word = base.baseImageWord {
            facts.baseImage = ImageFacts.Located(base.baseImage, span: word.span)
        }

        var commands: [PipInstallCommand] = []
        var copiedRequirements: [String] = []
        var constraintFiles: [String] = []
        let inImage = Set(chain)
        // Every stage the build runs: the image's own and those it copies from; what a builder
        // installs (and the requirements it reads) reaches the image through `COPY --from`.
        for stageIndex in buildStages(target: target.index) {
            let builtIntoImage = inImage.contains(stageIndex)
            for index in dockerfile.stages[stageIndex].instructionIndices {
                let instruction = dockerfile.instructions[index]
                switch instruction.kind {
                case .copy where instruction.flag("from") == nil, .add where instruction.flag("from") == nil:
                    for source in requirementSources(of: instruction) {
                        if Self.isConstraintsName(Self.baseName(source)) { constraintFiles.append(source) } else { copiedRequirements.append(source) }
                    }
                case .run:
                    let stageEnvironment = dockerfile.variables(in: stageIndex, before: index)
                    let cache = PipCacheContext(cacheMountTargets: Self.cacheMountTargets(instruction), environment: stageEnvironment)
                    for command in instruction.shell?.commands ?? [] where ShellPipInstall(command) != nil {
                        let words = (command.assignments + command.words).map { PipWord(text: $0.text, span: $0.span, raw: $0.raw) }
                        guard let pip = PipInstallCommand.parse(words) else { continue }
                        findings += PythonRules.check(pip, cache: cache)
                        if builtIntoImage {
                            let position = facts.pipInstalls.count
                            facts.pipInstalls.append(pip.invocation(runIndex: index, environment: stageEnvironment))
                            facts.packages += pip.packageInstalls(pipInstall: position)
                        } else {
                            // A builder stage's packages reach the image through `COPY --from` (`pip install
                            // --prefix=/install` then `COPY --from=builder /install /usr/local`): they count as
                            // what the image runs, but not as an install into the image's own Python (pep668,
                            // split installs).
                            facts.packages += pip.packageInstalls(pipInstall: 0).map { package in
                                var package = package
                                package.pipInstall = nil
                                return package
                            }
                        }
                        facts.indexURLs += pip.indexOptions.map(\.located)
                        commands.append(pip)
                        copiedRequirements += pip.requirementFiles.compactMap { contextPath(forImagePath: $0.text) }
                        constraintFiles += pip.constraintFiles.compactMap { contextPath(forImagePath: $0.text) }
                    }
                default:
                    break
                }
            }
        }

        // Found files that cannot be read are left out: `copy-missing` reports them at their COPY,
        // and a finding must point into a file that exists.
        let readable: (String) -> Bool = { (try? files.read($0).get()) != nil }
        let roots = request.requirements ?? Self.unique(copiedRequirements).filter(readable)
        requirementFiles = roots
        let read: (String) -> String? = { path in try? files.read(path).get() }
        var set = RequirementsSet.load(roots: roots, read: read)
        // Constraints files the image copies or `pip install -c` names, not already reached by a `-c` line.
        let reached = Set(set.files.map(\.path))
        let constraintRoots = request.requirements == nil
            ? Self.unique(constraintFiles).filter { !reached.contains(RequirementsSet.normalize($0)) && readable($0) } : []
        if !constraintRoots.isEmpty {
            let constraints = RequirementsSet.load(roots: constraintRoots, read: read)
            for var file in constraints.files where !reached.contains(file.path) {
                file.isConstraints = true
                set.files.append(file)
            }
            set.items += constraints.items.filter { !reached.contains($0.path) }.map { item in
                var item = item
                item.isConstraint = true
                return item
            }
            set.findings += constraints.findings
        }
        findings += PythonRules.check(set)
        for item in set.requirements {
            if let package = item.entry.packageInstall { facts.packages.append(package) }
        }
        for loaded in set.files {
            facts.indexURLs += loaded.file.indexOptions.compactMap(\.located)
            if !requirementFiles.contains(loaded.path) { requirementFiles.append(loaded.path) }
        }
        findings += PythonRules.pinConflicts(PinSite.sites(from: set) + commands.flatMap(PinSite.sites(from:)))
        return findings
    }

    /// The requirements files a `COPY`/`ADD` brings in from the context (by name:
    /// `*requirements*.txt`, `*constraints*.txt`), as paths to read.
    func requirementSources(of instruction: Instruction) -> [String] {
        guard instruction.words.count >= 2 else { return [] }
        let sources = instruction.words.dropLast().filter { !instruction.isHeredocMarker($0) }.map(\.text)
        var found: [String] = []
        for source in sources {
            let cleaned = Self.clean(source)
            if Self.isRequirementsName(Self.baseName(cleaned)) {
                if PathPattern.hasMeta(cleaned) {
                    let pattern = PathPattern(cleaned, globstar: false)
                    found += (context?.paths ?? []).filter { pattern.matches($0) }.sorted().map(path(inContext:))
                } else {
                    found.append(path(inContext: cleaned))
                }
            }
        }
        return found
    }

    /// The context file a `pip install -r PATH` inside the image most likely is: the one whose
    /// name is PATH's, at the context root when there are several. Nil when none.
    func contextPath(forImagePath path: String) -> String? {
        let name = Self.baseName(path)
        guard !name.isEmpty, !path.contains("$") else { return nil }
        let candidates = (context?.paths ?? []).filter { Self.baseName($0) == name }
        guard let chosen = candidates.first(where: { !$0.contains("/") }) ?? (candidates.count == 1 ? candidates.first : nil) else { return nil }
        return self.path(inContext: chosen)
    }

    func path(inContext relative: String) -> String {
        contextDirectory == "." ? relative : contextDirectory + "/" + relative
    }

    /// The stages the build runs: the target's chain and, transitively, the stages it copies
    /// from (`COPY --from=builder`), in file order.
    func buildStages(target: Int) -> [Int] {
        var needed = Set<Int>()
        var pending = [target]
        while let stage = pending.popLast(), needed.count <= Dockerfile.maximumStageChain {
            for index in dockerfile.stageChain(from: stage) where needed.insert(index).inserted {
                pending.append(index)
                for i in dockerfile.stages[index].instructionIndices {
                    let instruction = dockerfile.instructions[i]
                    guard instruction.kind == .copy || instruction.kind == .add, let from = instruction.flag("from")?.value else { continue }
                    if let named = dockerfile.stage(named: from) {
                        pending.append(named.index)
                    } else if let number = Int(from), dockerfile.stages.indices.contains(number) {
                        pending.append(number)
                    }
                }
            }
        }
        return needed.sorted()
    }

    static func isConstraintsName(_ name: String) -> Bool {
        name.lowercased().contains("constraints")
    }

    static func isRequirementsName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".txt") && (lower.contains("requirements") || lower.contains("constraints"))
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// `./a/b` → `a/b`.
    static func clean(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.hasPrefix("/") { p = p.dropFirst() }
        return String(p)
    }

    static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// The targets of `--mount=type=cache` and `type=tmpfs` on a RUN (where pip's cache may live).
    static func cacheMountTargets(_ instruction: Instruction) -> [String] {
        instruction.flags(named: "mount").compactMap { flag in
            guard let value = flag.value else { return nil }
            var fields: [String: String] = [:]
            for part in value.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                fields[pair[0].lowercased()] = pair.count > 1 ? pair[1] : ""
            }
            guard ["cache", "tmpfs"].contains(fields["type"] ?? "") else { return nil }
            return fields["target"] ?? fields["dst"] ?? fields["destination"]
        }
    }
}
