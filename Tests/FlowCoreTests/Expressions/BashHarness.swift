import FlowTestSupport
import Foundation
import Testing

@testable import FlowCore

/// Runs substituted `run:` scripts with the real `/bin/bash`, the way the runner will: each `FLOW_EXPR_n`
/// is set in the child's environment to the string form of its expression's value.
enum BashHarness {
    struct Output: Sendable {
        var stdout: Data
        var stderr: String
        var status: Int32
    }

    /// A fresh empty directory for one test; the caller removes it.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("flow-expr-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Substitutes `script`, evaluates every variable in `context` and runs the result with `bash -c` (or
    /// `shell -c`) in `directory`.
    static func run(
        _ script: String, context: EvaluationContext, in directory: URL, shell: String = "/bin/bash"
    ) async throws -> Output {
        let substitution = try ShellSubstitution.substitute(script)
        var environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"]
        for variable in substitution.variables {
            environment[variable.name] = try variable.expression.evaluate(in: context).stringValue
        }
        return try await run(substitution.script, environment: environment, in: directory, shell: shell)
    }

    /// Waited for on a thread of its own: the hostile-value tests run bash hundreds of times.
    static func run(
        _ script: String, environment: [String: String], in directory: URL, shell: String = "/bin/bash"
    ) async throws -> Output {
        let result = try await onOwnThread {
            try runProcess(URL(fileURLWithPath: shell), ["-c", script], environment: environment, currentDirectory: directory)
        }
        return Output(stdout: result.output, stderr: result.stderr, status: result.status)
    }
}
