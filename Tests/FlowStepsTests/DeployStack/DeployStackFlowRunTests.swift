import Foundation
import Testing
import FlowTestSupport

/// `deploy-stack` as a user runs it: `flow run` on a pipeline file, the built binary, with the
/// environment `script/services` exports for LocalStack.
@Suite(.serialized) struct DeployStackFlowRunTests {
    // Real AWS also: takes a minute or more for a stack LocalStack makes in about a second; the
    // step's polling backs off to one call every 15 s.
    @Test func flowRunDeploysTheStackAndTheNextStepReadsItsOutput() async throws {
        let localstack = try await LocalStack.shared()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let stack = LocalStack.stackName("cli")
        _ = try dir.write("stack.yml", Templates.greeting)
        _ = try dir.write("params.json", """
            [{"ParameterKey": "Greeting", "ParameterValue": "from-a-file"}, {"ParameterKey": "Suffix", "ParameterValue": "\(stack)"}]
            """)
        _ = try dir.write("p.yml", """
            name: deploy
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: \(stack), template: stack.yml, parameters: params.json }
              show:
                needs: [deploy]
                run: echo "greeting is ${{ steps.deploy.outputs.Greeting }}"
            """)
        var environment = ProcessInfo.processInfo.environment.merging(LocalStack.environment(localstack)) { _, new in new }
        environment["AWS_ENDPOINT_URL"] = nil
        let validated = try await runFlow(["validate", "p.yml"], environment: environment, currentDirectory: dir.url)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        let run = try await runFlow(["run", "p.yml"], environment: environment, currentDirectory: dir.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let listed = try await runFlow(["runs", "--json"], environment: environment, currentDirectory: dir.url)
        let runs = try #require(try JSONSerialization.jsonObject(with: listed.output) as? [[String: Any]])
        let runID = try #require(runs.first?["id"] as? String)
        let logs = try await runFlow(["logs", runID], environment: environment, currentDirectory: dir.url)
        #expect(logs.stdout.contains("greeting is from-a-file"), "\(logs.stdout)")
        #expect(logs.stdout.contains("CREATE_COMPLETE \(stack) (AWS::CloudFormation::Stack)"), "\(logs.stdout)")
    }
}
