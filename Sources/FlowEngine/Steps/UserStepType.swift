import Foundation
import FlowCore

/// The command line that runs a script file with an interpreter as GitHub Actions reads
/// `shell:`: `bash` and `sh` (with their strict flags), a program name (given the script path),
/// or a template with `{0}` for the script path. The one place interpreters are spelt out.
public enum ScriptCommand {
    public static func commandLine(for shell: String, script: String) -> [String] {
        switch shell {
        case "bash": return ["bash", "--noprofile", "--norc", "-eo", "pipefail", script]
        case "sh": return ["sh", "-e", script]
        default:
            let words = shell.split(separator: " ").map(String.init)
            if words.contains(where: { $0.contains("{0}") }) {
                return words.map { $0.replacingOccurrences(of: "{0}", with: script) }
            }
            return words + [script]
        }
    }

    /// The exit code of a process that exited, nil when a signal ended it.
    public static func exitCode(_ outcome: ProcessOutcome) -> Int32? {
        if case .exited(let code) = outcome.termination { return code }
        return nil
    }
}

/// A user step type from `steps/<name>/step.yml`: inputs as `INPUT_<NAME>` environment
/// variables (never in the command text), outputs through `$FLOW_OUTPUT`.
public struct UserStepType: StepType {
    /// Input values of any scalar kind, passed on as their string form.
    public struct Input: Decodable, Sendable {
        public var values: [String: String]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let raw = try container.decode([String: ScalarText].self)
            values = raw.mapValues(\.text)
        }
    }

    struct ScalarText: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s } else if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
            else if let d = try? c.decode(Double.self) { text = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
            else if c.decodeNil() { text = "" } else {
                throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "a step type input must be a string, number or boolean"))
            }
        }
    }

    public let definition: StepDefinition
    /// The folder `steps/<name>`, absolute.
    public let folder: String

    public init(definition: StepDefinition, folder: String) {
        self.definition = definition
        self.folder = folder
    }

    public var signature: StepTypeSignature { definition.signature }

    /// A user type's version is its folder: `step.yml` and the files its command runs, by content.
    public func cacheKey(workingDirectory: String, input: () -> Input?) -> StepTypeCacheKey {
        StepTypeCacheKey(version: "steps/" + signature.name, files: [folder])
    }

    public func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
        var environment: [String: String] = ["FLOW_STEP_DIR": folder]
        for declared in signature.inputs {
            let value = input.values[declared.name] ?? declared.defaultValue
            if value == nil && declared.required {
                throw StepError("input `\(declared.name)` of `\(signature.name)` is required", kind: .terminal)
            }
            environment[Self.variableName(declared.name)] = value ?? ""
        }
        let outputPath = context.attemptDirectory + "/outputs"
        try OutputFile.create(at: outputPath)
        defer { unlink(outputPath) }
        environment["FLOW_OUTPUT"] = outputPath
        let executable: String
        let arguments: [String]
        switch definition.command {
        case .script(let script):
            let path = folder + "/" + script.value
            if access(path, X_OK) == 0 {
                (executable, arguments) = (path, [])
            } else {
                let command = ScriptCommand.commandLine(for: ScriptShell.defaultShell, script: path)
                (executable, arguments) = (command[0], Array(command.dropFirst()))
            }
        case .arguments(let argv):
            // `./name` in an argument list means a file in the step's folder.
            let resolved = argv.map { $0.hasPrefix("./") ? folder + "/" + $0.dropFirst(2) : $0 }
            (executable, arguments) = (resolved[0], Array(resolved.dropFirst()))
        }
        let outcome = try await context.runProcess(executable, arguments, environment: environment)
        return StepOutcome(outputs: try OutputFile.read(at: outputPath), exitCode: ScriptCommand.exitCode(outcome))
    }

    /// `INPUT_` + the name upper-cased with `-` as `_`, as GitHub Actions does.
    static func variableName(_ input: String) -> String {
        "INPUT_" + input.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}
