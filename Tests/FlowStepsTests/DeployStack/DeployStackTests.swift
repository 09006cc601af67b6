import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `deploy-stack` against LocalStack's CloudFormation (real change sets, stacks, events and SSM
/// parameters). Each test says what real AWS would do beyond the emulator.
@Suite(.serialized) struct DeployStackTests {
    /// Event lines of a step log: `flow: CREATE_COMPLETE Param (AWS::SSM::Parameter)`.
    static func eventLines(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            line.hasPrefix("flow: ") && line.hasSuffix(")") && ["CREATE_", "UPDATE_", "DELETE_", "ROLLBACK_", "REVIEW_"].contains { line.dropFirst(6).hasPrefix($0) }
        }
    }

    // Real AWS also: emits two CREATE_IN_PROGRESS events per resource (the second with reason
    // "Resource creation Initiated") and a REVIEW_IN_PROGRESS one for the change set's stack.
    @Test func createsTheStackStreamsItsEventsAndPassesItsOutputsToADependentStep() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("stack.yml", Templates.greeting)
        let stack = LocalStack.stackName("create")
        let yaml = """
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with:
                  stack: \(stack)
                  template: stack.yml
                  parameters: { Greeting: hi, Suffix: \(stack) }
                  tags: { team: ml }
              show:
                needs: [deploy]
                run: echo "greeting=${{ steps.deploy.outputs.Greeting }} id=${{ steps.deploy.outputs.stack-id }}"
            """
        let first = try await h.run(yaml)
        let log = first.log("deploy")
        #expect(first.status == .succeeded, "\(log)")
        let outputs = first.outputs("deploy")
        #expect(outputs["Greeting"] == "hi")
        #expect(outputs["ParamName"] == "/flow-test/\(stack)/greeting")
        #expect(outputs["status"] == "CREATE_COMPLETE")
        #expect(outputs["stack-id"]?.hasPrefix("arn:aws:cloudformation:us-east-1:") == true)
        #expect(outputs["change-set-id"]?.contains(":changeSet/flow-") == true)
        #expect(first.log("show").contains("greeting=hi id=arn:aws:cloudformation:"))
        #expect(log.contains("(CREATE) for stack \(stack)"))
        #expect(log.contains("flow:   Add Param AWS::SSM::Parameter"), "\(log)")
        // Events: in order (a resource's IN_PROGRESS before its COMPLETE, the stack's last), none twice.
        let events = Self.eventLines(log)
        #expect(events.count == Set(events).count, "\(events)")
        let started = try #require(events.firstIndex(of: "flow: CREATE_IN_PROGRESS Param (AWS::SSM::Parameter)"), "\(events)")
        let done = try #require(events.firstIndex(of: "flow: CREATE_COMPLETE Param (AWS::SSM::Parameter)"), "\(events)")
        #expect(started < done)
        #expect(events.last == "flow: CREATE_COMPLETE \(stack) (AWS::CloudFormation::Stack)")

        // The same template and parameters again: "no changes" is success, outputs as before.
        let second = try await h.run(yaml)
        #expect(second.status == .succeeded, "\(second.log("deploy"))")
        #expect(second.log("deploy").contains("no changes: stack \(stack) already matches the template and parameters"))
        #expect(second.outputs("deploy")["Greeting"] == "hi")
        #expect(second.outputs("deploy")["status"] == "CREATE_COMPLETE")
        #expect(second.outputs("deploy")["change-set-id"] == "")
        #expect(Self.eventLines(second.log("deploy")).isEmpty)
    }

    // Real AWS also: deletes the resources made before the failure during ROLLBACK_IN_PROGRESS
    // (LocalStack's rollback clean-up is not faithful), so deleting the failed stack later finds
    // nothing to fail on. LocalStack instead tries to delete the bucket it never made and shows
    // DELETE_FAILED for a moment before DELETE_COMPLETE; the step asks for the deletion once more
    // when it sees DELETE_FAILED, which is also how a transient failure to delete passes on AWS.
    @Test func aResourceWithAnInvalidPropertyRollsTheCreateBackAndOnlyADeleteOnFailedCreateDeploysAgain() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("bad.yml", Templates.failing)
        try h.write("good.yml", Templates.greeting)
        let stack = LocalStack.stackName("failed")
        func pipeline(_ template: String, deleteOnFailedCreate: Bool) -> String {
            """
            name: p
            steps:
              deploy:
                uses: deploy-stack
                retry: { attempts: 3, backoff: { initial: 1s } }
                with:
                  stack: \(stack)
                  template: \(template)
                  parameters: { Suffix: \(stack) }
                  delete-on-failed-create: \(deleteOnFailedCreate)
            """
        }
        let failed = try await h.run(pipeline("bad.yml", deleteOnFailedCreate: false))
        let step = try failed.step("deploy")
        #expect(failed.status == .failed)
        // A template fault is terminal: one attempt, whatever `retry:` allows.
        #expect(step.attempts == 1)
        let error = step.error ?? ""
        #expect(error.contains("the create of stack \(stack) failed: the stack is ROLLBACK_COMPLETE; first failure: Bad (AWS::S3::Bucket) CREATE_FAILED: "), "\(error)")
        #expect(error.contains("delete-on-failed-create"))
        #expect(failed.log("deploy").contains("CREATE_FAILED Bad (AWS::S3::Bucket)"), "\(failed.log("deploy"))")
        #expect(try await LocalStack.client(localstack).describeStack(stack)?.status.rawValue == "ROLLBACK_COMPLETE")

        // Without `delete-on-failed-create` the stack in ROLLBACK_COMPLETE is left alone.
        let refused = try await h.run(pipeline("good.yml", deleteOnFailedCreate: false))
        #expect(refused.status == .failed)
        #expect(try refused.step("deploy").error?.contains("is ROLLBACK_COMPLETE (its create failed): it can only be deleted; set `delete-on-failed-create: true`") == true)

        let recreated = try await h.run(pipeline("good.yml", deleteOnFailedCreate: true))
        let log = recreated.log("deploy")
        #expect(recreated.status == .succeeded, "\(log)")
        #expect(log.contains("deleting it before creating it again"))
        #expect(log.contains("stack \(stack) deleted"))
        #expect(recreated.outputs("deploy")["status"] == "CREATE_COMPLETE")
        #expect(recreated.outputs("deploy")["Greeting"] == "hello")
    }

    // Real AWS also: a CREATE dry run leaves the stack in REVIEW_IN_PROGRESS, as LocalStack does,
    // and an UPDATE dry run's change set stays AVAILABLE until executed, deleted or made OBSOLETE.
    @Test func aDryRunCreatesAChangeSetPrintsItAndChangesNoStack() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("stack.yml", Templates.greeting)
        let stack = LocalStack.stackName("dryrun")
        func pipeline(_ greeting: String, dryRun: Bool) -> String {
            """
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: stack.yml, parameters: { Greeting: \(greeting), Suffix: \(stack) }, dry-run: \(dryRun) }
            """
        }
        let client = LocalStack.client(localstack)
        let firstDry = try await h.run(pipeline("hi", dryRun: true))
        #expect(firstDry.status == .succeeded, "\(firstDry.log("deploy"))")
        #expect(firstDry.outputs("deploy")["status"] == "DRY_RUN")
        #expect(firstDry.log("deploy").contains("dry run: change set flow-"))
        let stateAfterDryCreate = try await client.describeStack(stack)
        #expect(stateAfterDryCreate == nil || stateAfterDryCreate?.status.rawValue == "REVIEW_IN_PROGRESS")

        let created = try await h.run(pipeline("hi", dryRun: false))
        #expect(created.status == .succeeded, "\(created.log("deploy"))")
        #expect(created.outputs("deploy")["Greeting"] == "hi")

        let dry = try await h.run(pipeline("bye", dryRun: true))
        let log = dry.log("deploy")
        #expect(dry.status == .succeeded, "\(log)")
        #expect(log.contains("flow:   Modify Param AWS::SSM::Parameter"), "\(log)")
        #expect(log.contains("was not executed; it is kept for review: arn:"))
        #expect(dry.outputs("deploy")["status"] == "DRY_RUN")
        #expect(dry.outputs("deploy")["Greeting"] == "hi")
        let changeSetID = try #require(dry.outputs("deploy")["change-set-id"])
        let changeSet = try await client.describeChangeSet(changeSetID)
        #expect(changeSet.status == "CREATE_COMPLETE")
        #expect(changeSet.executionStatus == "AVAILABLE")
        // Nothing moved: the stack still serves the first deploy's value.
        let after = try #require(try await client.describeStack(stack))
        #expect(after.status.rawValue == "CREATE_COMPLETE")
        #expect(after.output("Greeting") == "hi")
    }

    // Real AWS also: refuses an AllowedValues violation itself; LocalStack does not check
    // AllowedValues, so flow's own check is what stops it here.
    @Test func aTemplateWithProblemsFailsBeforeAnyCallWithEveryProblemLocated() async throws {
        let localstack = try await LocalStack.shared()
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        try h.write("stack.yml", """
            Parameters:
              Env: { Type: String, AllowedValues: [dev, prod] }
              Name: { Type: String }
            Resources:
              P:
                Type: AWS::SSM::Parameter
                Properties: { Type: String, Value: !Ref Nmae }
            """)
        let stack = LocalStack.stackName("checked")
        let result = try await h.run("""
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: stack.yml, parameters: { Env: staging, Extra: x } }
            """)
        let error = try result.step("deploy").error ?? ""
        #expect(result.status == .failed)
        #expect(error.contains("the template stack.yml has 4 problems (see the log); nothing was sent to CloudFormation"), "\(error)")
        #expect(error.contains("stack.yml:3:3: error: parameter `Name` has no `Default` and no value"), "\(error)")
        #expect(error.contains("stack.yml:7:40: error: `Ref` to `Nmae`"), "\(error)")
        #expect(error.contains("parameter `Extra` is not declared by the template stack.yml"))
        #expect(error.contains("the value of parameter `Env` is not one of its AllowedValues"))
        #expect(try await LocalStack.client(localstack).describeStack(stack) == nil)
    }

    // Real AWS also: reads the URL with the caller's permissions (a private bucket needs
    // s3:GetObject) and requires the bucket in the stack's region or a region-less URL.
    @Test func anS3TemplateIsPassedAsTemplateURLAndReadByCloudFormation() async throws {
        let localstack = try await LocalStack.shared()
        let endpoint = try #require(localstack.environment["FLOW_LOCALSTACK_ENDPOINT"])
        let bucket = "flow-templates-\(UUID().uuidString.prefix(8).lowercased())"
        let s3 = S3(AWSClient(http: HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never),
                              credentials: StaticCredentials(AWSCredentials(accessKeyId: "test", secretAccessKey: "test", source: .explicit)),
                              region: "us-east-1", environment: ["AWS_ENDPOINT_URL_S3": endpoint]))
        try await s3.createBucket(bucket)
        try await s3.putObject(bucket: bucket, key: "stack.yml", body: .bytes(Data(Templates.greeting.utf8)))
        let h = try DeployHarness(localstack)
        defer { h.remove() }
        let stack = LocalStack.stackName("url")
        let result = try await h.run("""
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: "s3://\(bucket)/stack.yml", parameters: { Greeting: from-s3, Suffix: \(stack) } }
            """)
        let log = result.log("deploy")
        #expect(result.status == .succeeded, "\(log)")
        #expect(log.contains("template s3://\(bucket)/stack.yml is read by CloudFormation, not by flow"))
        #expect(result.outputs("deploy")["Greeting"] == "from-s3")
    }
}
