import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Parameter values that are secrets never reach the log, the database, the outputs or the
/// rollback snapshot: a value from a pipeline secret is masked by the run, a `NoEcho`
/// parameter's value is learnt as a secret by the step, and a snapshot keeps neither.
@Suite(.serialized) struct DeployStackSecretTests {
    static let template = """
        Parameters:
          Suffix: { Type: String }
          Token: { Type: String }
          Password: { Type: String, NoEcho: true }
          Greeting: { Type: String, Default: hello }
        Resources:
          TokenParam:
            Type: AWS::SSM::Parameter
            Properties: { Name: !Sub "/flow-test/${Suffix}/token", Type: String, Value: !Ref Token }
          PasswordParam:
            Type: AWS::SSM::Parameter
            Properties: { Name: !Sub "/flow-test/${Suffix}/password", Type: String, Value: !Ref Password }
          GreetingParam:
            Type: AWS::SSM::Parameter
            Properties: { Name: !Sub "/flow-test/${Suffix}/greeting", Type: String, Value: !Ref Greeting }
        Outputs:
          Token: { Value: !GetAtt TokenParam.Value }
          Password: { Value: !GetAtt PasswordParam.Value }
          Greeting: { Value: !GetAtt GreetingParam.Value }
        """

    // Real AWS also: shows a NoEcho parameter as `****` in DescribeStacks and change sets, and
    // warns against echoing it in an Output (which this template does on purpose).
    @Test func aSecretOrNoEchoParameterNeverReachesTheLogTheDatabaseOrTheSnapshot() async throws {
        let localstack = try await LocalStack.shared()
        let token = "tok-\(UUID().uuidString)"
        let password = "pw-\(UUID().uuidString)"
        // The password is no pipeline secret: only its parameter's `NoEcho` makes it one.
        let h = try DeployHarness(localstack, environment: ["DEPLOY_TOKEN": token, "DB_PASSWORD": password])
        defer { h.remove() }
        try h.write("stack.yml", Self.template)
        let stack = LocalStack.stackName("secret")
        func pipeline(_ greeting: String) -> String {
            """
            name: p
            secrets: [DEPLOY_TOKEN]
            steps:
              deploy:
                uses: deploy-stack
                with:
                  stack: \(stack)
                  template: stack.yml
                  parameters: { Suffix: \(stack), Token: "${{ env.DEPLOY_TOKEN }}", Password: "${{ env.DB_PASSWORD }}", Greeting: \(greeting) }
              show:
                needs: [deploy]
                run: echo "token=${{ steps.deploy.outputs.Token }} password=${{ steps.deploy.outputs.Password }}"
            """
        }
        let first = try await h.run(pipeline("one"))
        #expect(first.status == .succeeded, "\(first.log("deploy"))")
        // An update, so that a snapshot is taken of a stack holding both secrets.
        let second = try await h.run(pipeline("two"))
        #expect(second.status == .succeeded, "\(second.log("deploy"))")
        #expect(second.outputs("deploy")["Greeting"] == "two")
        // The stack really holds the values (the test reads them from CloudFormation itself).
        let described = try #require(try await LocalStack.client(localstack).describeStack(stack))
        #expect(described.output("Token") == token)
        #expect(described.output("Password") == password)
        // flow's outputs, logs and state do not.
        #expect(second.outputs("deploy")["Token"] != token)
        #expect(second.outputs("deploy")["Password"] != password)
        #expect(second.log("show").contains("token=***"), "\(second.log("show"))")
        #expect(!h.stateHolds(token))
        #expect(!h.stateHolds(password))
        let snapshot = try #require(try StackSnapshot.load(path: StackSnapshot.path(stack: stack, region: "us-east-1",
                                                                                  runFolder: h.engine.statePath + "/" + second.runID)))
        #expect(snapshot.parameters.contains(.usePrevious("Token")))
        #expect(snapshot.parameters.contains(.usePrevious("Password")))
        #expect(snapshot.parameters.contains(StackParameter(key: "Greeting", value: "one")))
    }
}
