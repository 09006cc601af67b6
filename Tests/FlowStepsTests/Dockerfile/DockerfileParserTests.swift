import Foundation
import Testing
@testable import FlowSteps

@Suite struct DockerfileParserTests {
    private func parse(_ text: String, buildArgs: [String: String] = [:]) -> Dockerfile {
        DockerfileParser.parse(text, file: "Dockerfile", buildArgs: buildArgs)
    }

    @Test func instructionsAreCaseInsensitiveAndLocated() {
        let dockerfile = parse("from python:3.11-slim\n  Run echo hi\n")
        #expect(dockerfile.instructions.map(\.kind) == [.from, .run])
        let run = dockerfile.instructions[1]
        #expect(run.keyword == "Run")
        #expect(run.keywordSpan.line == 2 && run.keywordSpan.column == 3 && run.keywordSpan.offset == 24 && run.keywordSpan.length == 3)
        #expect(run.span.offset == 24 && run.span.length == 11)
        #expect(dockerfile.findings.isEmpty)
    }

    @Test func continuationsJoinAndDropCommentAndEmptyLines() {
        let text = "FROM debian:12\nRUN apt-get update && \\\n# a comment\n\n    apt-get install -y curl\n"
        let dockerfile = parse(text)
        let run = dockerfile.instructions[1]
        #expect(run.arguments.text == "apt-get update &&     apt-get install -y curl")
        #expect(run.span.line == 2 && run.span.offset + run.span.length == text.utf8.count - 1)
        let curl = run.words.first { $0.text == "curl" }
        #expect(curl?.span.line == 5 && curl?.span.column == 24)
        #expect(dockerfile.findings.isEmpty)
    }

    @Test func logicalTextMapsOffsetsBackToTheFile() {
        let text = "FROM debian:12\nRUN echo one \\\n  two\n"
        let run = parse(text).instructions[1]
        let body = run.arguments
        #expect(body.text == "echo one   two")
        let range = body.text.range(of: "two")!
        let span = body.span(of: range)
        #expect(span.line == 3 && span.column == 3 && span.length == 3)
        #expect(Array(text.utf8)[span.offset] == UInt8(ascii: "t"))
        #expect(body.lineColumn(of: 0) == (2, 5))
    }

    @Test func hashInsideALineIsNotAComment() {
        let run = parse("FROM alpine:3.20\nRUN echo a#b\n").instructions[1]
        #expect(run.arguments.text == "echo a#b")
    }

