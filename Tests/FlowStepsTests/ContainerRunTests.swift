import Testing
@testable import FlowSteps

/// How a command in an image is put to each engine: variable values never on the command line.
@Suite struct ContainerRunTests {
    let run = ContainerRun(image: "localhost/i", command: ["bash", "-eo", "pipefail", "/tmp/s"],
                           mounts: [.init(host: "/w", container: "/w"), .init(host: "/d", container: "/d", readOnly: true)],
                           environment: ["TOKEN": "s3cr3t", "GREETING": "it's"], workingDirectory: "/w")

    @Test func buildahReadsValuesFromAFileAndGetsOnlyMountsAndNames() {
        let engine = ContainerEngine(kind: .buildah, executable: "/usr/bin/buildah")
        let arguments = engine.runArguments(run, name: "flow-r-s-1", envFile: "/tmp/a/env")
        #expect(!arguments.joined(separator: " ").contains("s3cr3t"))
        #expect(arguments.prefix(3) == ["run", "--isolation", "chroot"])
        #expect(arguments.contains("/d:/d:ro"))
        #expect(arguments.contains("/tmp/a/env:/run/flow-env:ro"))
        #expect(Array(arguments.suffix(4)) == ["bash", "-eo", "pipefail", "/tmp/s"])
    }

    @Test func dockerAndPodmanGetNamesTheyReadFromTheirEnvironment() {
        for kind in [ContainerEngine.Kind.docker, .podman] {
            let arguments = ContainerEngine(kind: kind, executable: "/x").runArguments(run, name: "n", envFile: "/unused")
            #expect(!arguments.joined(separator: " ").contains("s3cr3t"))
            #expect(arguments.starts(with: ["run", "--rm", "--name", "n"]))
            #expect(arguments.contains("GREETING") && arguments.contains("TOKEN"))
        }
    }

    @Test func assignmentsAShellReadsBackExactly() {
        #expect(ContainerEngine.shellAssignments(["A": "it's $HOME `x`\nnext"]) == "A='it'\\''s $HOME `x`\nnext'\n")
    }

    @Test func containerNamesUseOnlyCharactersEnginesAccept() {
        #expect(ContainerEngine.sanitized("flow-20261207-0051-9704-build[python=3.11]-") == "flow-20261207-0051-9704-build_python_3.11_-")
    }

    @Test func autoSkipsADockerClientWithoutADaemon() throws {
        let path = "/usr/bin:/bin:/usr/local/bin"
        let noDaemon = try? ContainerEngine.select(.auto, environment: ["PATH": path], daemonSocketExists: { _ in false })
        #expect(noDaemon?.kind != .docker)
    }
}
