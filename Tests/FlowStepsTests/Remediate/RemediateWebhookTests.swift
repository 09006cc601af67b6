import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps
import FlowTestSupport

/// The webhook action against a loopback server that records what it receives, and secrets:
/// a `${{ secrets.X }}` in a webhook or a `run` action reaches where it must (the header, the
/// command's environment) and nowhere else — not the log, the audit table, the report, the
/// recorded body, or any table of the database.
@Suite("Remediate webhooks and secrets")
struct RemediateWebhookTests {
    @Test func theDecisionIsPostedAsJSON() async throws {
        let server = try await WebhookServer()
        defer { server.stop() }
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: tell
                when: { step: train }
                action: { webhook: { url: "\(server.url)/hook" } }
                confidence: 0.9
            """)
        let r = try await h.run(failingPipeline(log: "boom", code: 7, with: "runbook: runbook.yml"))
        #expect(r.outputs == ["outcome": "acted", "action": "webhook", "rule": "tell", "decisions": "1"], "\(r.log)")
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "POST" && request.path == "/hook" && request.header("Content-Type") == "application/json")
        let body = try ExpressionValue(json: request.body)
        #expect(body.member("run") == .string(r.runID) && body.member("step") == "remediate" && body.member("rule") == "tell")
        #expect(body.member("confidence") == 0.9 && body.member("outcome") == "acted")
        #expect(body.member("evidence")?.member("step") == "train" && body.member("evidence")?.member("exit-code") == 7)
        #expect(body.member("action")?.member("webhook")?.member("url") == .string("\(server.url)/hook"))
        #expect(r.audit.first?.detail == "POSTed to \(server.url)/hook: HTTP 200")
    }

    @Test func aWebhookThatAnswersAnErrorFailsTheStep() async throws {
        let server = try await WebhookServer()
        defer { server.stop() }
        let h = try RemediateHarness()
        defer { h.remove() }
        try h.write("runbook.yml", """
            rules:
              - id: tell
                when: { step: train }
                action: { webhook: { url: "\(server.url)/status/403" } }
                confidence: 0.9
            """)
        let r = try await h.run(failingPipeline(with: "runbook: runbook.yml"))
        #expect(r.steps["remediate"]?.status == .failed)
        #expect(r.audit.first?.outcome == "failed")
        #expect(r.audit.first?.detail == "webhook \(server.url)/status/403 answered HTTP 403")
    }

    @Test func secretsReachTheHeaderAndTheCommandAndNothingElse() async throws {
        let server = try await WebhookServer()
        defer { server.stop() }
        let h = try RemediateHarness()
        defer { h.remove() }
        let token = "tok-\(UUID().uuidString)"
        let password = "pw-\(UUID().uuidString)"
        try h.write("runbook.yml", """
            rules:
              - id: tell
                when: { step: train }
                action:
                  webhook:
                    url: "\(server.url)/hook"
                    headers: { Authorization: "Bearer ${{ secrets.HOOK_TOKEN }}" }
                    body: { text: "failed: ${{ evidence.step }}; password ${{ secrets.DB_PASSWORD }}", token: "${{ secrets.HOOK_TOKEN }}" }
                confidence: 0.9
              - id: also
                when: { step: other }
                action: { run: "echo using ${{ secrets.DB_PASSWORD }}; test \\"$DB_PASSWORD\\" = ${{ secrets.DB_PASSWORD }} && echo same > same.txt" }
                confidence: 0.9
            """)
        let yaml = """
            name: secret-remediation
            steps:
              train:
                run: exit 1
              other:
                run: exit 2
              remediate:
                uses: remediate
                needs: [train, other]
                if: failure()
                with: { runbook: runbook.yml }
            """
        let r = try await h.run(yaml, environment: ["HOOK_TOKEN": token, "DB_PASSWORD": password])
        #expect(r.steps["remediate"]?.status == .succeeded, "\(r.log)")
        #expect(r.audit.map(\.outcome) == ["acted", "acted"], "\(r.audit)")
        let request = try #require(server.requests.first)
        #expect(request.header("Authorization") == "Bearer \(token)", "the header carries the token")
        let body = try ExpressionValue(json: request.body)
        #expect(body.member("text") == "failed: train; password ***")
        #expect(body.member("token") == "***")
        #expect(FileManager.default.fileExists(atPath: h.workspace + "/same.txt"), "the command got the real value")
        #expect(r.log.contains("using ***"))
        for secret in [token, password] {
            #expect(!r.log.contains(secret))
            #expect(!request.body.contains(secret))
            #expect(!(try h.databaseDump()).contains(secret))
            #expect(!h.stateHolds(secret), "a file of the state directory holds a secret")
            #expect(!r.audit.contains { "\($0)".contains(secret) })
        }
        #expect(server.recorded.components(separatedBy: token).count == 2, "the token is recorded once: in the header")
        #expect(!server.recorded.contains(password))
    }
}
