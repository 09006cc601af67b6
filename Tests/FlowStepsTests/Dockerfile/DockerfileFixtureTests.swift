import Testing
@testable import FlowSteps

/// End to end over realistic Dockerfiles in `Fixtures/Dockerfile`.
@Suite struct DockerfileFixtureTests {
    private func load(_ name: String, buildArgs: [String: String] = [:]) throws -> (String, Dockerfile) {
        let text = try DockerfileRuleTesting.fixture(name)
        return (text, DockerfileParser.parse(text, file: name, buildArgs: buildArgs))
    }

    private func summary(_ findings: [Finding]) -> [String] {
        findings.map { "\($0.rule)@\($0.span.line):\($0.span.column)" }
    }

    @Test func fsdpTrainingImage() throws {
        let (_, dockerfile) = try load("fsdp.Dockerfile")
        #expect(dockerfile.directives.map(\.value) == ["docker/dockerfile:1"])
        #expect(dockerfile.stages.count == 1)
        #expect(dockerfile.stages[0].baseImage == "nvcr.io/nvidia/pytorch:24.07-py3")
        #expect(dockerfile.stages[0].environment["OPEN_MPI_PATH"] == "/opt/amazon/openmpi")
        #expect(dockerfile.stages[0].environment["PATH"] == "/opt/amazon/efa/bin:/opt/amazon/openmpi/bin:")
        #expect(dockerfile.stages[0].environment["FI_EFA_USE_DEVICE_RDMA"] == "1")
        let pipRun = try #require(dockerfile.instructions.first { $0.flag("mount") != nil })
        #expect(pipRun.flag("mount")?.value == "type=cache,target=/root/.cache/pip")
        let pip = try #require(pipRun.shell?.commands.compactMap(\.pipInstall).first)
        #expect(pip.requirementFiles.map(\.text) == ["requirements.txt"])
        #expect(pip.installWord.span.line == 33)
        let findings = DockerfileRules.check(dockerfile, context: nil)
        #expect(summary(findings) == ["DL3008@14:9", "DL3003@20:5", "DL3003@23:5"])
    }

    @Test func twoStageBaseAndHpto() throws {
        let (_, dockerfile) = try load("base-hpto.Dockerfile")
        #expect(dockerfile.stages.map(\.name) == ["base", "hpto"])
        #expect(dockerfile.stages[1].baseStage == 0)
        #expect(dockerfile.targetStage?.name == "hpto")
        #expect(dockerfile.externalBase(of: 1)?.baseImage == "nvcr.io/nvidia/pytorch:24.07-py3")
        #expect(dockerfile.stages[1].environment["DEBIAN_FRONTEND"] == "noninteractive")
        let findings = DockerfileRules.check(dockerfile, context: nil)
        #expect(summary(findings) == ["copy-before-install@12:6"])
        let (_, overridden) = try load("base-hpto.Dockerfile", buildArgs: ["BASE_IMAGE": "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"])
        #expect(overridden.externalBase(of: 1)?.baseImage == "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
    }

    @Test func cpuOnlySlimImageIsClean() throws {
        let (_, dockerfile) = try load("cpu-slim.Dockerfile")
        let context = BuildContextFiles(paths: ["Dockerfile", "requirements.txt", "train.py"])
        #expect(DockerfileRules.check(dockerfile, context: context).isEmpty)
        let incomplete = BuildContextFiles(paths: ["requirements.txt"], dockerignore: nil)
        #expect(summary(DockerfileRules.check(dockerfile, context: incomplete)) == ["copy-missing@12:6"])
    }

    @Test func brokenDockerfileGivesLocatedErrorsAndKeepsParsing() throws {
        let (text, dockerfile) = try load("broken.Dockerfile")
        let syntax = dockerfile.findings.filter { $0.rule == "dockerfile-syntax" }
        #expect(syntax.map(\.span.line) == [2, 6, 7, 8, 8, 9, 10, 10, 12])
        #expect(syntax.allSatisfy { $0.severity == .error })
        #expect(dockerfile.instructions.count == 12)
        let rules = DockerfileRules.check(dockerfile, context: nil).filter { $0.rule != "dockerfile-syntax" }
        #expect(summary(rules) == ["DL3025@3:12", "DL3024@4:15", "DL3022@5:13"])
        for finding in DockerfileRules.check(dockerfile, context: nil) {
            #expect(finding.span.offset + finding.span.length <= text.utf8.count)
        }
    }
}
