import Foundation

/// The fixes: each turns a recognised failure into edits of the copy, or says why it cannot.
/// Where `analyze` already knows the edit (re-pinning torchvision by the release table, the
/// download.pytorch.org index, `apt-get update &&`), its finding's fix is used, so a build failure
/// and an analyze finding are repaired the same way; the others are autofix's own.
struct AutofixFixer {
    let workspace: AutofixWorkspace
    let state: AutofixState
    let catalogue: SignatureCatalogue

    /// What a fix does: its edits (files relative to the workspace) and a phrase for the log.
    struct Planned {
        var edits: [TextEdit]
        var description: String
    }

    /// A fix that cannot be made here, and why.
    struct Unfixable: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The analyze rules whose fixes autofix applies, and the fix each stands for.
    static let analyzeRules: [String: AutofixFixID] = [
        "torch-triple": .repinDomainLibraries,
        "cuda-index": .extraIndexURL,
        "apt-no-update": .aptGetUpdate,
        "pep668": .breakSystemPackages,
    ]

    func plan(_ fix: AutofixFixID, for classification: Classification, log: FailureLog) -> Result<Planned, Unfixable> {
        let groups = classification.groups
        switch fix {
        case .extraIndexURL:
            let package = groups.count > 1 ? groups[1] : "torch"
            return fromAnalyze("cuda-index", preferring: { $0.message.hasPrefix(package + "==") })
        case .repinDomainLibraries:
            let library = groups.count > 1 ? groups[1] : "torchvision"
            return fromAnalyze("torch-triple", preferring: { $0.message.hasPrefix(library) })
        case .aptGetUpdate:
            let package = groups.dropFirst().first { !$0.isEmpty } ?? ""
            let failing = failingRun(log)
            return fromAnalyze("apt-no-update", preferring: { finding in
                if let failing { return failing.span.offset <= finding.span.offset && finding.span.offset < failing.span.offset + failing.span.length }
                return !package.isEmpty && finding.message.contains(package)
            }, requirePreferred: failing != nil)
        case .breakSystemPackages:
            guard let run = failingRun(log) else {
                return .failure(Unfixable("cannot tell which RUN ran the pip install (no `STEP …` line in the log)"))
            }
            return .success(insertBefore(run, "ENV PIP_BREAK_SYSTEM_PACKAGES=1\n",
                                         "set PIP_BREAK_SYSTEM_PACKAGES=1 before the failing RUN (its stage's pip may install into the system Python)"))
        case .installSystemLibrary:
            let library = groups.count > 1 ? groups[1] : ""
            guard let package = catalogue.systemLibraries[library] else {
                return .failure(Unfixable("\(library) is not in the table of shared libraries and their Debian packages"))
            }
            guard let run = failingRun(log) else {
                return .failure(Unfixable("cannot tell which RUN failed to load \(library) (no `STEP …` line in the log)"))
            }
            let line = "RUN apt-get update && apt-get install -y --no-install-recommends \(package) && rm -rf /var/lib/apt/lists/*\n"
            return .success(insertBefore(run, line, "install \(package) (for \(library)) before the failing RUN"))
        }
    }

    // MARK: From analyze

    /// The findings of `analyze` on the copy, with their fixes (files relative to the workspace).
    func analyzeFindings() -> [Finding] {
        let request = AnalysisRequest(dockerfile: state.copiedDockerfile, context: "context")
        guard case .success(let report) = Analyzer.analyze(request, files: AnalysisFiles(root: workspace.root)) else { return [] }
        return report.findings
    }

    private func fromAnalyze(_ rule: String, preferring: (Finding) -> Bool, requirePreferred: Bool = false) -> Result<Planned, Unfixable> {
        let candidates = analyzeFindings().filter { $0.rule == rule && $0.fix != nil }
        guard let finding = candidates.first(where: preferring) ?? (requirePreferred ? nil : candidates.first), let fix = finding.fix else {
            return .failure(Unfixable("analyze finds no `\(rule)` with a fix in the copy"))
        }
        return .success(Planned(edits: fix.edits, description: fix.description))
    }

    // MARK: The failing RUN

    /// The RUN instruction of the copied Dockerfile that the log says failed.
    func failingRun(_ log: FailureLog) -> Instruction? {
        guard let printed = log.failingInstruction.map(Self.normalized), printed.uppercased().hasPrefix("RUN"),
              let bytes = try? workspace.read(state.copiedDockerfile) else { return nil }
        let dockerfile = DockerfileParser.parse(String(decoding: bytes, as: UTF8.self), file: state.copiedDockerfile)
        let runs = dockerfile.instructions.filter { $0.kind == .run }
        let texts = runs.map { Self.normalized($0.keyword + " " + $0.flags.map { "--" + $0.name + ($0.rawValue.map { "=" + $0 } ?? "") }.joined(separator: " ") + " " + $0.arguments.text) }
        if let i = texts.firstIndex(of: printed) { return runs[i] }
        if let i = texts.firstIndex(where: { $0.hasPrefix(printed) || printed.hasPrefix($0) }) { return runs[i] }
        let body = Self.normalized(String(printed.dropFirst(3)))
        if let i = runs.firstIndex(where: { Self.normalized($0.arguments.text) == body }) { return runs[i] }
        return nil
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ").uppercasedFirstWord()
    }

    private func insertBefore(_ instruction: Instruction, _ text: String, _ description: String) -> Planned {
        // At the start of the instruction's first line, so its indentation stays with it.
        let bytes = (try? workspace.read(state.copiedDockerfile)) ?? []
        var offset = instruction.span.offset
        while offset > 0, bytes[offset - 1] != UInt8(ascii: "\n") { offset -= 1 }
        return Planned(edits: [TextEdit(file: state.copiedDockerfile, offset: offset, length: 0, replacement: text)],
                       description: description)
    }
}

extension String {
    /// `run x` → `RUN x`: builders print the keyword upper-cased.
    func uppercasedFirstWord() -> String {
        guard let space = firstIndex(of: " ") else { return uppercased() }
        return self[..<space].uppercased() + self[space...]
    }
}
