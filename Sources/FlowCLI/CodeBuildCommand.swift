import ArgumentParser
import Foundation
import FlowCore
import FlowEngine
import FlowSteps

/// `flow codebuild`: what running flow from AWS CodeBuild needs (docs/codebuild.md).
struct CodeBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codebuild",
        abstract: "Write a CodeBuild buildspec for a pipeline, or its schedule as EventBridge cron expressions.",
        subcommands: [CodeBuildBuildspecCommand.self, CodeBuildScheduleCommand.self])

    /// Loads and validates `file` as `flow validate` does; its diagnostics are printed and exit 2.
    static func load(_ file: String, stepsDirectory: String) throws -> Pipeline {
        let input = Launching.source(stepsDirectory: stepsDirectory)
        let (registry, registryProblems) = input.registry()
        let (bytes, readProblems) = input.read(file)
        var all = registryProblems + readProblems
        var loaded: Pipeline?
        if let bytes {
            let (pipeline, diagnostics) = PipelineCheck.check(bytes, file: file, options: PipelineSource.options(catalog: registry.catalog),
                                                              limits: input.limits)
            all += diagnostics
            loaded = pipeline
        }
        if !all.isEmpty { Launching.report(all) }
        guard let loaded, !all.hasErrors else { throw CommandExit(status: .invalidInput) }
        return loaded
    }
}

/// `flow codebuild buildspec FILE`: writes a buildspec.yml that runs FILE.
struct CodeBuildBuildspecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buildspec",
        abstract: "Write a CodeBuild buildspec.yml (version 0.2) that gets flow, runs FILE and publishes its JUnit reports.",
        discussion: "Exit codes: 0 written, 2 invalid pipeline or options.")

    @Argument(help: "The pipeline file, relative to the repository root (as the build sees it).") var file: String
    @OptionGroup var remote: StateURLOption
    @Option(name: .customLong("download-url"),
            help: ArgumentHelp("Where the build gets flow when its image has none (https:// or s3://); the buildspec's FLOW_DOWNLOAD_URL.", valueName: "url"))
    var downloadURL = ""
    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write it (`-` for standard output).", valueName: "path")) var output = "buildspec.yml"
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"

    func validate() throws {
        if file.hasPrefix("/") { throw ValidationError("give the pipeline file relative to the repository root (the build checks it out elsewhere)") }
        if !downloadURL.isEmpty && !(downloadURL.hasPrefix("https://") || downloadURL.hasPrefix("s3://")) {
            throw ValidationError("--download-url must be an https:// or s3:// address")
        }
    }

    func run() throws {
        _ = try CodeBuildCommand.load(file, stepsDirectory: stepsDirectory)
        let text = Buildspec(pipeline: file, stateURL: remote.stateURL, downloadURL: downloadURL).yaml
        if output == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try ReportFile.write(text, to: output)
        } catch {
            throw CLIError("cannot write \(output): \(error)")
        }
        Terminal.standardError.write("wrote \(output)\n")
    }
}

/// `flow codebuild schedule FILE`: each `schedule:` entry as EventBridge cron, or why not.
struct CodeBuildScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print the EventBridge cron(...) expression for each schedule entry of FILE, or why it cannot be one.",
        discussion: "EventBridge rules are UTC only; an entry in a zone with daylight saving time gets the EventBridge Scheduler form instead. Exit codes: 0 printed, 2 invalid pipeline.")

    @Argument(help: "The pipeline file.") var file: String
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"

    func run() throws {
        let pipeline = try CodeBuildCommand.load(file, stepsDirectory: stepsDirectory)
        guard !pipeline.schedule.isEmpty else {
            print("\(file): no schedule entries")
            return
        }
        print(EventBridgeCron.describe(pipeline.schedule, reference: Date()), terminator: "")
    }
}
