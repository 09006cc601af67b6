import Foundation
import Testing
@testable import FlowSteps
import FlowEngine
import FlowTestSupport

/// `autofix-retry` through the real engine, each fixable failure caused for real with buildah
/// on the local base image, the wrapped step a `shell` step that runs `buildah bud` on the copy
/// (`$FLOW_AUTOFIX_DOCKERFILE`, `$FLOW_AUTOFIX_CONTEXT`). Serialized: builds share two cores.
@Suite(.serialized) struct AutofixBuildTests {
    static var baseImage: String { BaseImage.configured }

    /// The base image must exist: tests fail (never skip) when it does not.
    static func requireBaseImage() throws { try BaseImage.name() }

    /// A project under the harness folder and a pipeline whose `image` step autofixes a
    /// `buildah bud` of it into a unique image name (removed by `cleanUp`).
    struct Build {
        let h: EngineHarness
        let image = "localhost/flow-test/\(UUID().uuidString.lowercased()):t"

        init(_ files: [String: String], wheels: [WheelIndex.Wheel] = []) throws {
            try AutofixBuildTests.requireBaseImage()
            h = try EngineHarness()
            for (name, text) in files { _ = try h.directory.write("project/" + name, text) }
            if !wheels.isEmpty { try WheelIndex.make(wheels, in: h.directory.file("project/wheels")) }
        }

        func yaml(attempts: Int = 3, writeBack: Bool = false, analyze: Bool = false) -> String {
            let script = "buildah bud --isolation chroot --pull=never --layers=false -t \(image) -f \"$FLOW_AUTOFIX_DOCKERFILE\" \"$FLOW_AUTOFIX_CONTEXT\""
            return """
                name: af
                steps:
                  image:
                    uses: autofix-retry
                    with:
                      attempts: \(attempts)
                      write-back: \(writeBack)
                      analyze: \(analyze)
                      context: project
                      step:
                        uses: shell
                        with:
                          script: '\(script)'

                """
        }

