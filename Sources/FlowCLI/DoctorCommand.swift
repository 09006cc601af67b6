import ArgumentParser
import Foundation

/// `flow doctor [--json]`: what a user runs first on a new machine or in CodeBuild.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine: state directory, SQLite, libcurl, container engines, AWS credentials, CodeBuild.",
        discussion: """
            Exit 0 when everything flow's pipelines need works, 1 when something does not;
            each problem comes with what to do about it. Secrets are never printed: the
            access key shows as its last four characters.
            """)

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where runs are recorded (default $FLOW_HOME, else runs/ of the project: the nearest folder up from here with pipelines/, flow.yml or .flow).", valueName: "dir"))
    var stateDirectory: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let report = await Doctor(environment: ProcessInfo.processInfo.environment,
                                  stateDirectory: StateDirectory(option: stateDirectory), clock: SystemClock()).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("flow \(report.version)")
            for check in report.checks {
                let mark = switch check.verdict {
                case .ok: "ok     "
                case .warning: "warning"
                case .problem: "PROBLEM"
                }
                print("\(mark) \(check.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(check.summary)")
                if let fix = check.fix { print("        \(String(repeating: " ", count: 10)) → \(fix)") }
            }
        }
        if !report.ok { throw CommandExit(status: .failure) }
    }
}
