import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// `StepError.Kind.again`: a step that changed what it runs on asks for another attempt at once;
/// rounds are attempts on record, never wait, and do not count against `retry:`.
@Suite struct RoundsTests {
    /// Asks for `rounds` more attempts, counting them in a file of its step folder, then succeeds
    /// (or, with `fail`, fails for good on the last one).
    struct Rounds: BuiltinStepType {
        struct Input: StepInputSchema {
            var rounds: Int
            static let help: [String: InputHelp] = ["rounds": InputHelp("how many times to ask again")]
        }
        static let name = "rounds"
        static let summary = "asks to run again a given number of times"
        static let outputs = StepTypeSignature.Outputs.fixed([StepOutput("seen")])
        static let example = "r: { uses: rounds, with: { rounds: 2 } }"

        func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
            let file = context.stepDirectory + "/seen"
            let seen = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") + "\(context.attempt) "
            try seen.write(toFile: file, atomically: true, encoding: .utf8)
            if context.attempt <= input.rounds { throw StepError("round \(context.attempt) changed something", kind: .again) }
            return StepOutcome(outputs: ["seen": seen.trimmingCharacters(in: .whitespaces)])
        }
    }

    @Test func roundsAreAttemptsThatNeitherWaitNorCountAgainstRetry() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        var registry = StepRegistry.builtins
        registry.register(Rounds())
        let clock = ManualClock(autoAdvance: true)
        // retry: 1 (no retries) and a long backoff: the rounds still run, with no sleep at all.
        let outcome = try await h.run("""
            name: p
            steps:
              r: { uses: rounds, retry: { attempts: 1, backoff: { initial: 1h } }, with: { rounds: 3 } }
            """, registry: registry, clock: clock)
        #expect(outcome.status == .succeeded)
        #expect(outcome.steps["r"]?.attempts == 4)
        #expect(outcome.steps["r"]?.outputs?["seen"] == "1 2 3 4")
        let attempts = try h.database.attempts(of: outcome.runID)
        #expect(attempts.map(\.status) == [.failed, .failed, .failed, .succeeded])
        #expect(attempts.first?.error == "round 1 changed something")
        #expect(clock.sleeps.isEmpty)
    }
}