        func run(attempts: Int = 3, writeBack: Bool = false, analyze: Bool = false) async throws -> (EngineHarness.Outcome, StepRecord) {
            let outcome = try await h.run(yaml(attempts: attempts, writeBack: writeBack, analyze: analyze))
            return (outcome, try #require(outcome.steps["image"]))
        }

        func user(_ name: String) throws -> String { try String(contentsOf: h.directory.file("project/" + name), encoding: .utf8) }

        func log(_ outcome: EngineHarness.Outcome, attempt: Int) -> String {
            (try? String(contentsOfFile: h.statePath + "/\(outcome.runID)/image/attempt-\(attempt).log", encoding: .utf8)) ?? ""
        }

        func imageExists() throws -> Bool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "inspect", "--type", "image", image]).status == 0
        }

        func cleanUp() {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "rmi", image])
            h.directory.remove()
        }
    }

    @Test func aptGetInstallWithoutUpdateBuildsInRoundTwo() async throws {
        let dockerfile = "FROM \(Self.baseImage)\nRUN apt-get install -y --no-install-recommends libgomp1\n"
        let b = try Build(["Dockerfile": dockerfile])
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run()
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))\n\(b.log(outcome, attempt: 2))")
        #expect(step.attempts == 2)
        #expect(step.outputValues["fixes"] == "apt-get-update")
        #expect(step.outputValues["rounds"] == "2")
        #expect(b.log(outcome, attempt: 1).contains("autofix: round 1: apt-no-update → apt-get-update (project/Dockerfile:2)"))
        #expect(try b.imageExists())
        // Without write-back the user's file is untouched; the patch says what changed.
        #expect(try b.user("Dockerfile") == dockerfile)
        let patch = try String(contentsOfFile: try #require(step.outputValues["patch"]), encoding: .utf8)
        #expect(patch.contains("+RUN apt-get update && apt-get install -y --no-install-recommends libgomp1"))
        let artifacts = try b.h.database.artifacts(of: outcome.runID).map(\.name)
        #expect(artifacts.contains("autofix-round-1.patch") && artifacts.contains("autofix.patch"))
    }

    @Test func pep668BuildsInRoundTwoAndWriteBackChangesTheUsersDockerfile() async throws {
        let b = try Build([
            "Dockerfile": "FROM \(Self.baseImage)\nCOPY wheels /wheels\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n",
        ], wheels: [WheelIndex.Wheel("alpha", "1.0")])
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run(writeBack: true)
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))\n\(b.log(outcome, attempt: 2))")
        #expect(step.attempts == 2 && step.outputValues["fixes"] == "break-system-packages")
        #expect(try b.user("Dockerfile") == "FROM \(Self.baseImage)\nCOPY wheels /wheels\nENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n")
    }

    static let torchWheels = [
        WheelIndex.Wheel("torch", "2.4.1"), WheelIndex.Wheel("torch", "2.5.1"),
        WheelIndex.Wheel("torchvision", "0.19.1", requires: ["torch==2.4.1"]),
        WheelIndex.Wheel("torchvision", "0.20.1", requires: ["torch==2.5.1"]),
    ]
    static let pipDockerfile = "FROM localhost/flow/python:3.11-bookworm\nCOPY wheels /wheels\nCOPY requirements.txt /tmp/requirements.txt\nRUN pip install --no-index --find-links /wheels -r /tmp/requirements.txt\n"

    @Test func aTorchvisionConflictIsRepinnedAndBuildsInRoundTwo() async throws {
        let b = try Build(["Dockerfile": Self.pipDockerfile.replacingOccurrences(of: "localhost/flow/python:3.11-bookworm", with: Self.baseImage),
                           "requirements.txt": "torch==2.4.1\ntorchvision==0.20.1\n"], wheels: Self.torchWheels)
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run()
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))\n\(b.log(outcome, attempt: 2))")
        #expect(step.attempts == 2 && step.outputValues["fixes"] == "repin-domain-libraries")
        #expect(b.log(outcome, attempt: 1).contains("torch-domain-conflict → repin-domain-libraries (project/requirements.txt:2)"))
        #expect(try b.user("requirements.txt") == "torch==2.4.1\ntorchvision==0.20.1\n")
        // The image has torchvision 0.19.1 beside torch 2.4.1.
        let versions = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["sh", "-c",
            "c=$(buildah from --pull=never \(b.image)) && buildah run --isolation chroot $c -- python -c 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'; s=$?; buildah rm $c >/dev/null; exit $s"])
        #expect(versions.stdout.contains("2.4.1 0.19.1"), "\(versions.stderr)")
    }

    @Test func analyzesFixesApplyBeforeRoundOne() async throws {
        let b = try Build(["Dockerfile": Self.pipDockerfile.replacingOccurrences(of: "localhost/flow/python:3.11-bookworm", with: Self.baseImage),
                           "requirements.txt": "torch==2.4.1\ntorchvision==0.20.1\n"], wheels: Self.torchWheels)
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run(analyze: true)
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))")
        #expect(step.attempts == 1 && step.outputValues["fixes"] == "repin-domain-libraries" && step.outputValues["rounds"] == "1")
        #expect(b.log(outcome, attempt: 1).contains("autofix: analyze: torch-triple → repin-domain-libraries"))
    }

    /// Offline, `--extra-index-url` cannot help (`--no-index` ignores it): round 2 fails the same
    /// way, and autofix stops instead of spending its last round.
    @Test func aSignatureSeenTwiceInARowStops() async throws {
        let b = try Build(["Dockerfile": Self.pipDockerfile.replacingOccurrences(of: "localhost/flow/python:3.11-bookworm", with: Self.baseImage),
                           "requirements.txt": "torch==2.4.1+cu121\n"], wheels: Self.torchWheels)
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run(attempts: 5)
        #expect(outcome.status == .failed)
        #expect(step.attempts == 2)
        #expect(step.error?.contains("the fix for cuda-pin-without-index (extra-index-url) did not help") == true, "\(step.error ?? "")")
        #expect(b.log(outcome, attempt: 1).contains("cuda-pin-without-index → extra-index-url (project/requirements.txt:1)"))
        #expect(!(try b.imageExists()))
    }

    @Test func aFatalSignatureStopsAtOnce() async throws {
        let b = try Build(["Dockerfile": "FROM \(Self.baseImage)\nCOPY wheels /wheels\nRUN pip install --no-index --find-links /wheels torch==2.1.0\n"],
                          wheels: Self.torchWheels)
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run()
        #expect(outcome.status == .failed)
        #expect(step.attempts == 1)
        #expect(step.error?.contains("no-wheel-for-python") == true, "\(step.error ?? "")")
    }

    @Test func anUnknownFailureEndsWithTheWrappedStepsError() async throws {
        let b = try Build(["Dockerfile": "FROM \(Self.baseImage)\nRUN ./configure\n"])
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run()
        #expect(outcome.status == .failed)
        #expect(step.attempts == 1)
        #expect(step.error == "exited with code 1" || step.error?.hasPrefix("exited with code") == true, "\(step.error ?? "")")
        #expect(b.log(outcome, attempt: 1).contains("no known failure signature"))
    }

    @Test func attemptsBoundTheRounds() async throws {
        let b = try Build(["Dockerfile": "FROM \(Self.baseImage)\nRUN apt-get install -y --no-install-recommends libgomp1\n"])
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run(attempts: 1)
        #expect(outcome.status == .failed && step.attempts == 1)
        #expect(step.error?.contains("round 1 of 1 failed with apt-no-update and no rounds are left") == true, "\(step.error ?? "")")
    }

    /// The real use: `build` wrapped, pointed at the copy; its outputs pass through.
    @Test func wrapsTheBuildStepAndPassesItsOutputsThrough() async throws {
        let dockerfile = "FROM \(Self.baseImage)\nRUN apt-get install -y --no-install-recommends libgomp1\n"
        let b = try Build(["Dockerfile": dockerfile])
        defer { b.cleanUp() }
        let outcome = try await b.h.run("""
            name: af
            steps:
              image:
                uses: autofix-retry
                with:
                  analyze: false
                  step: { uses: build, with: { context: project, image: "\(b.image)", engine: buildah, pull: never } }
            """)
        let step = try #require(outcome.steps["image"])
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))\n\(b.log(outcome, attempt: 2))")
        #expect(step.attempts == 2 && step.outputValues["fixes"] == "apt-get-update")
        #expect(step.outputValues["image"] == b.image)
        #expect(step.outputValues["digest"]?.hasPrefix("sha256:") == true)
        #expect(step.outputValues["engine"] == "buildah")
        #expect(try b.imageExists())
        #expect(try b.user("Dockerfile") == dockerfile)
    }

    @Test func aMissingSharedLibraryIsInstalledAndRoundTwoBuilds() async throws {
        let b = try Build([
            "Dockerfile": "FROM \(Self.baseImage)\nCOPY wheels /wheels\nRUN pip install --no-index --find-links /wheels glpkg\nRUN python -c \"import glpkg\"\n",
        ], wheels: [WheelIndex.Wheel("glpkg", "1.0", code: "import ctypes\nctypes.CDLL('libgomp.so.1')\n")])
        defer { b.cleanUp() }
        let (outcome, step) = try await b.run()
        #expect(outcome.status == .succeeded, "\(b.log(outcome, attempt: 1))\n\(b.log(outcome, attempt: 2))")
        #expect(step.attempts == 2 && step.outputValues["fixes"] == "install-system-library")
        #expect(b.log(outcome, attempt: 1).contains("missing-system-library → install-system-library (project/Dockerfile:4)"))
    }

    @Test func aWrappedStepOfAnUnknownTypeOrWithAnUnknownInputIsRefused() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let unknownType = try await h.run("name: x\nsteps:\n  s: { uses: autofix-retry, with: { step: { uses: nope } } }\n")
        #expect(unknownType.steps["s"]?.error?.contains("`step.uses` names `nope`") == true)
        let unknownInput = try await h.run("name: x\nsteps:\n  s: { uses: autofix-retry, with: { step: { uses: shell, with: { scrip: x } } } }\n")
        #expect(unknownInput.steps["s"]?.error?.contains("`scrip`") == true, "\(unknownInput.steps["s"]?.error ?? "")")
    }
}
