import Foundation
import FlowCore

/// Reads pipeline files and the user's step types from disk and hands them to FlowCore as
/// bytes and values; everything the core needs from the world comes through here. Prints
/// nothing: problems come back as diagnostics.
public struct PipelineSource: Sendable {
    public let limits = YAMLLimits()
    public var stepsDirectory: String
    /// The built-in step types (FlowSteps registers them; the engine does not know them).
    public var builtins: StepRegistry

    public init(stepsDirectory: String, builtins: StepRegistry) {
        self.stepsDirectory = stepsDirectory
        self.builtins = builtins
    }

    /// The step types: the built-ins plus every `steps/<name>/step.yml`, with the problems
    /// found in those files.
    public func registry() -> (StepRegistry, [Diagnostic]) {
        var registry = builtins
        var diagnostics: [Diagnostic] = []
        let fm = FileManager.default
        guard let folders = try? fm.contentsOfDirectory(atPath: stepsDirectory) else { return (registry, []) }
        let root = stepsDirectory.hasPrefix("/") ? stepsDirectory : fm.currentDirectoryPath + "/" + stepsDirectory
        for folder in folders.sorted() {
            let dir = (stepsDirectory as NSString).appendingPathComponent(folder)
            let file = (dir as NSString).appendingPathComponent("step.yml")
            guard fm.fileExists(atPath: file) else { continue }
            let (bytes, readProblem) = read(file)
            guard let bytes else { diagnostics += readProblem; continue }
            let (definition, found) = StepDefinition.load(bytes, file: file, folder: folder, builtins: registry.names, limits: limits)
            diagnostics += found
            guard let definition else { continue }
            if case .script(let script) = definition.command,
               !fm.fileExists(atPath: (dir as NSString).appendingPathComponent(script.value)) {
                diagnostics.append(.error(script.location, Messages.stepDefinitionScriptMissing(script.value)))
                continue
            }
            registry.register(UserStepType(definition: definition, folder: root + "/" + folder))
        }
        return (registry, diagnostics)
    }

    /// A pipeline read, checked and planned: what `run`, `graph` and `--dry-run` start from.
    public struct Loaded: Sendable {
        public var pipeline: Pipeline
        public var plan: RunPlan
        public var registry: StepRegistry
        public var source: String
    }

    /// Reads, validates and plans `file` with `--param` texts and a profile; on any error
    /// returns the diagnostics instead.
    public func load(_ file: String, params: [String], profile: String?, images: [String] = [], maxParallel: Int? = nil,
                     requireAllParams: Bool) -> Result<Loaded, DiagnosticList> {
        let (registry, registryProblems) = self.registry()
        let (arguments, argumentProblems) = RunPlanner.ParamArgument.parse(all: params)
        let (overrides, imageProblems) = RunPlanner.imageOverrides(images)
        var all = registryProblems + argumentProblems + imageProblems
        let (bytes, readProblems) = read(file)
        all += readProblems
        guard let bytes else { return .failure(DiagnosticList(all)) }
        let (pipeline, diagnostics) = PipelineCheck.check(bytes, file: file, options: Self.options(catalog: registry.catalog), limits: limits)
        all += diagnostics
        guard let pipeline, !all.hasErrors else { return .failure(DiagnosticList(all)) }
        let (plan, planProblems) = RunPlanner.plan(pipeline, params: arguments, profile: profile, images: overrides,
                                                   maxParallel: maxParallel, requireAllParams: requireAllParams)
        all += planProblems
        guard let plan, !all.hasErrors else { return .failure(DiagnosticList(all)) }
        return .success(Loaded(pipeline: pipeline, plan: plan, registry: registry, source: String(decoding: bytes, as: UTF8.self)))
    }

    /// The file's bytes, or a diagnostic when it cannot be read, is not a regular file (a FIFO
    /// or a device would block or never end) or is over the size bound (checked before reading,
    /// so a 100 MB file costs nothing). A symbolic link is followed to what it names.
    public func read(_ path: String) -> ([UInt8]?, [Diagnostic]) {
        let failure: UntrustedFile.Failure
        do {
            return (try UntrustedFile.read(path, limit: limits.maxBytes, links: .follow), [])
        } catch {
            failure = error
        }
        switch failure {
        case .tooLarge(_, let size, _):
            return (nil, [.error(SourceLocation(file: path, line: 1, column: 1), Messages.fileTooLarge(bytes: size, limit: limits.maxBytes))])
        case .notRegular(_, let kind):
            return (nil, [.error(SourceLocation(file: path, line: 0, column: 0), Messages.cannotRead(path, "it is \(kind), not a regular file"))])
        case .unreadable(_, let reason):
            return (nil, [.error(SourceLocation(file: path, line: 0, column: 0), Messages.cannotRead(path, reason))])
        }
    }

