import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
@testable import FlowSteps
import FlowTestSupport

/// `rollback-stack` and `delete-stack` against LocalStack's CloudFormation. LocalStack's UPDATE
/// change sets change values faithfully but not resource replacement or clean-up, so these tests
/// change a parameter's value only; real CloudFormation would also replace and delete resources.
@Suite(.serialized) struct RemediateStackTests {
    static let runbook = """
        rules:
          - id: unhealthy-after-deploy
            when: { step: health, status: failed }
            action: { rollback-stack: { stack: "${{ params.stack }}" } }
            confidence: 0.9
          - id: drop
            when: { step: smoke, status: failed }
            action: { delete-stack: { stack: "${{ params.stack }}" } }
            confidence: 0.9
        """

    static func pipeline(_ stack: String, second: String, healthy: Bool) -> String {
        """
        name: rollback
        params:
          stack: { type: string, default: \(stack) }
        steps:
          deploy:
            uses: deploy-stack
            with: { stack: "${{ params.stack }}", template: stack.yml, parameters: { Greeting: v1, Suffix: "${{ params.stack }}" } }
          update:
            uses: deploy-stack
            needs: [deploy]
            with: { stack: "${{ params.stack }}", template: stack.yml, parameters: { Greeting: \(second), Suffix: "${{ params.stack }}" } }
          health:
            needs: [update]
            run: \(healthy ? "echo healthy" : "echo unhealthy; exit 1")
          remediate:
            uses: remediate
            needs: [health]
            if: failure()
            with: { runbook: runbook.yml }
        """
    }

    @Test func aRollbackAfterAFailedHealthCheckRestoresThePreviousOutputs() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        let stack = LocalStack.stackName("rollback")
        try h.write("stack.yml", Templates.greeting)
        try h.write("runbook.yml", Self.runbook)
        let r = try await h.run(Self.pipeline(stack, second: "v2", healthy: false))
        #expect(r.outputs("update")["Greeting"] == "v2", "\(r.log("update"))")
        #expect(try r.step("health").status == .failed)
        #expect(try r.step("remediate").status == .succeeded, "\(r.log("remediate"))")
        #expect(r.outputs("remediate")["outcome"] == "acted" && r.outputs("remediate")["action"] == "rollback-stack")
        let described = try await LocalStack.client(localstack).describeStack(stack)
        #expect(described?.outputs.first { $0.key == "Greeting" }?.value == "v1", "the outputs of before the update are back")
        #expect(r.log("remediate").contains("rolling stack \(stack) back"), "\(r.log("remediate"))")
        let audit = try h.engine.database.audits(of: r.runID)
        #expect(audit.map(\.outcome) == ["acted"])
        #expect(audit.first?.detail.hasPrefix("stack \(stack) rolled back to its template of before this run (updated") == true, "\(audit)")
        _ = try? await LocalStack.client(localstack).deleteStack(stack)
    }

    @Test func withoutASnapshotARollbackNeedsAPerson() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        let stack = LocalStack.stackName("nosnap")
        try h.write("stack.yml", Templates.greeting)
        try h.write("runbook.yml", Self.runbook)
        // The update changes nothing ("no changes"), so deploy-stack saves no snapshot.
        let r = try await h.run(Self.pipeline(stack, second: "v1", healthy: false))
        #expect(try r.step("remediate").status == .succeeded, "\(r.log("remediate"))")
        #expect(r.outputs("remediate")["outcome"] == "needs-person")
        let audit = try h.engine.database.audits(of: r.runID)
        #expect(audit.first?.detail == "needs a person: no earlier template of \(stack) was recorded in this run (the stack is CREATE_COMPLETE)")
        _ = try? await LocalStack.client(localstack).deleteStack(stack)
    }

    @Test func deleteStackDeletesTheStack() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        let stack = LocalStack.stackName("delete")
        try h.write("stack.yml", Templates.greeting)
        try h.write("runbook.yml", Self.runbook)
        let r = try await h.run("""
            name: drop
            params:
              stack: { type: string, default: \(stack) }
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: "${{ params.stack }}", template: stack.yml, parameters: { Greeting: v1, Suffix: "${{ params.stack }}" } }
              smoke:
                needs: [deploy]
                run: exit 1
              remediate:
                uses: remediate
                needs: [smoke]
                if: failure()
                with: { runbook: runbook.yml }
            """)
        #expect(try r.step("remediate").status == .succeeded, "\(r.log("remediate"))")
        #expect(r.outputs("remediate")["action"] == "delete-stack" && r.outputs("remediate")["outcome"] == "acted")
        let described = try await LocalStack.client(localstack).describeStack(stack)
        #expect(described == nil || described?.status.rawValue == "DELETE_COMPLETE")
    }
}
