import Foundation
import FlowCore
import FlowEngine
import FlowHTTP

/// How a finished build ends its attempt:
/// - `SUCCEEDED`: the attempt succeeds with the outputs the script wrote to `$FLOW_OUTPUT`
///   (exported as `FLOW_OUTPUTS`) and the build's id, ARN and log link;
/// - `FAILED`: a failed attempt, retryable as a local script's non-zero exit is, with the failing
///   phase and its message, and the exit status when CodeBuild's message gives one;
/// - `FAULT` (CodeBuild's own error) and `TIMED_OUT` (the project's or override's timeout):
///   retryable; `TIMED_OUT` counts as a timeout;
/// - `STOPPED` by someone else than this attempt (the console, another tool): terminal, since a
///   person decided the build should not go on.
enum CodeBuildOutcome {
    static func map(_ build: CodeBuildClient.Build, context: StepContext) throws -> StepOutcome {
        let status = build.buildStatus ?? "IN_PROGRESS"
        let link = build.logs?.deepLink.map { " (log: \($0))" } ?? ""
        switch status {
        case "SUCCEEDED":
            var outputs = try exportedOutputs(build, context: context)
            outputs["codebuild-build-id"] = build.id
            if let arn = build.arn { outputs["codebuild-build-arn"] = arn }
            if let deepLink = build.logs?.deepLink { outputs["codebuild-log-url"] = deepLink }
            context.log.note("CodeBuild build \(build.id) succeeded")
            return StepOutcome(outputs: outputs, exitCode: 0)
        case "FAILED":
            let (phase, message) = failingPhase(build)
            return try fail("CodeBuild build \(build.id) failed in phase \(phase)\(message.map { ": \($0)" } ?? "")\(link)",
                            kind: .retryable, exitCode: message.flatMap(exitStatus))
        case "FAULT":
            let (phase, message) = failingPhase(build)
            return try fail("CodeBuild build \(build.id) ended with a CodeBuild fault in phase \(phase)\(message.map { ": \($0)" } ?? "")\(link)",
                            kind: .retryable)
        case "TIMED_OUT":
            throw StepError("CodeBuild build \(build.id) timed out (the project's timeout or the step's `timeout`)\(link)",
                            kind: .retryable, timedOut: true)
        case "STOPPED":
            return try fail("CodeBuild build \(build.id) was stopped outside this attempt\(link)", kind: .terminal)
        default:
            return try fail("CodeBuild build \(build.id) ended with status \(status), which flow does not know\(link)", kind: .terminal)
        }
    }

    private static func fail(_ message: String, kind: StepError.Kind, exitCode: Int32? = nil) throws -> StepOutcome {
        throw StepError(message, kind: kind, exitCode: exitCode)
    }

    /// The first phase that did not succeed, and its context message.
    static func failingPhase(_ build: CodeBuildClient.Build) -> (String, String?) {
        let failed = build.phases?.first { phase in
            guard let status = phase.phaseStatus else { return false }
            return status != "SUCCEEDED" && status != "IN_PROGRESS"
        }
        let message = failed?.contexts?.compactMap { context -> String? in
            let parts = [context.statusCode, context.message].compactMap { $0 }.filter { !$0.isEmpty }
            return parts.isEmpty ? nil : parts.joined(separator: ": ")
        }.first
        return (failed?.phaseType ?? build.currentPhase ?? "unknown", message)
    }

    /// `… Reason: exit status 3` → 3.
    static func exitStatus(_ message: String) -> Int32? {
        guard let range = message.range(of: "exit status ", options: .backwards) else { return nil }
        return Int32(message[range.upperBound...].prefix { $0.isNumber })
    }

    /// The `key=value` lines the script wrote to `$FLOW_OUTPUT`, from the exported `FLOW_OUTPUTS`.
    static func exportedOutputs(_ build: CodeBuildClient.Build, context: StepContext) throws -> [String: String] {
        guard let encoded = build.exportedEnvironmentVariables?.first(where: { $0.name == CodeBuildBuildspec.outputsVariable })?.value,
              !encoded.isEmpty else { return [:] }
        guard let data = Data(base64Encoded: encoded) else {
            throw StepError("the outputs of CodeBuild build \(build.id) are not base64 (\(CodeBuildBuildspec.outputsVariable))", kind: .terminal)
        }
        let path = context.attemptDirectory + "/codebuild-outputs"
        try ScratchDirectory.writeFile(path, String(decoding: data, as: UTF8.self))
        defer { unlink(path) }
        return try OutputFile.read(at: path)
    }
}