    /// Checks `source` (a run's stored definition, or a file's text) and plans it with the params
    /// `arguments` picks for the pipeline (and whether every param needs a value).
    public func plan(_ source: String, file: String,
                     arguments: (Pipeline) throws -> (arguments: [RunPlanner.ParamArgument], requireAll: Bool)) throws -> Loaded {
        let (registry, problems) = self.registry()
        let (pipeline, diagnostics) = PipelineCheck.check(Array(source.utf8), file: file, options: Self.options(catalog: registry.catalog))
        var all = problems + diagnostics
        guard let pipeline, !all.hasErrors else { throw DiagnosticList(all) }
        let (params, requireAll) = try arguments(pipeline)
        let (plan, planProblems) = RunPlanner.plan(pipeline, params: params, requireAllParams: requireAll)
        all += planProblems
        guard let plan, !all.hasErrors else { throw DiagnosticList(all) }
        return Loaded(pipeline: pipeline, plan: plan, registry: registry, source: source)
    }

    /// Validation against the system's time zones and this directory's files (literal paths of
    /// step inputs start at the working directory flow runs in, or the step's literal
    /// `working-directory` under it), reading sub-pipelines from disk (``readInclude(_:from:limits:)``).
    public static func options(catalog: StepCatalog) -> ValidationOptions {
        let limits = YAMLLimits()
        return ValidationOptions(catalog: catalog, isKnownTimeZone: { TimeZone(identifier: $0) != nil }, pathExists: { path, workingDirectory in
            var full = path
            if !path.hasPrefix("/"), let wd = workingDirectory { full = wd.hasSuffix("/") ? wd + path : wd + "/" + path }
            return FileManager.default.fileExists(atPath: full)
        }, readInclude: { reference, from in readInclude(reference, from: from, limits: limits) }, includeKey: includeKey)
    }

    /// A sub-pipeline's file: `reference` (`./pipelines/x.yml`) from the root of the project
    /// `from` is in (``ProjectRoot``; the current folder when there is none), read as a pipeline
    /// file is (a regular file, a symbolic link followed, at most the size bound); a path that
    /// leaves the project (`./../x.yml`) is refused. Reported as a path from the current folder
    /// when it is under it.
    public static func readInclude(_ reference: String, from: String, limits: YAMLLimits) -> IncludeRead {
        let cwd = FileManager.default.currentDirectoryPath
        let including = from.hasPrefix("/") ? from : cwd + "/" + from
        let folder = (including as NSString).deletingLastPathComponent
        let root = ProjectRoot.find(from: folder) ?? cwd
        let path = URL(fileURLWithPath: root + "/" + reference.dropFirst(2)).standardizedFileURL.path
        // As GitHub Actions: a path from the project root stays in the project.
        guard path.hasPrefix(root == "/" ? "/" : root + "/") else {
            return .problem("it leaves the project (\(root)); name a file inside it")
        }
        let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
        do {
            let bytes = try UntrustedFile.read(path, limit: limits.maxBytes, links: .follow)
            return .file(path: shown, key: includeKey(path), bytes: bytes)
        } catch {
            switch error {
            case .tooLarge(_, let size, _): return .problem(Messages.fileTooLarge(bytes: size, limit: limits.maxBytes))
            case .notRegular(_, let kind): return .problem("\(path) is \(kind), not a regular file")
            case .unreadable(_, let reason): return .problem("\(path): \(reason)")
            }
        }
    }

    /// A file's absolute path with symbolic links resolved: two names of one file are one key.
    @Sendable public static func includeKey(_ file: String) -> String {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        return URL(fileURLWithPath: absolute).resolvingSymlinksInPath().standardizedFileURL.path
    }
}

/// Diagnostics as an error value: bad input, to be reported and exit 2.
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
