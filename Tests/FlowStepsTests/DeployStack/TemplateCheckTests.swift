import Foundation
import Testing
import FlowCore
import FlowSteps

/// The checks `deploy-stack` makes before any call: located errors from flow's YAML loader,
/// CloudFormation's short-form tags loading, JSON templates, missing and unknown parameters.
@Suite struct TemplateCheckTests {
    static let yaml = """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Env:
            Type: String
            AllowedValues: [dev, prod]
          Greeting:
            Type: String
            Default: hello
          Password:
            Type: String
            NoEcho: true
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          Param:
            Type: AWS::SSM::Parameter
            Properties:
              Name: !Sub "/flow/${Env}/greeting"
              Type: String
              Value: !Join ["-", [!Ref Greeting, !Select [0, !Split [",", "a,b"]], !Base64 x, !GetAZs ""]]
              Description: !If [IsProd, !ImportValue shared, !FindInMap [M, !Ref "AWS::Region", k]]
              Tags: { A: !GetAtt Param.Name, B: !Cidr ["10.0.0.0/16", 2, 8] }
          Other:
            Type: AWS::SSM::Parameter
            Condition: IsProd
            Properties: { Type: String, Value: !And [!Not [!Condition IsProd], !Or [true, false]] }
        Outputs:
          Name: { Value: !Ref Param }
        """

    func parse(_ text: String, file: String = "stack.yml") -> (StackTemplate?, [Diagnostic]) {
        let (template, diagnostics) = StackTemplate.parse(Array(text.utf8), file: file)
        return (template, diagnostics)
    }

    @Test func everyShortFormTagLoadsAndTheParametersAreRead() throws {
        let (template, diagnostics) = parse(Self.yaml)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let t = try #require(template)
        #expect(t.parameters.map(\.name) == ["Env", "Greeting", "Password"])
        #expect(t.parameter("Env")?.allowedValues == ["dev", "prod"])
        #expect(t.parameter("Greeting")?.defaultValue == "hello")
        #expect(t.parameter("Password")?.noEcho == true)
        #expect(Set(t.resources.keys) == ["Param", "Other"])
        let problems = TemplateCheck.check(t, given: [.init(key: "Env", value: "dev"), .init(key: "Password", value: "s3cret")],
                                           inputLocation: SourceLocation(file: "input", line: 1, column: 1), bodySize: 100)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aTagCloudFormationDoesNotHaveIsALocatedError() {
        let (_, diagnostics) = parse("""
            Resources:
              P:
                Type: AWS::SSM::Parameter
                Properties: { Type: String, Value: !Reff Env }
            """)
        let d = diagnostics.first
        #expect(d?.location == SourceLocation(file: "stack.yml", line: 4, column: 40), "\(diagnostics)")
        #expect(d?.message.contains("`!Reff`") == true)
        #expect(d?.message.contains("`!Ref`") == true)
    }

    @Test func aMissingParameterIsReportedWhereTheTemplateDeclaresIt() throws {
        let (template, _) = parse(Self.yaml)
        let problems = TemplateCheck.check(try #require(template), given: [.init(key: "Env", value: "dev")],
                                           inputLocation: SourceLocation(file: "input", line: 1, column: 1), bodySize: 10)
        #expect(problems.count == 1)
        #expect(problems.first?.location == SourceLocation(file: "stack.yml", line: 9, column: 3))
        #expect(problems.first?.message == "parameter `Password` has no `Default` and no value; give it under the step's `parameters`")
    }

    @Test func anUnknownParameterFromAFileIsReportedWhereTheFileGivesItWithASuggestion() throws {
        let (template, _) = parse(Self.yaml)
        let (given, fileProblems) = StackParametersInput.parse(Array("""
            [
              {"ParameterKey": "Env", "ParameterValue": "dev"},
              {"ParameterKey": "Pasword", "ParameterValue": "x"},
              {"ParameterKey": "Password", "UsePreviousValue": true}
            ]
            """.utf8), file: "params.json")
        #expect(fileProblems.isEmpty, "\(fileProblems)")
        let problems = TemplateCheck.check(try #require(template), given: given,
                                           inputLocation: SourceLocation(file: "input", line: 1, column: 1), bodySize: 10, stackExists: true)
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.location == SourceLocation(file: "params.json", line: 3, column: 3))
        #expect(problems.first?.message.hasPrefix("parameter `Pasword` is not declared by the template stack.yml") == true)
        #expect(problems.first?.notes.first?.message == "did you mean `Password`?")
    }

