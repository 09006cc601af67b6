import Testing
@testable import FlowSteps

@Suite struct DockerfileRulesTests {
    @Test(arguments: DockerfileRuleCases.firing)
    func ruleFiresWithItsSeverityAndLocation(_ example: DockerfileRuleCase) throws {
        let found = DockerfileRuleTesting.findings(of: example.rule, in: example.dockerfile)
        #expect(found.map { DockerfileRuleCase.Location(line: $0.span.line, column: $0.span.column) } == example.locations)
        let descriptor = try #require(DockerfileRules.descriptors.first { $0.id == example.rule })
        #expect(found.allSatisfy { $0.severity == descriptor.severity })
    }

    @Test(arguments: DockerfileRuleCases.silent)
    func ruleIsSilentOnACorrectDockerfile(_ example: DockerfileRuleCase) {
        let found = DockerfileRuleTesting.findings(of: example.rule, in: example.dockerfile)
        #expect(found.isEmpty, "\(found.map { "\($0.span.line):\($0.span.column) \($0.message)" })")
    }

    @Test func everyRuleHasAFiringAndASilentCase() {
        let ids = Set(DockerfileRules.descriptors.map(\.id))
        #expect(Set(DockerfileRuleCases.firing.map(\.rule)).union(["copy-missing"]) == ids)
        #expect(Set(DockerfileRuleCases.silent.map(\.rule)).union(["copy-missing"]) == ids)
    }

    @Test func descriptorsCarryHadolintSeveritiesAndLinks() {
        let byId = Dictionary(uniqueKeysWithValues: DockerfileRules.descriptors.map { ($0.id, $0) })
        #expect(byId["DL3008"]?.severity == .warning)
        #expect(byId["DL3009"]?.severity == .note)
        #expect(byId["DL3020"]?.severity == .error)
        #expect(byId["DL3008"]?.helpURI == "https://github.com/hadolint/hadolint/wiki/DL3008")
        #expect(byId["apt-no-update"]?.severity == .error && byId["apt-no-update"]?.helpURI == nil)
        #expect(DockerfileRules.descriptors.count == byId.count)
    }

    @Test func findingsPointAtTheWordInAContinuedRun() throws {
        let text = "FROM debian:12\nENV DEBIAN_FRONTEND=noninteractive\nRUN apt-get update \\\n    && apt install -y \\\n        curl\n"
        let apt = try #require(DockerfileRuleTesting.findings(of: "DL3027", in: text).first)
        #expect(apt.span.line == 4 && apt.span.column == 8 && apt.span.length == 3)
        #expect(Array(Array(text.utf8)[apt.span.offset..<apt.span.offset + 3]) == Array("apt".utf8))
    }

    @Test func checkIncludesParseFindingsFirst() {
        let found = DockerfileRuleTesting.findings("FROM ubuntu\nFOO bar\n")
        #expect(found.map(\.rule) == ["dockerfile-syntax", "DL3006"])
    }

    @Test func onbuildRunTriggersAreChecked() {
        let found = DockerfileRuleTesting.findings(of: "DL3004", in: "FROM alpine:3.20\nONBUILD RUN sudo make\n")
        #expect(found.map(\.span.column) == [13])
    }
}
