import ArgumentParser
import Foundation
import FlowCore
import FlowEngine
import FlowSteps

/// `flow analyze [DIR | DOCKERFILE]`: the `analyze` step's check from the command line,
/// without a pipeline.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Check a Dockerfile and its Python requirements before building.",
        discussion: """
            A directory means its Dockerfile and the requirements files that Dockerfile copies. Findings print one \
            per line as path:line:column: severity[rule]: message, with a note: line for a fix.
            Exit codes: 0 clean, 1 findings at or above --fail-on (default error), 2 bad input.
            """)

    @Argument(help: "A directory holding a Dockerfile, or a Dockerfile (default: .).") var path: String = "."
    @Option(name: .customLong("requirements"), help: ArgumentHelp("A requirements file to read (repeatable; default: those the Dockerfile copies).", valueName: "file"))
    var requirements: [String] = []
    @Option(name: .customLong("context"), help: ArgumentHelp("The build context (default: the Dockerfile's folder).", valueName: "dir"))
    var context: String?
    @Option(name: .customLong("build-arg"), help: ArgumentHelp("An ARG value (repeatable).", valueName: "name=value"))
    var buildArgs: [String] = []
    @Option(help: "The stage that is built (default: the last).") var target: String?
    @Option(name: .customLong("fail-on"), help: "The least severity that fails: error, warning, note or never.")
    var failOn: AnalysisReport.FailOn = .error
    @Option(help: ArgumentHelp("Also write SARIF 2.1.0 to this file.", valueName: "path")) var sarif: String?
    @Flag(help: "Print the findings as JSON instead of lines.") var json = false

    func run() throws {
        let files = AnalysisFiles(root: FileManager.default.currentDirectoryPath)
        let dockerfile = files.isDirectory(path) ? (path == "." ? "Dockerfile" : path + "/Dockerfile") : path
        var args: [String: String] = [:]
        for text in buildArgs {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw CLIError("--build-arg \(text): write it as NAME=VALUE")
            }
            args[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        let request = AnalysisRequest(dockerfile: dockerfile, requirements: requirements.isEmpty ? nil : requirements, context: context,
                                      buildArgs: args, target: target)
        let report: AnalysisReport
        switch Analyzer.analyze(request, files: files) {
        case .success(let r): report = r
        case .failure(let problem): throw CLIError("\(problem)")
        }
        if let sarif {
            do {
                try ReportFile.write(report.sarif(toolVersion: FlowVersion.current), to: sarif)
            } catch {
                throw CLIError("\(error)")
            }
        }
        if json {
            Terminal.standardOutput.write(report.json())
        } else {
            Terminal.standardOutput.write(report.lines(color: Terminal.standardOutput.wantsColor))
            var tail = report.summary
            if let recommendation = report.recommendation { tail += "\nrecommended base image: \(recommendation.image) (\(recommendation.reason))" }
            Terminal.standardError.write(tail + "\n")
        }
        if report.fails(at: failOn) { throw CommandExit(status: .failure) }
    }
}

extension AnalysisReport.FailOn: ExpressibleByArgument {}
