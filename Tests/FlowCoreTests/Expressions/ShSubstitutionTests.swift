import Foundation
import Testing

@testable import FlowCore

/// `shell: sh` scripts are substituted with the bash rules. Run with the real `/bin/sh` (dash here): every
/// context POSIX sh shares with bash prints the value exactly, and the bash-only ones (`$'…'`, `[[ ]]`, `<<<`,
/// arrays, process substitution), which sh reads differently, may print something else or fail but never
/// run the value.
@Suite("Shell substitution with real sh")
struct ShSubstitutionTests {
    static let bashOnly: Set<String> = [
        "ANSI-C quotes", "ANSI-C quotes with escapes around", "locale quotes", "here-string", "array element",
        "[[ == ]] string comparison", "escaped quote in ANSI-C quotes", "process substitution",
    ]
    static let shared = ShellInjectionTests.contexts.filter { !bashOnly.contains($0.name) }
    static let differing = ShellInjectionTests.contexts.filter { bashOnly.contains($0.name) }

    @Test(arguments: shared, ShellInjectionTests.values)
    func sharedContextPrintsTheValueAndRunsNothing(
        context: ShellInjectionTests.QuotingCase, value: ShellInjectionTests.HostileValue
    ) async throws {
        let run = try await Self.run(context, value)
        #expect(run.output.stderr == "")
        #expect(run.output.status == 0)
        #expect(run.output.stdout == Data(context.expected(run.value).utf8))
        #expect(!run.ranTheValue, "the value ran a command")
    }

    @Test(arguments: differing, ShellInjectionTests.values)
    func bashOnlyContextNeverRunsTheValue(
        context: ShellInjectionTests.QuotingCase, value: ShellInjectionTests.HostileValue
    ) async throws {
        #expect(try await !Self.run(context, value).ranTheValue, "the value ran a command")
    }

    static func run(
        _ context: ShellInjectionTests.QuotingCase, _ value: ShellInjectionTests.HostileValue
    ) async throws -> (output: BashHarness.Output, value: String, ranTheValue: Bool) {
        let directory = try BashHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = directory.appendingPathComponent("CANARY").path
        let text = value.template.replacingOccurrences(of: "CANARY", with: canary)
        let script = context.script.replacingOccurrences(of: "CANARY", with: canary)
        let output = try await BashHarness.run(
            script, context: EvaluationContext(values: ["params": ["v": .string(text)]]), in: directory, shell: "/bin/sh")
        return (output, text, FileManager.default.fileExists(atPath: canary))
    }
}
