import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps

/// The command lines `build` gives each engine: pure functions, checked for docker and podman
/// too, although only buildah runs on the machines these tests run on.
@Suite struct BuildCommandLineTests {
    let buildah = ContainerEngine(kind: .buildah, executable: "/usr/bin/buildah")
    let docker = ContainerEngine(kind: .docker, executable: "/usr/bin/docker")
    let podman = ContainerEngine(kind: .podman, executable: "/usr/bin/podman")

    var build: ContainerBuild {
        ContainerBuild(context: "/ctx", dockerfile: "/ctx/Dockerfile", idFile: "/a/image-id", buildArgs: ["B": "2", "A": "1"],
                       target: "runtime", labels: ["flow.run-id": "r1", "org.opencontainers.image.revision": "abc"],
                       platform: "linux/amd64", secrets: [.init(id: "TOKEN", file: "/a/build-secrets/TOKEN")])
    }

    @Test func buildahBuildsUntaggedWithChrootIsolationAnIDFileAndSecretsAsFiles() throws {
        #expect(try buildah.buildArguments(build) == [
            "bud", "--isolation", "chroot", "--iidfile", "/a/image-id", "-f", "/ctx/Dockerfile", "--force-rm", "--layers", "--pull=missing",
            "--platform", "linux/amd64", "--target", "runtime", "--build-arg", "A=1", "--build-arg", "B=2",
            "--label", "flow.run-id=r1", "--label", "org.opencontainers.image.revision=abc",
            "--secret", "id=TOKEN,src=/a/build-secrets/TOKEN", "/ctx",
        ])
    }

    @Test func dockerBuildUsesIIDFileSecretLabelPlatformAndPull() throws {
        var b = build
        b.pull = .always
        let arguments = try docker.buildArguments(b)
        #expect(arguments == [
            "build", "--iidfile", "/a/image-id", "-f", "/ctx/Dockerfile", "--pull", "--platform", "linux/amd64", "--target", "runtime",
            "--build-arg", "A=1", "--build-arg", "B=2", "--label", "flow.run-id=r1", "--label", "org.opencontainers.image.revision=abc",
            "--secret", "id=TOKEN,src=/a/build-secrets/TOKEN", "/ctx",
        ])
        #expect(!arguments.contains("-t"))
        #expect(docker.buildEnvironment == ["DOCKER_BUILDKIT": "1"])
        b.pull = .missing
        #expect(try !docker.buildArguments(b).contains { $0.hasPrefix("--pull") })
    }

    @Test func podmanSpellsPullPoliciesAndMountsLikeBuildahWithoutIsolation() throws {
        var b = build
        b.pull = .never
        b.cache = false
        b.mounts = [ContainerRun.Mount(host: "/etc/ssl/certs/ca-certificates.crt", container: "/etc/ssl/host-ca.crt", readOnly: true)]
        let arguments = try podman.buildArguments(b)
        #expect(arguments.prefix(7) == ["build", "--iidfile", "/a/image-id", "-f", "/ctx/Dockerfile", "--force-rm", "--no-cache"])
        #expect(arguments.contains("--pull=never"))
        #expect(arguments.suffix(3) == ["-v", "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/host-ca.crt:ro", "/ctx"])
    }

    @Test func cacheOffIsNoLayersAndNoCacheForBuildah() throws {
        var b = build
        b.cache = false
        let arguments = try buildah.buildArguments(b)
        #expect(arguments.contains("--layers=false") && arguments.contains("--no-cache") && !arguments.contains("--layers"))
    }

    @Test func whatDockerCannotDoIsATerminalErrorNamingTheInput() {
        var b = build
        b.pull = .never
        #expect(throws: StepError.self) { try docker.buildArguments(b) }
        b.pull = .missing
        b.mounts = [ContainerRun.Mount(host: "/x", container: "/y", readOnly: true)]
        do {
            _ = try docker.buildArguments(b)
            Issue.record("docker accepted a RUN mount")
        } catch let error as StepError {
            #expect(error.kind == .terminal && error.message.contains("ca-bundle"))
        } catch { Issue.record("\(error)") }
    }

    @Test func tagsGoOnAfterTheBuildInOneCommandOrOnePerNameForDocker() {
        let id = "sha256:" + String(repeating: "a", count: 64)
        #expect(buildah.tagCommands(id: id, names: ["fsdp:dev", "fsdp:r1"]) == [["tag", id, "fsdp:dev", "fsdp:r1"]])
        #expect(podman.tagCommands(id: id, names: ["fsdp:dev"]) == [["tag", id, "fsdp:dev"]])
        #expect(docker.tagCommands(id: id, names: ["fsdp:dev", "fsdp:r1"]) == [["tag", id, "fsdp:dev"], ["tag", id, "fsdp:r1"]])
    }

    @Test func sizeIsReadFromDockerAndPodmanOrSummedFromBuildahsManifest() {
        #expect(docker.inspectArguments(id: "sha256:x") == ["image", "inspect", "--format", "{{.Size}}", "sha256:x"])
        #expect(docker.imageSize(fromInspection: "1234\n") == 1234)
        #expect(buildah.inspectArguments(id: "sha256:x") == ["inspect", "--type", "image", "sha256:x"])
        let manifest = #"{"layers":[{"size":100},{"size":23}]}"#
        let inspection = try! String(decoding: JSONSerialization.data(withJSONObject: ["Manifest": manifest]), as: UTF8.self)
        #expect(buildah.imageSize(fromInspection: inspection) == 123)
        #expect(buildah.imageSize(fromInspection: "not json") == nil)
    }
}
