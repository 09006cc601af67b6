import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import FlowCore
import FlowEngine

/// `flow`: the root command.
public struct FlowCommand: AsyncParsableCommand {
    public static let version = FlowVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "A workflow engine for build-and-deploy pipelines.",
        discussion: """
            Pipelines are YAML files (pipelines/*.yml) whose steps form a DAG.
            Exit codes: 0 success, 1 a run failed, 2 invalid input or usage, 130 cancelled.
            Shell completions: flow --generate-completion-script bash|zsh|fish
            """,
        version: version,
        subcommands: [RunCommand.self, ResumeCommand.self, RetryCommand.self, CancelCommand.self, StatusCommand.self, RunsCommand.self, LogsCommand.self, ArtifactsCommand.self, CacheCommand.self, AuditCommand.self, AnalyzeCommand.self, StepsCommand.self,
                      ValidateCommand.self, GraphCommand.self, DoctorCommand.self, ScheduleCommand.self, CodeBuildCommand.self])

    public init() {}

    /// Parses `arguments`, runs the command, and returns the exit code. Usage errors exit 2
    /// (not argument-parser's 64) so every kind of bad input shares one code.
    public static func main(_ arguments: [String]) async -> Int32 {
        // A reader that goes away (`flow run … | head -2`) ends flow's output, not flow: writes
        // then fail with EPIPE and are dropped, and the run goes on to its end. Children start
        // with every signal at its default, so steps still get SIGPIPE as usual.
        signal(SIGPIPE, SIG_IGN)
        defer { OpenDatabases.closeAll() }
        do {
            var command = try parse(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitStatus.success.rawValue
        } catch let status as CommandExit {
            return status.status.rawValue
        } catch let error as CLIError {
            Terminal.standardError.write("flow: \(error.description)\n")
            return ExitStatus.invalidInput.rawValue
        } catch let error as StateError {
            // A state flow cannot use is bad input (exit 2); a run that could not record its
            // end reports that as its own failure and never gets here.
            Terminal.standardError.write("flow: \(error.description)\n")
            return ExitStatus.invalidInput.rawValue
        } catch {
            let code = exitCode(for: error)
            let message = UsageSuggestion.rewrite(fullMessage(for: error))
            if code == .success {
                if !message.isEmpty { print(message) }
                return ExitStatus.success.rawValue
            }
            if !message.isEmpty { Terminal.standardError.write(message + "\n") }
            return code == .validationFailure ? ExitStatus.invalidInput.rawValue : code.rawValue
        }
    }
}

extension FlowCommand {
    /// argument-parser's parse of `arguments`, quicker where it can be. Parsing from the root
    /// reflects the root's arguments twice (once to look for a completion-script request) before
    /// the subcommand's: about half of a ~3 ms parse, at every start. A command line that names
    /// a subcommand and none of argument-parser's built-in flags is parsed by that subcommand
    /// itself, by the same definitions, so it means the same. Anything that does not parse that
    /// way (a mistake, `--help`, a completion request) is parsed again from the root, so
    /// messages, usage lines and help are what they always were.
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        let builtIn = ["-h", "--help", "-help", "help", "--version", "--generate-completion-script",
                       "--experimental-dump-help", "--experimental-print-completion"]
        if let name = arguments.first,
           let subcommand = configuration.subcommands.first(where: { $0.configuration.commandName == name || $0.configuration.aliases.contains(name) }),
           !arguments.contains(where: { builtIn.contains($0) || $0.hasPrefix("--generate-completion-script=") }),
           let command = try? subcommand.parseAsRoot(Array(arguments.dropFirst())) {
            return command
        }
        return try parseAsRoot(arguments)
    }
}

/// Thrown by a command to end with a given status after printing what it had to say.
struct CommandExit: Error {
    var status: ExitStatus
}

/// argument-parser suggests the option nearest by edit distance alone (`--paralel` → `--param`);
/// flow suggests what the user most likely meant (``Spelling/closest(to:among:)`` also matches
/// a word of a hyphenated option: `--paralel` → `--max-parallel`), among the options of the
/// command the usage line names (its help lists them all; a long usage line shows only
/// `[<options>]`).
enum UsageSuggestion {
    static func rewrite(_ message: String) -> String {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let marker = "Unknown option '--"
        guard let index = lines.firstIndex(where: { $0.contains(marker) }),
              let usage = lines.first(where: { $0.hasPrefix("Usage: ") }) else { return message }
        let line = lines[index]
        let afterMarker = line[line.range(of: marker)!.upperBound...]
        let unknown = String(afterMarker.prefix { $0 != "'" })
        let ours = Spelling.closest(to: unknown, among: longOptions(in: help(forUsage: usage))).map { " Did you mean '--\($0)'?" } ?? ""
        let head = line.range(of: " Did you mean").map { String(line[..<$0.lowerBound]) } ?? line
        lines[index] = head + ours
        return lines.joined(separator: "\n")
    }

    /// The help of the command a usage line names (`Usage: flow cache list …`), or the line itself.
    static func help(forUsage usage: String) -> String {
        var command: any ParsableCommand.Type = FlowCommand.self
        var matched = false
        for word in usage.dropFirst("Usage: ".count).split(separator: " ").dropFirst() {
            guard let sub = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = sub
            matched = true
        }
        return matched ? FlowCommand.helpMessage(for: command) : usage
    }

    /// `--name` words of a text (a usage line, a help message), in order.
    static func longOptions(in usage: String) -> [String] {
        var options: [String] = []
        var rest = Substring(usage)
        while let range = rest.range(of: "--") {
            let name = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if !name.isEmpty, !options.contains(String(name)) { options.append(String(name)) }
            rest = rest[range.upperBound...].dropFirst(name.count)
        }
        return options
    }
}
