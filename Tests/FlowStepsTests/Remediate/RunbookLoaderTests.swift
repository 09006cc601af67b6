import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps
import FlowTestSupport

/// A runbook is checked like a pipeline: every mistake located, all of them at once.
@Suite("Runbook loading")
struct RunbookLoaderTests {
    func problems(_ text: String) -> [String] {
        let (runbook, diagnostics) = RunbookLoader.parse(Array(text.utf8), file: "runbook.yml")
        #expect(runbook == nil)
        return diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    @Test func aRunbookWithMistakesGivesEveryErrorAtItsPlace() {
        let text = """
            rules:
              - id: one
                when: { step: train, colour: red }
                action: { rerun: { step: train } }
                confidence: 0.9
              - id: two
                when: { log: "CUDA (out" }
                action: { reboot: {} }
                confidence: 1.5
              - description: no id
                when: { step: a }
                action: { run: "echo", person: { reason: x } }
                confidence: 0.5
              - id: four
                when: { step: a }
                action: { rerun: { params: { a: b } } }
                confidence: 0.5
              - id: one
                when: { exit-code: [1, 300], error-class: oom }
                action: { webhook: { url: "${{ params.x" } }
                confidence: 0.5
            """
        let found = problems(text)
        #expect(found == [
            "3:26: unknown key `colour` in `when` of rule `one`",
            "7:18: `when.log` `CUDA (out` is not a valid regular expression; fix the pattern (escape `(`, `[`, `.` with `\\` to match them literally)",
            "8:15: unknown action `reboot`",
            "9:17: `confidence` is 1.5, outside 0…1; write how sure the rule is as a number from 0 to 1, such as `0.8`",
            "10:5: a rule is missing the required key `id`",
            "12:28: a rule has one action, but this one has `run` and `person`; write one rule per action",
            "16:22: `rerun` is missing the required key `step`",
            "18:9: rule id `one` is used twice; give each rule its own id",
            "19:28: `when.exit-code` must be an exit code from 0 to 255, or a list of them",
            "19:47: `when.error-class` must be one of `timeout`, `signal`, `exit-code`, `cancelled`, `error`, not `oom`",
            "20:32: invalid expression: `${{` is not closed by `}}`",
        ], "\(found)")
    }

    @Test func aRuleMatchesAStepOrAnAlarmNotBoth() {
        let found = problems("""
            rules:
              - id: mixed
                when: { step: train, alarm: { state: ALARM } }
                action: { person: { reason: look } }
                confidence: 1
            """)
        #expect(found == ["3:11: a rule matches an alarm or a step, not both: remove `step` or `alarm`, or write two rules"])
    }

    @Test func aFileThatIsNotARunbookSaysWhatARunbookIs() {
        #expect(problems("") == ["1:1: the runbook is empty; it needs `rules:`, a list of rules with `id`, `when`, `action` and `confidence`"])
        #expect(problems("- a\n- b\n") == ["1:1: a runbook must be a mapping, not a list"])
        #expect(problems("rule: []\n") == ["1:1: unknown key `rule` in a runbook", "1:1: the runbook is missing the required key `rules`"])
    }

    @Test func aHostileRunbookFileIsRefusedWithoutHanging() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.file("runbook.yml").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let (runbook, diagnostics) = RunbookLoader.load(path: fifo, shown: "runbook.yml")
        #expect(runbook == nil)
        #expect(diagnostics.first?.message == "cannot read the runbook: it is a FIFO, not a regular file; give `runbook` a readable YAML file")
    }

    @Test func theShippedFSDPRunbookLoadsWithARuleForEachFailureClass() throws {
        let path = Repository.root.appendingPathComponent("examples/fsdp/runbook.yml").path
        let (runbook, diagnostics) = RunbookLoader.load(path: path, shown: "examples/fsdp/runbook.yml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(runbook?.rules.map(\.id) == ["cuda-out-of-memory", "killed-exit-137", "nccl-timeout", "no-space-left", "checkpoint-path",
                                             "image-pull", "stalled", "unhealthy-after-deploy", "high-cpu"])
        #expect(runbook?.rules.map(\.action.kind) == ["rerun", "rerun", "rerun", "run", "rerun", "person", "rerun", "rollback-stack", "run"])
    }

    @Test func validatingAPipelineChecksTheRunbookItNames() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let runbook = try directory.write("runbook.yml", "rules:\n  - id: a\n    when: { step: x }\n    action: { rerun: { step: x }, run: \"y\" }\n    confidence: 0.5\n").path
        let pipeline = "name: v\nsteps:\n  a: { run: \"true\" }\n  r:\n    uses: remediate\n    needs: [a]\n    with: { runbook: \(runbook) }\n"
        let options = PipelineSource.options(catalog: BuiltinSteps.registry.catalog)
        let (_, diagnostics) = PipelineCheck.check(Array(pipeline.utf8), file: "p.yml", options: options)
        #expect(diagnostics.map { "\($0.location): \($0.message)" }
                == ["\(runbook):4:35: a rule has one action, but this one has `rerun` and `run`; write one rule per action"])
        // A runbook named by an expression is checked when the step runs.
        let later = pipeline.replacingOccurrences(of: runbook, with: "\"${{ env.RUNBOOK }}\"")
        #expect(PipelineCheck.check(Array(later.utf8), file: "p.yml", options: options).diagnostics.isEmpty)
    }

    @Test func globsMatchIdsWithStarsAndQuestionMarks() {
        #expect(Glob("train*").matches("train[gpus=8]"))
        #expect(Glob("train*").matches("train"))
        #expect(!Glob("train*").matches("pretrain"))
        #expect(Glob("*-after-*").matches("check-after-deploy"))
        #expect(Glob("t?st").matches("test"))
        #expect(!Glob("t?st").matches("toast"))
    }
}
