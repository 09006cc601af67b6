import ArgumentParser
import FlowCore
import FlowEngine

/// Options shared by commands that read a pipeline.
struct PipelineOptions: ParsableArguments {
    @Option(name: .customLong("param"), help: ArgumentHelp("Set a parameter (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Use the parameter values of a profile.")
    var profile: String?

    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir"))
    var stepsDirectory = "steps"

    /// `--param` arguments, or the diagnostics for malformed ones.
    func paramArguments() -> ([RunPlanner.ParamArgument], [Diagnostic]) {
        RunPlanner.ParamArgument.parse(all: params)
    }
}

/// `flow validate FILE…`: every problem in every file, then exit 0 (clean) or 2.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files without running anything.",
        discussion: "Reports every problem with file:line:column. Exits 0 when all files are valid, 2 otherwise.")

    @Argument(help: "Pipeline files to check.")
    var files: [String]

    @OptionGroup var options: PipelineOptions

    @Flag(help: "Print the diagnostics as a JSON array on standard output.")
    var json = false

    func run() throws {
        let input = Launching.source(stepsDirectory: options.stepsDirectory)
        let (registry, registryProblems) = input.registry()
        let catalog = registry.catalog
        var all = registryProblems
        let (arguments, argumentProblems) = options.paramArguments()
        all += argumentProblems
        let validation = PipelineSource.options(catalog: catalog)
        var summaries: [String] = []
        for file in files {
            let (bytes, readProblems) = input.read(file)
            all += readProblems
            guard let bytes else { continue }
            let (pipeline, diagnostics) = PipelineCheck.check(bytes, file: file, options: validation, limits: input.limits)
            all += diagnostics
            guard let pipeline, !diagnostics.hasErrors else { continue }
            if !arguments.isEmpty || options.profile != nil {
                let paramProblems = RunPlanner.checkParams(pipeline, arguments, profile: options.profile)
                all += paramProblems
                if paramProblems.hasErrors { continue }
            }
            summaries.append("\(file): valid, \(pipeline.steps.count) step\(pipeline.steps.count == 1 ? "" : "s")")
        }
        if json {
            print(DiagnosticRenderer.json(all))
        } else {
            Terminal.standardError.write(DiagnosticRenderer(color: Terminal.standardError.wantsColor).text(all))
            for s in summaries { print(s) }
        }
        if all.hasErrors { throw CommandExit(status: .invalidInput) }
    }
}

/// `flow graph FILE`: the steps and their edges as Mermaid (default) or DOT.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a pipeline's step graph (matrix steps expanded).")

    @Argument(help: "The pipeline file.")
    var file: String

    @Option(help: "Output format: mermaid or dot.")
    var format: RunPlan.GraphFormat = .mermaid

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let input = Launching.source(stepsDirectory: options.stepsDirectory)
        switch input.load(file, params: options.params, profile: options.profile, requireAllParams: false) {
        case .success(let loaded):
            print(loaded.plan.graphText(format), terminator: "")
        case .failure(let list):
            Launching.report(list.diagnostics)
            throw CommandExit(status: .invalidInput)
        }
    }
}

extension RunPlan.GraphFormat: ExpressibleByArgument {}
