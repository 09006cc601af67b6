import Foundation
import Testing
import FlowTestSupport

/// `flow audit [RUN] [--json]` through the built binary, after `flow run` of a pipeline with a
/// `remediate` step.
@Suite struct AuditCommandTests {
    static let pipeline = """
        name: audited
        steps:
          train:
            run: |
              echo "RuntimeError: CUDA out of memory"
              exit 1
          remediate:
            uses: remediate
            needs: [train]
            if: failure()
            with: { runbook: runbook.yml }
        """

    static let runbook = """
        rules:
          - id: oom
            when: { step: train, log: "CUDA out of memory" }
            action: { run: "echo clean-up for ${{ evidence.step }}" }
            confidence: 0.9
          - id: guess
            when: { step: nothing }
            action: { person: { reason: never } }
            confidence: 0.1
        """

    @Test func auditPrintsEveryDecisionOfARunAsTextAndAsJSON() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        _ = try dir.write("runbook.yml", Self.runbook)
        let run = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(run.status == 1, "train fails, so the run does: \(run.stderr)")
        let id = try await Runs.newestID(in: dir)

        let text = try await runFlow(["audit", id], currentDirectory: dir.url)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(text.stdout)")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["TIME", "RUN", "STEP", "RULE", "CONFIDENCE", "DRY-RUN", "OUTCOME", "ACTION", "DETAIL"])
        let columns = lines.last?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
        #expect(Array(columns.dropFirst().prefix(7)) == [id, "remediate", "oom", "0.9/0.8", "no", "acted", "run"], "\(columns)")
        #expect(lines.last?.hasSuffix("ran `echo clean-up for ${{ evidence.step }}`: exit 0") == true)

        let json = try await runFlow(["audit", id, "--json"], currentDirectory: dir.url)
        #expect(json.status == 0)
        let rows = json.stdout.split(separator: "\n")
        #expect(rows.count == 1)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(rows[0].utf8)) as? [String: Any])
        #expect(Set(row.keys) == ["id", "run", "step", "rule", "evidence", "action", "confidence", "minConfidence", "dryRun", "outcome", "detail", "at"])
        #expect(row["run"] as? String == id && row["rule"] as? String == "oom" && row["outcome"] as? String == "acted")
        #expect(row["confidence"] as? Double == 0.9 && row["minConfidence"] as? Double == 0.8 && row["dryRun"] as? Bool == false)
        #expect((row["evidence"] as? [String: Any])?["step"] as? String == "train")
        #expect((row["action"] as? [String: Any])?["run"] as? String == "echo clean-up for ${{ evidence.step }}")

        // All runs, newest first, include this one.
        let all = try await runFlow(["audit", "--json"], currentDirectory: dir.url)
        #expect(all.stdout.split(separator: "\n").count == 1)
    }

    @Test func anUnknownRunExitsTwo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: fine\nsteps:\n  a: { run: 'true' }\n")
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let unknown = try await runFlow(["audit", "20000101-0000-dead"], currentDirectory: dir.url)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run `20000101-0000-dead`"))
        let none = try await runFlow(["audit"], currentDirectory: dir.url)
        #expect(none.status == 0 && none.stdout == "no remediation decisions recorded\n")
    }
}
