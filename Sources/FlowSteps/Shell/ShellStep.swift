import Foundation
import FlowCore
import FlowEngine

/// `shell` (and every `run:` step, which is `uses: shell`): writes the script to the attempt's
/// scratch folder and runs it with its interpreter. Expressions were replaced by `FLOW_EXPR_n`
/// references when the run was planned; their values arrive in the environment.
public struct ShellStep: BuiltinStepType {
    /// A script's step folder holds only its log, made with the log's first byte.
    public static let usesStepDirectory = false
    public struct Input: StepInputSchema {
        public var script: String
        /// nil when the step does not say (bash; a one-command script may then run without it).
        public var shell: String?
        public var container: ContainerInput?
        public var runsOn: RunsOnInput?

        enum CodingKeys: String, CodingKey {
            case script, shell, container, runsOn = "runs-on"
        }

        public static let help: [String: InputHelp] = [
            "container": InputHelp("run the script inside this image (`container:` on a `run:` step), through the container engine"),
            "runs-on": InputHelp("run the script elsewhere: `{ codebuild: { project: NAME } }` runs it as an AWS CodeBuild build (`runs-on:` on a `run:` step)"),
            "script": InputHelp("the script to run; `${{ }}` in it become environment variables, never text"),
            // No `default:` here: an unset shell is bash all the same, but it also lets a script
            // of one plain command start without bash (DirectCommand), which `shell: bash` keeps off.
            "shell": InputHelp("the interpreter: `bash` (run with `-eo pipefail`; the default), `sh` (with `-e`), a program name, or a command line with `{0}` for the script file; when unset, a script that is one plain command starts without bash"),
        ]
    }

    public static let name = "shell"
    public static let summary = "Runs a script with `bash -eo pipefail` (or `shell:`); outputs are `key=value` lines written to $FLOW_OUTPUT"
    public static let outputs = StepTypeSignature.Outputs.declaredByStep
    public static let script: StepTypeSignature.ScriptInputs? = StepTypeSignature.ScriptInputs(script: "script", interpreter: "shell")
    public static let example = """
        test:
          run: |
            pytest -q
            echo "passed=$(grep -c PASSED report.txt)" >> "$FLOW_OUTPUT"
          outputs: [passed]
        """

    public init() {}

    public func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
        if let target = input.runsOn?.codebuild {
            let buildspec = CodeBuildBuildspec(script: input.script, shell: input.shell ?? ScriptShell.defaultShell,
                                               directory: Self.remoteDirectory(context.workingDirectory, workspace: context.workspace))
            return try await CodeBuildStepRun(target: target, buildspec: buildspec, context: context).run()
        }
        let outputPath = context.attemptDirectory + "/outputs"
        try OutputFile.create(at: outputPath)
        defer { unlink(outputPath) }
        if input.shell == nil, input.container == nil,
           let direct = DirectCommand(script: input.script, environment: context.environment, workingDirectory: context.workingDirectory) {
            let outcome = try await context.runProcess(direct.program, direct.arguments,
                                                       environment: direct.environment.merging(["FLOW_OUTPUT": outputPath]) { a, _ in a })
            return StepOutcome(outputs: try OutputFile.read(at: outputPath), exitCode: Self.exitCodeAsBashReports(outcome))
        }
        let scriptPath = context.attemptDirectory + "/script"
        try ScratchDirectory.writeFile(scriptPath, input.script)
        defer { unlink(scriptPath) }
        let command = ScriptCommand.commandLine(for: input.shell ?? ScriptShell.defaultShell, script: scriptPath)
        let outcome: ProcessOutcome
        if let container = input.container {
            outcome = try await container.run(command, output: outputPath, context: context).outcome
        } else {
            outcome = try await context.runProcess(command[0], Array(command.dropFirst()), environment: ["FLOW_OUTPUT": outputPath])
        }
        return StepOutcome(outputs: try OutputFile.read(at: outputPath), exitCode: ScriptCommand.exitCode(outcome))
    }

    /// A command started without bash, as bash would have reported its end: a signal that
    /// ended the command (and not flow's own stop, which would have ended bash too) is 128+N.
    static func exitCodeAsBashReports(_ outcome: ProcessOutcome) -> Int32? {
        if case .signaled(let signal) = outcome.termination, !outcome.timedOut, !outcome.cancelled { return 128 + signal }
        return ScriptCommand.exitCode(outcome)
    }

    /// The working directory on CodeBuild: under the build's source folder as it is under the
    /// workspace here; nil for the workspace itself.
    static func remoteDirectory(_ directory: String, workspace: String) -> String? {
        if directory == workspace || directory == workspace + "/" { return nil }
        if directory.hasPrefix(workspace + "/") { return String(directory.dropFirst(workspace.count + 1)) }
        return directory
    }
}
