import Foundation
import FlowEngine

/// `rollback-stack` and `delete-stack`, through deploy-stack's CloudFormation client and its
/// change-set path (``ChangeSetDeployment``): events in the log, waits through the step's clock.
struct StackRemediation {
    let context: StepContext

    /// When every wait gives up: the step's timeout, else an hour.
    var deadline: Date {
        let seconds = context.timeout.map { Double($0.components.seconds) } ?? 3600
        return context.clock.now().addingTimeInterval(seconds)
    }

    /// A change set name and client token of this attempt (letters, digits, hyphens).
    func token(_ what: String) -> String {
        let run = context.runID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return String("flow-\(what)-\(run)-\(context.attempt)".prefix(128))
    }

    func client(_ region: String?) throws -> CloudFormationClient {
        CloudFormationClient(try context.network().aws(region: region))
    }

    /// Puts back the template and parameters the stack had before this run's deploy-stack
    /// updated it; without such a snapshot, finishes a stuck update's rollback, or asks for a person.
    func rollback(stack: String, region: String?) async throws -> (RemediationOutcome, String) {
        let client = try client(region)
        let deployment = ChangeSetDeployment(client: client, context: context)
        if let snapshot = try StackSnapshot.load(stack: stack, region: client.region, context: context) {
            context.log.note("rolling stack \(stack) back to the template and parameters it had before this run updated it")
            let outcome = try await snapshot.restore(with: deployment, changeSetName: token("rollback"), token: token("rollback"),
                                                     deadline: deadline)
            let status = outcome.stack?.status.rawValue ?? "unknown"
            return (.acted, "stack \(stack) rolled back to its template of before this run (\(outcome.kind.rawValue), \(status))")
        }
        guard let description = try await client.describeStack(stack) else {
            return (.needsPerson, "no earlier template of \(stack) was recorded in this run, and there is no stack \(stack) in \(client.region)")
        }
        let id = description.stackID.isEmpty ? stack : description.stackID
        switch description.status.rawValue {
        case "UPDATE_FAILED":
            try await client.rollbackStack(id, token: token("rollback"))
            let result = try await deployment.waitForStack(id, deadline: deadline, what: "the rollback of stack \(stack)")
            return ended(result.status.rawValue, stack: stack, wanted: ["UPDATE_ROLLBACK_COMPLETE", "UPDATE_COMPLETE"], doing: "RollbackStack")
        case "UPDATE_ROLLBACK_FAILED":
            try await client.continueUpdateRollback(id, token: token("continue"))
            let result = try await deployment.waitForStack(id, deadline: deadline, what: "the rollback of stack \(stack)")
            return ended(result.status.rawValue, stack: stack, wanted: ["UPDATE_ROLLBACK_COMPLETE"], doing: "ContinueUpdateRollback")
        default:
            return (.needsPerson, "no earlier template of \(stack) was recorded in this run (the stack is \(description.status.rawValue))")
        }
    }

    func ended(_ status: String, stack: String, wanted: [String], doing: String) -> (RemediationOutcome, String) {
        wanted.contains(status) ? (.acted, "stack \(stack): \(doing), now \(status)")
            : (.failed, "stack \(stack): \(doing) ended in \(status)")
    }

    /// Deletes the stack and waits until it is gone.
    func delete(stack: String, region: String?) async throws -> (RemediationOutcome, String) {
        let client = try client(region)
        guard let description = try await client.describeStack(stack) else {
            return (.acted, "stack \(stack) does not exist in \(client.region): nothing to delete")
        }
        try await ChangeSetDeployment(client: client, context: context).delete(description, token: token("delete"), deadline: deadline)
        return (.acted, "stack \(stack) deleted")
    }
}
