import Foundation
import Testing
import FlowCore
import FlowSteps
import FlowTestSupport

/// `deploy-stack`'s schema: exactly the issue's inputs, every help key a field, defaults written once.
@Suite struct DeployStackInputTests {
    @Test func theSchemaHasTheIssuesInputsAndEveryHelpKeyNamesOne() {
        #expect(InputSchema.unmatchedHelp(of: DeployStackInput.self) == [])
        let inputs = InputSchema.fields(of: DeployStackInput.self)
        #expect(inputs.map(\.name) == ["stack", "template", "parameters", "capabilities", "tags", "role-arn", "region",
                                       "termination-protection", "dry-run", "delete-on-failed-create", "timeout"])
        #expect(inputs.filter(\.required).map(\.name) == ["stack", "template"])
        #expect(inputs.first { $0.name == "timeout" }?.defaultValue == "60m")
        #expect(inputs.first { $0.name == "capabilities" }?.kind == .list(.choice(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])))
    }

    @Test func validationRefusesAMisspeltCapabilityAndAWrongParametersShapeBeforeAnyRun() {
        let yaml = """
            name: p
            steps:
              deploy:
                uses: deploy-stack
                with: { stack: web, template: stack.yml, capabilities: [CAPABILITY_IAMM], parameters: [a, b] }
            """
        let (_, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "p.yml", options: testValidationOptions())
        let messages = diagnostics.filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains { $0.contains("CAPABILITY_IAMM") || $0.contains("capabilities") }, "\(messages)")
        #expect(messages.contains { $0.contains("parameters") }, "\(messages)")
    }
}
