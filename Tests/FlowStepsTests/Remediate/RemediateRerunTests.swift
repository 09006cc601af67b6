import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// The `rerun` action through `flow run`: the engine's rerun requests carry it out after the
/// pass; the per-rule `max` is counted across passes.
@Suite("Remediate reruns")
struct RemediateRerunTests {
    static let pipeline = """
        name: oom
        params:
          batch-size: { type: number, default: 32 }
        steps:
          train:
            env: { BATCH_SIZE: "${{ params.batch-size }}" }
            run: |
              echo "train with batch size $BATCH_SIZE" >> ledger
              if [ "$BATCH_SIZE" -gt 8 ]; then echo "RuntimeError: CUDA out of memory"; exit 1; fi
          remediate:
            uses: remediate
            needs: [train]
            if: failure()
            with: { runbook: runbook.yml }
        """

    static func runbook(max: Int) -> String {
        """
        rules:
          - id: oom
            when: { step: train, log: "CUDA out of memory" }
            action:
              rerun: { step: train, params: { batch-size: "${{ max(1, div(params.batch-size, 2)) }}" }, max: \(max) }
            confidence: 0.9
        """
    }

    @Test func outOfMemoryHalvesTheBatchSizeUntilTrainingFits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        _ = try dir.write("runbook.yml", Self.runbook(max: 3))
        let run = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(ledger(dir) == ["train with batch size 32", "train with batch size 16", "train with batch size 8"])
        let id = try await latestRun(in: dir)
        let audit = try await runFlow(["audit", id, "--json"], currentDirectory: dir.url)
        let rows = try audit.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(rows.map { $0["outcome"] as? String } == ["acted", "acted"])
        #expect(rows.map { (($0["action"] as? [String: Any])?["rerun"] as? [String: Any])?["params"] as? [String: String] }
                == [["batch-size": "16"], ["batch-size": "8"]])
    }

    @Test func pastItsMaxTheRuleNeedsAPerson() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        _ = try dir.write("runbook.yml", Self.runbook(max: 1))
        let run = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(run.status == 1)
        #expect(ledger(dir) == ["train with batch size 32", "train with batch size 16"])
        let id = try await latestRun(in: dir)
        let audit = try await runFlow(["audit", id, "--json"], currentDirectory: dir.url)
        let rows = try audit.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(rows.map { $0["outcome"] as? String } == ["acted", "needs-person"])
        #expect((rows.last?["detail"] as? String) == "needs a person: rule oom already re-ran train 1 time in this run (max 1)")
    }

    func ledger(_ dir: TemporaryDirectory) -> [String] {
        ((try? String(contentsOf: dir.file("ledger"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func latestRun(in dir: TemporaryDirectory) async throws -> String {
        let r = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        return try #require(list.first?["id"] as? String)
    }
}
