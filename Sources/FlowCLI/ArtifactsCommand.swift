import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow artifacts RUN [STEP] [NAME]`: what steps kept (SARIF, JUnit, patches): listed, one
/// printed to standard output, or all copied out with `--output DIR`.
struct ArtifactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List a run's artifacts, print one, or copy them out.",
        discussion: """
            With a run (and optionally a step): one line per artifact (step, attempt, name, kind, size, sha256, path). \
            With a step and a name: that artifact's content on standard output (the newest attempt's). \
            With --output DIR: every listed artifact copied to DIR/<step>/<name>.
            """)

    @Argument(help: "The run id (`last` for the newest run).") var runID: String
    @Argument(help: "Only this step's artifacts.") var step: String?
    @Argument(help: "Print this artifact.") var name: String?
    @Option(help: ArgumentHelp("Copy the artifacts into this folder.", valueName: "dir")) var output: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var state: StateOptions

    func run() throws {
        let database = try state.databaseForReading()
        let run = try state.run(runID == "last" ? nil : runID, in: database)
        if let step, try !database.steps(of: run.id).contains(where: { $0.stepId == step }) {
            throw CLIError("run \(run.id) has no step `\(step)`; `flow status \(run.id)` lists them")
        }
        let artifacts = try database.artifacts(of: run.id, step: step)
        if let name {
            guard let artifact = artifacts.last(where: { $0.name == name }) else {
                throw CLIError("step `\(step ?? "")` of run \(run.id) kept no artifact `\(name)`; `flow artifacts \(run.id) \(step ?? "")` lists them")
            }
            let bytes = try Self.read(artifact)
            _ = Terminal.standardOutput.write(bytes: bytes)
            return
        }
        if let output {
            for artifact in artifacts {
                let target = output + "/" + artifact.stepId + "/" + artifact.name
                try FileManager.default.createDirectory(atPath: output + "/" + artifact.stepId, withIntermediateDirectories: true)
                do {
                    try ReportFile.write(bytes: try Self.read(artifact), to: target)
                } catch {
                    throw CLIError("\(error)")
                }
                print(target)
            }
            return
        }
        if json {
            print("[" + artifacts.map(Self.json).joined(separator: ",") + "]")
            return
        }
        if artifacts.isEmpty { print("run \(run.id)\(step.map { " step \($0)" } ?? "") kept no artifacts") }
        for a in artifacts {
            print("\(a.stepId)  attempt \(a.attempt)  \(a.name)  \(a.kind)  \(Self.size(a.size))  sha256:\(a.sha256)  \(a.path)")
        }
    }

    /// The stored bytes, checked against the recorded digest so a changed file is not passed off as the artifact.
    static func read(_ artifact: ArtifactRecord) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(artifact.path, limit: ArtifactStore.maximumSize, links: .refuse)
        } catch {
            throw CLIError("cannot read artifact \(artifact.name): \(error)")
        }
        guard SHA256.hex(bytes) == artifact.sha256 else {
            throw CLIError("artifact \(artifact.path) changed since it was recorded (sha256 differs)")
        }
        return bytes
    }

    static func json(_ a: ArtifactRecord) -> String {
        "{\"step\":\(JSONText.quote(a.stepId)),\"attempt\":\(a.attempt),\"name\":\(JSONText.quote(a.name)),\"kind\":\(JSONText.quote(a.kind)),"
            + "\"size\":\(a.size),\"sha256\":\(JSONText.quote(a.sha256)),\"path\":\(JSONText.quote(a.path))}"
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
