import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// An update through `deploy-stack` saves the stack's previous template and parameters in the
/// run's state; deploying that snapshot back (what `remediate`'s `rollback-stack` does, through
/// the same change-set code path) restores the previous outputs.
@Suite(.serialized) struct StackSnapshotTests {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
    }

    // LocalStack is faithful here for an SSM parameter's Value and the Output that echoes it.
    // Real AWS also: replaces resources whose replacement is `True` (a renamed parameter) and
    // deletes the old ones in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; LocalStack's UPDATE change
    // sets do neither faithfully, so the tests change values only.
    @Test func anUpdateSavesTheSnapshotAndDeployingItBackRestoresThePreviousOutputs() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("stack.yml", Templates.greeting)
        let stack = LocalStack.stackName("snapshot")
        func pipeline(_ greeting: String) -> String {
            """
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: stack.yml, parameters: { Greeting: \(greeting), Suffix: \(stack) } }
            """
        }
        let created = try await h.run(pipeline("v1"))
        #expect(created.status == .succeeded, "\(created.log("deploy"))")
        #expect(created.outputs("deploy")["Greeting"] == "v1")
        let updated = try await h.run(pipeline("v2"))
        let log = updated.log("deploy")
        #expect(updated.status == .succeeded, "\(log)")
        #expect(updated.outputs("deploy")["Greeting"] == "v2")
        #expect(updated.outputs("deploy")["status"] == "UPDATE_COMPLETE")
        #expect(log.contains("(UPDATE) for stack \(stack)"))
        #expect(log.contains("flow:   Modify Param AWS::SSM::Parameter"), "\(log)")
        #expect(log.contains("UPDATE_COMPLETE \(stack) (AWS::CloudFormation::Stack)"), "\(log)")
        #expect(log.contains("saved stack \(stack)'s current template and parameters for a rollback"))

        // The snapshot: in the run's folder, mode 0600, the previous template and values.
        let runFolder = h.engine.statePath + "/" + updated.runID
        let path = StackSnapshot.path(stack: stack, region: "us-east-1", runFolder: runFolder)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let snapshot = try #require(try StackSnapshot.load(path: path))
        #expect(snapshot.template == Templates.greeting)
        #expect(snapshot.parameters.contains(StackParameter(key: "Greeting", value: "v1")))
        #expect(snapshot.outputs["Greeting"] == "v1")
        #expect(snapshot.status == "CREATE_COMPLETE")

        // What rollback-stack does with it.
        let lines = Lines()
        let deployment = ChangeSetDeployment(client: LocalStack.client(localstack), clock: RealClock(),
                                             backoff: .init(initial: .milliseconds(500), factor: 1.5, max: .seconds(3)),
                                             log: { lines.append($0) }, mask: { $0 })
        let restored = try await snapshot.restore(with: deployment, changeSetName: "flow-rollback-test", token: "flow-rollback-test",
                                                  deadline: Date().addingTimeInterval(300))
        #expect(restored.kind == .updated, "\(lines.lines)")
        #expect(restored.stack?.output("Greeting") == "v1")
        #expect(lines.lines.contains("UPDATE_COMPLETE \(stack) (AWS::CloudFormation::Stack)"), "\(lines.lines)")
        let after = try #require(try await LocalStack.client(localstack).describeStack(stack))
        #expect(after.output("Greeting") == "v1")
    }

    @Test func aRunSavesNoSnapshotForACreateOrADryRun() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("stack.yml", Templates.greeting)
        let stack = LocalStack.stackName("nosnap")
        let created = try await h.run("""
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: stack.yml, parameters: { Suffix: \(stack) } }
              dry:
                uses: deploy-stack
                needs: [deploy]
                with: { stack: \(stack), template: stack.yml, parameters: { Greeting: other, Suffix: \(stack) }, dry-run: true }
            """)
        #expect(created.status == .succeeded, "\(created.log("deploy"))\(created.log("dry"))")
        let path = StackSnapshot.path(stack: stack, region: "us-east-1", runFolder: h.engine.statePath + "/" + created.runID)
        #expect(try StackSnapshot.load(path: path) == nil)
    }
}
