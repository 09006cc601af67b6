import Foundation
import FlowEngine

/// The `buildspecOverride` of a step's build (version 0.2, one shell for every command): writes
/// the step's script to a file and runs it with the step's interpreter (`bash -eo pipefail` by
/// default), in the step's working directory under the build's source; then exports what the
/// script wrote to `$FLOW_OUTPUT`, base64-encoded, as the variable `FLOW_OUTPUTS`, which
/// `BatchGetBuilds` hands back (`exportedEnvironmentVariables`) and flow reads as a local step's
/// output file. Every command is one plain
/// string, as CodeBuild requires; the script travels base64-encoded, so no quoting of it can break.
public struct CodeBuildBuildspec: Sendable, Hashable {
    public var script: String
    public var shell: String
    /// The working directory relative to the build's source folder (`CODEBUILD_SRC_DIR`), or an
    /// absolute path; nil for the source folder itself.
    public var directory: String?

    public init(script: String, shell: String, directory: String?) {
        self.script = script
        self.shell = shell
        self.directory = directory
    }

    static let scriptMarker = "@@FLOW_SCRIPT@@"

    /// The exported variable that carries the output file, base64-encoded.
    public static let outputsVariable = "FLOW_OUTPUTS"

    public var commands: [String] {
        var commands = [
            #"export FLOW_SCRIPT="$(mktemp)" FLOW_OUTPUT="$(mktemp)""#,
            "echo '\(Data(script.utf8).base64EncodedString())' | base64 -d > \"$FLOW_SCRIPT\"",
        ]
        if let directory {
            commands.append(directory.hasPrefix("/") ? "cd \(Self.quote(directory))" : #"cd "$CODEBUILD_SRC_DIR"/"# + Self.quote(directory))
        }
        let command = ScriptCommand.commandLine(for: shell, script: Self.scriptMarker)
        // The script's path is a variable of the build's shell: each word is quoted around it.
        commands.append(command.map { word in
            word.components(separatedBy: Self.scriptMarker).map { $0.isEmpty ? "" : Self.quote($0) }.joined(separator: #""$FLOW_SCRIPT""#)
        }.joined(separator: " "))
        commands.append("export \(Self.outputsVariable)=\"$(base64 -w0 < \"$FLOW_OUTPUT\")\"")
        return commands
    }

    /// The buildspec's YAML text.
    public var text: String {
        var lines = ["version: 0.2", "env:", "  shell: bash"]
        lines += ["  exported-variables:", "    - \(Self.outputsVariable)"]
        lines += ["phases:", "  build:", "    commands:"]
        for command in commands { lines.append("      - " + Self.yamlQuoted(command)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A shell word in single quotes (`'` as `'\''`); plain when it needs none.
    static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0) }), word.unicodeScalars.allSatisfy(\.isASCII) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A YAML single-quoted scalar: always a string, whatever it starts with.
    static func yamlQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