    @Test func aValueOutsideAllowedValuesIsAnErrorThatDoesNotQuoteTheValue() throws {
        let (template, _) = parse(Self.yaml)
        let problems = TemplateCheck.check(try #require(template), given: [.init(key: "Env", value: "staging-secret"), .init(key: "Password", value: "p")],
                                           inputLocation: SourceLocation(file: "input `parameters`", line: 1, column: 1), bodySize: 10)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("AllowedValues (`dev`, `prod`)") == true)
        #expect(problems.first?.message.contains("staging-secret") == false)
    }

    @Test func aRefToNothingAndAGetAttOfNoResourceAreLocated() throws {
        let (template, _) = parse("""
            Parameters:
              Env: { Type: String, Default: dev }
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties: { BucketName: !Ref Evn }
            Outputs:
              Arn: { Value: { "Fn::GetAtt": [Buckt, Arn] } }
              Region: { Value: !Ref "AWS::Region" }
            """)
        let problems = TemplateCheck.check(try #require(template), given: [], inputLocation: SourceLocation(file: "i", line: 1, column: 1), bodySize: 10)
        #expect(problems.map(\.location.line) == [6, 8], "\(problems)")
        #expect(problems.first?.message == "`Ref` to `Evn`, which is neither a parameter nor a resource of the template")
        #expect(problems.first?.notes.first?.message == "did you mean `Env`?")
        #expect(problems.last?.message == "`GetAtt` of `Buckt`, which is not a resource of the template")
    }

    @Test func aJSONTemplateIndentedWithTabsLoadsWithLocations() throws {
        let json = "{\n\t\"Parameters\": {\n\t\t\"Name\": {\"Type\": \"String\"}\n\t},\n\t\"Resources\": {\n\t\t\"P\": {\"Type\": \"AWS::SSM::Parameter\", \"Properties\": {\"Type\": \"String\", \"Value\": {\"Ref\": \"Name\"}}}\n\t}\n}\n"
        let (template, diagnostics) = parse(json, file: "stack.json")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let problems = TemplateCheck.check(try #require(template), given: [], inputLocation: SourceLocation(file: "i", line: 1, column: 1), bodySize: 10)
        #expect(problems.first?.location == SourceLocation(file: "stack.json", line: 3, column: 3))
    }

    @Test func brokenJSONIsALocatedSyntaxError() {
        let (template, diagnostics) = parse("{\n  \"Resources\": {\n    \"P\": {\"Type\": \"AWS::SSM::Parameter\",}\n  ", file: "stack.json")
        #expect(template == nil)
        #expect(diagnostics.first?.location.file == "stack.json")
        #expect((diagnostics.first?.location.line ?? 0) >= 3, "\(diagnostics)")
    }

    @Test func aTemplateWithoutResourcesOrWithAnUnknownSectionIsRefused() {
        let (_, diagnostics) = parse("Parameter:\n  A: { Type: String }\n")
        #expect(diagnostics.map(\.message).contains { $0.hasPrefix("unknown top-level section `Parameter`") })
        #expect(diagnostics.map(\.message).contains("the template has no `Resources` section; CloudFormation needs at least one resource"))
    }

    @Test func aBodyOverCloudFormationsInlineLimitSaysToUseS3() throws {
        let (template, _) = parse("Resources:\n  P: { Type: AWS::SSM::Parameter }\n")
        let problems = TemplateCheck.check(try #require(template), given: [], inputLocation: SourceLocation(file: "i", line: 1, column: 1),
                                           bodySize: 60_000)
        #expect(problems.first?.message.contains("at most 51200 bytes inline") == true)
    }

    @Test func aParametersFileMayBeAFlatMappingWithNumbersAndLists() {
        let (given, problems) = StackParametersInput.parse(Array("Port: 8080\nDebug: true\nSubnets: [a, b]\n".utf8), file: "p.yml")
        #expect(problems.isEmpty)
        #expect(given.map(\.key) == ["Port", "Debug", "Subnets"])
        #expect(given.map(\.value) == ["8080", "true", "a,b"])
        #expect(given.first?.location == SourceLocation(file: "p.yml", line: 1, column: 1))
    }

    @Test func aParametersFileWithMistakesGivesEveryProblemLocated() {
        let (_, problems) = StackParametersInput.parse(Array("""
            - ParameterKey: A
            - { ParameterKey: B, ParameterValue: x, Value: y }
            - ParameterKey: B
              ParameterValue: z
            """.utf8), file: "p.yml")
        #expect(problems.map(\.location.line) == [1, 2, 3], "\(problems)")
        #expect(problems.map(\.message) == [
            "parameter `A` has neither `ParameterValue` nor `UsePreviousValue: true`",
            "unknown key `Value` in a parameter entry; the keys are `ParameterKey`, `ParameterValue`, `UsePreviousValue`",
            "parameter `B` is given twice",
        ])
    }
}