    @Test func escapeDirectiveChangesContinuation() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    /b\n"
        let dockerfile = parse(text)
        #expect(dockerfile.escapeCharacter == "`")
        #expect(dockerfile.directives.map(\.name) == ["escape"])
        #expect(dockerfile.instructions[1].arguments.text == "dir c:\\     /b")
    }

    @Test func directivesOnlyCountAtTheTop() {
        let dockerfile = parse("# syntax=docker/dockerfile:1\n# hello\n# escape=`\nFROM alpine:3.20\n")
        #expect(dockerfile.directives.map(\.name) == ["syntax"])
        #expect(dockerfile.escapeCharacter == "\\")
    }

    @Test func aRepeatedDirectiveIsAFinding() {
        let dockerfile = parse("# escape=`\n# escape=\\\nFROM alpine:3.20\n")
        #expect(dockerfile.findings.map(\.span.line) == [2])
        #expect(dockerfile.findings.first?.rule == "dockerfile-syntax")
    }

    @Test func unknownInstructionIsALocatedFindingAndParsingContinues() {
        let dockerfile = parse("FROM alpine:3.20\nRUNN echo\nRUN echo ok\n")
        #expect(dockerfile.instructions.map(\.kind) == [.from, .unknown, .run])
        let finding = dockerfile.findings.first
        #expect(finding?.rule == "dockerfile-syntax" && finding?.severity == .error)
        #expect(finding?.span.line == 2 && finding?.span.column == 1 && finding?.span.length == 4)
    }

    @Test func flagsHaveNamesValuesAndSpans() {
        let text = "FROM python:3.11 AS build\nFROM python:3.11\nCOPY --from=build --chown=app:app --link /src /dst\n"
            + "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n"
        let dockerfile = parse(text)
        let copy = dockerfile.instructions[2]
        #expect(copy.flags.map(\.name) == ["from", "chown", "link"])
        #expect(copy.flag("from")?.value == "build")
        #expect(copy.flag("link")?.value == nil)
        #expect(copy.flag("chown")?.valueSpan?.column == 27)
        #expect(copy.words.map(\.text) == ["/src", "/dst"])
        let run = dockerfile.instructions[3]
        #expect(run.flag("mount")?.value == "type=cache,target=/root/.cache")
        #expect(run.shell?.commands.first?.name == "pip")
        #expect(dockerfile.findings.isEmpty)
    }

    @Test func anUnknownFlagIsAFinding() {
        let dockerfile = parse("FROM alpine:3.20\nRUN --chown=1 echo\n")
        #expect(dockerfile.findings.count == 1)
        #expect(dockerfile.findings.first?.span.column == 5)
    }

    @Test func execFormAndInvalidJSONFallingBackToShellForm() {
        let dockerfile = parse("FROM alpine:3.20\nCMD [\"python\", \"-m\", \"app\"]\nENTRYPOINT ['python', 'app.py']\n")
        let cmd = dockerfile.instructions[1]
        #expect(cmd.isExecForm && cmd.words.map(\.text) == ["python", "-m", "app"])
        #expect(cmd.words[1].span.column == 16 && cmd.words[1].raw == "\"-m\"")
        let entrypoint = dockerfile.instructions[2]
        #expect(!entrypoint.isExecForm)
        #expect(entrypoint.shell?.commands.first?.words.map(\.text) == ["[python,", "app.py]"])
    }

    @Test func heredocsWithTabStrippingQuotingAndSeveralPerLine() {
        let text = "FROM debian:12\nRUN <<-EOF\n\tapt-get update\n\tapt-get install -y curl\n\tEOF\n"
            + "COPY <<\"A\" <<B /opt/\n$HOME\nA\nbody\nB\nRUN echo done\n"
        let dockerfile = parse(text)
        #expect(dockerfile.findings.isEmpty)
        #expect(dockerfile.instructions.map(\.kind) == [.from, .run, .copy, .run])
        let run = dockerfile.instructions[1]
        #expect(run.heredocs.count == 1 && run.heredocs[0].stripsTabs)
        #expect(run.heredocs[0].body.text == "apt-get update\napt-get install -y curl\n")
        #expect(run.shell?.commands.compactMap(\.name) == ["apt-get", "apt-get"])
        let install = run.shell?.commands.last
        #expect(install?.span.line == 4 && install?.span.column == 2)
        let copy = dockerfile.instructions[2]
        #expect(copy.heredocs.map(\.name) == ["A", "B"])
        #expect(copy.heredocs.map(\.expands) == [false, true])
        #expect(copy.heredocs[0].body.text == "$HOME\n")
        #expect(copy.words.map(\.text) == ["<<\"A\"", "<<B", "/opt/"])
        #expect(copy.words.filter { !copy.isHeredocMarker($0) }.map(\.text) == ["/opt/"])
    }

    @Test func aHeredocFeedingPythonIsNotSplitAsShell() {
        let dockerfile = parse("FROM python:3.11\nRUN python3 <<EOF\nimport os; print(os.getcwd())\nEOF\n")
        #expect(dockerfile.instructions[1].shell?.commands.map(\.name) == ["python3"])
    }

    @Test func anUnterminatedHeredocIsALocatedFinding() {
        let dockerfile = parse("FROM debian:12\nRUN <<EOF\necho hi\n")
        #expect(dockerfile.findings.count == 1)
        #expect(dockerfile.findings[0].span.line == 2 && dockerfile.findings[0].span.column == 5)
        #expect(dockerfile.instructions[1].heredocs.first?.isTerminated == false)
    }

    @Test func stagesNamesAndBaseImages() {
        let text = "ARG BASE=nvcr.io/nvidia/pytorch:24.07-py3\nFROM ${BASE} AS Base\nRUN echo\nFROM base as hpto\nCOPY --from=0 /a /b\n"
        let dockerfile = parse(text)
        #expect(dockerfile.stages.count == 2)
        #expect(dockerfile.stages[0].baseImage == "nvcr.io/nvidia/pytorch:24.07-py3")
        #expect(dockerfile.stages[0].baseImageWord?.raw == "${BASE}")
        #expect(dockerfile.stages[1].baseStage == 0)
        #expect(dockerfile.stage(named: "BASE")?.index == 0)
        #expect(dockerfile.targetStage?.name == "hpto")
        #expect(dockerfile.externalBase(of: 1)?.baseImage == "nvcr.io/nvidia/pytorch:24.07-py3")
        #expect(dockerfile.stages[1].instructionIndices == [3, 4])
        #expect(dockerfile.instructions[0].stage == nil && dockerfile.instructions[2].stage == 0)
    }

    @Test func buildArgsOverrideDefaultsInFromLines() {
        let text = "ARG TAG=3.11-slim\nFROM python:${TAG}\n"
        #expect(parse(text).stages[0].baseImage == "python:3.11-slim")
        #expect(parse(text, buildArgs: ["TAG": "3.12"]).stages[0].baseImage == "python:3.12")
        #expect(parse("FROM python:${TAG:-3.10}\n").stages[0].baseImage == "python:3.10")
        #expect(parse("FROM python:$TAG\n").stages[0].baseImageWord?.unsetVariables == ["TAG"])
    }

    @Test func globalArgsNeedRedeclaringInsideAStage() {
        let text = "ARG VERSION=1.2\nFROM alpine:3.20\nWORKDIR /v$VERSION\nARG VERSION\nWORKDIR /v$VERSION\n"
        let dockerfile = parse(text)
        #expect(dockerfile.instructions[2].words.first?.text == "/v")
        #expect(dockerfile.instructions[4].words.first?.text == "/v1.2")
    }

    @Test func envFormsQuotingAndEnvOverridingArg() {
        let text = "FROM alpine:3.20\nARG MODE=arg\nENV MODE=env\nENV A=\"hello world\" B=${MODE}-x C=\\$HOME\nENV LEGACY value with spaces\n"
        let dockerfile = parse(text)
        let pairs = dockerfile.instructions[3].pairs
        #expect(pairs.map(\.key) == ["A", "B", "C"])
        #expect(pairs.map(\.value) == ["hello world", "env-x", "$HOME"])
        #expect(pairs[1].valueSpan?.column == 23)
        #expect(dockerfile.instructions[4].pairs.first?.value == "value with spaces")
        #expect(dockerfile.stages[0].environment["LEGACY"] == "value with spaces")
        #expect(dockerfile.expand("${MODE}", in: 0).value == "env")
        #expect(dockerfile.expand("${MODE}", before: 2).value == "arg")
    }

    @Test func runBodiesAreNotExpandedButCopyIs() {
        let dockerfile = parse("FROM alpine:3.20\nENV DIR=/app\nRUN cd $DIR\nCOPY . $DIR/\n")
        #expect(dockerfile.instructions[2].shell?.commands.first?.words.map(\.text) == ["cd", "$DIR"])
        #expect(dockerfile.instructions[3].words.map(\.text) == [".", "/app/"])
    }

    @Test func onbuildWrapsAnInstruction() {
        let dockerfile = parse("FROM alpine:3.20\nONBUILD RUN apk add curl\nONBUILD ONBUILD RUN x\n")
        let onbuild = dockerfile.instructions[1]
        #expect(onbuild.trigger?.kind == .run)
        #expect(onbuild.trigger?.shell?.commands.first?.name == "apk")
        #expect(onbuild.trigger?.keywordSpan.column == 9)
        #expect(dockerfile.findings.count == 1 && dockerfile.findings[0].span.line == 3)
    }

    @Test func healthcheckFlagsAndCommand() {
        let dockerfile = parse("FROM alpine:3.20\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/ || exit 1\n")
        let health = dockerfile.instructions[1]
        #expect(health.flags.map(\.name) == ["interval", "retries"])
        #expect(health.shell?.commands.map(\.name) == ["curl", "exit"])
        #expect(dockerfile.findings.isEmpty)
    }

    @Test func aFileWithoutFromIsAFinding() {
        let dockerfile = parse("# nothing here\n")
        #expect(dockerfile.findings.count == 1)
        #expect(dockerfile.findings[0].span.line == 1)
    }

    @Test func crlfLineEndingsAndABOM() {
        let dockerfile = parse("\u{FEFF}FROM alpine:3.20\r\nRUN echo \\\r\n  hi\r\n")
        #expect(dockerfile.instructions.map(\.kind) == [.from, .run])
        #expect(dockerfile.instructions[1].arguments.text == "echo   hi")
        #expect(dockerfile.stages[0].baseImage == "alpine:3.20")
    }
}
