import Foundation
import FlowEngine

/// `rollback-stack` and `delete-stack`: not in this build (they need deploy-stack's
/// CloudFormation client); a rule that chooses them fails, saying so.
struct StackRemediation {
    let context: StepContext

    func rollback(stack: String, region: String?) async throws -> (RemediationOutcome, String) {
        (.failed, "rollback-stack is not available in this build of flow (no CloudFormation client); roll \(stack) back by hand")
    }

    func delete(stack: String, region: String?) async throws -> (RemediationOutcome, String) {
        (.failed, "delete-stack is not available in this build of flow (no CloudFormation client); delete \(stack) by hand")
    }
}
