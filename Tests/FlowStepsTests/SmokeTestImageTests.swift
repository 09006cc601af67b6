import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport
@testable import FlowSteps

/// `smoke-test` against real images: built with buildah from the local base image and a wheel
/// index made in the test, checked through a real run (the engine, or the `flow` binary).
@Suite(.serialized) struct SmokeTestImageTests {
    /// PyYAML imports as `yaml` (the shipped table), Odd-Dist as `oddmod` (read from its metadata in
    /// the image), localver is installed as `2.13.0+cpu`; /app holds the training code.
    static let wheels = [
        WheelIndex.Wheel("PyYAML", "6.0.1", importName: "yaml"),
        WheelIndex.Wheel("alpha", "1.0"),
        WheelIndex.Wheel("localver", "2.13.0+cpu"),
        WheelIndex.Wheel("Odd-Dist", "0.5", importName: "oddmod"),
    ]
    static let install = ["PyYAML==6.0.1", "alpha==1.0", "localver==2.13.0+cpu", "Odd-Dist==0.5"]
    static let training = "WORKDIR /app\nCOPY train.py slow.py /app/\n"
    static let trainingFiles = ["train.py": "import yaml\nimport alpha\nprint('train imported')\n",
                                "slow.py": "import time\ntime.sleep(600)\n"]

    static func pipeline(_ with: String) -> String {
        "name: smoke\nsteps:\n  smoke:\n    uses: smoke-test\n    with: \(with)\n"
    }

    static func report(_ h: EngineHarness, _ outcome: EngineHarness.Outcome) throws -> [String: Any] {
        let artifact = try #require(try h.database.artifacts(of: outcome.runID).first { $0.name == "smoke-test.json" })
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: artifact.path))) as? [String: Any])
    }

    static func check(_ report: [String: Any], _ name: String) -> [String: Any]? {
        (report["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test func quickPassesWhenThePinnedPackagesImportAndFailsNamingWhatIsWrong() async throws {
        let image = try await SmokeTestImages.build(wheels: Self.wheels, install: Self.install, extra: Self.training, files: Self.trainingFiles)
        defer { SmokeTestImages.remove(image) }
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("requirements.txt", "PyYAML==6.0.1\nalpha==1.0\nlocalver==2.13.0\nOdd-Dist==0.5\n")
        _ = try h.directory.write("broken.txt", "alpha==2.0\ngamma==1.0\n")

        let good = try await h.run(Self.pipeline("{ image: \"\(image)\", requirements: requirements.txt, junit: junit.xml }"))
        let step = try #require(good.steps["smoke"])
        #expect(good.status == .succeeded, "\(step.error ?? "")")
        #expect(step.outputValues["passed"] == "9" && step.outputValues["failed"] == "0")
        let report = try Self.report(h, good)
        #expect(Self.check(report, "import yaml (PyYAML)")?["status"] as? String == "passed")
        #expect((Self.check(report, "import Odd-Dist (Odd-Dist)")?["details"] as? [String: String])?["modules"] == "oddmod")
        #expect(Self.check(report, "version localver==2.13.0")?["message"] as? String == "localver 2.13.0+cpu is installed (==2.13.0)")
        let junit = try SmokeTestImages.validateJUnit(h.directory.file("junit.xml").path)
        #expect(junit.status == 0, "\(junit.stderr)")
        let artifacts = try h.database.artifacts(of: good.runID).map(\.name).sorted()
        #expect(artifacts == ["smoke-test.json", "smoke-test.xml"])

        let bad = try await h.run(Self.pipeline("{ image: \"\(image)\", requirements: broken.txt, junit: junit.xml }"))
        let failed = try #require(bad.steps["smoke"])
        #expect(bad.status == .failed && failed.attempts == 1)
        let error = failed.error ?? ""
        #expect(error.contains("3 of 5 checks failed"), "\(error)")
        #expect(error.contains("import gamma (gamma): ModuleNotFoundError: No module named 'gamma'"), "\(error)")
        #expect(error.contains("version alpha==2.0: alpha 1.0 is installed; broken.txt:1 asks for ==2.0"), "\(error)")
        let badReport = try Self.report(h, bad)
        let gamma = try #require(Self.check(badReport, "import gamma (gamma)"))
        #expect(gamma["exception"] as? String == "ModuleNotFoundError")
        #expect((gamma["traceback"] as? [String])?.last == "ModuleNotFoundError: No module named 'gamma'")
        #expect((gamma["hint"] as? String)?.contains("gamma is not installed") == true)
        let badJUnit = try SmokeTestImages.validateJUnit(h.directory.file("junit.xml").path)
        #expect(badJUnit.status == 0, "\(badJUnit.stderr)")
    }

    @Test func standardWithoutTorchFailsTheTorchChecksClearlyAndImportsTheTrainingCode() async throws {
        let image = try await SmokeTestImages.build(wheels: Self.wheels, install: Self.install, extra: Self.training, files: Self.trainingFiles)
        defer { SmokeTestImages.remove(image) }
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("requirements.txt", "PyYAML==6.0.1\n")
        _ = try h.directory.write("fails.py", "import sys\nprint('about to fail')\nraise ValueError('boom in the smoke script')\n")
        let outcome = try await h.run(Self.pipeline(
            "{ image: \"\(image)\", level: full, requirements: requirements.txt, imports: [train, slow], script: fails.py, gpu: required, check-timeout: 3s }"))
        #expect(outcome.status == .failed)
        let report = try Self.report(h, outcome)
        for name in ["torch imports", "torch matmul on the CPU", "torch CUDA (gpu: required)", "torch.distributed gloo process group"] {
            let check = try #require(Self.check(report, name), "\(name)")
            #expect(check["status"] as? String == "failed", "\(name)")
            #expect((check["message"] as? String)?.contains("No module named 'torch'") == true, "\(name): \(check["message"] ?? "")")
        }
        #expect(Self.check(report, "import train (training code)")?["status"] as? String == "passed")
        #expect(Self.check(report, "import train (training code)")?["output"] as? String == "train imported\n")
        // An import that hangs fails at check-timeout, and the checks after it still run.
        let slow = try #require(Self.check(report, "import slow (training code)"))
        #expect(slow["exception"] as? String == "CheckTimeout" && slow["message"] as? String == "CheckTimeout: the check did not finish within check-timeout (3s)")
        let script = try #require(Self.check(report, "script fails.py"))
        #expect(script["status"] as? String == "failed" && script["exception"] as? String == "ValueError")
        #expect((script["message"] as? String)?.hasPrefix("ValueError: boom in the smoke script") == true, "\(script["message"] ?? "")")
        #expect((script["classname"] as? String) == "smoke-test.full")

        // A script already in the image passes; with gpu: none CUDA is not checked, torch or not.
        let inImage = try await h.run(Self.pipeline("{ image: \"\(image)\", level: full, script: /app/train.py, gpu: none }"))
        let second = try Self.report(h, inImage)
        #expect(Self.check(second, "script /app/train.py")?["status"] as? String == "passed")
        #expect(Self.check(second, "torch CUDA (gpu: none)")?["status"] as? String == "skipped")
    }

    @Test func aSmokeTestRunsThroughFlowRun() async throws {
        let image = try await SmokeTestImages.build(wheels: [WheelIndex.Wheel("alpha", "1.0")], install: ["alpha==1.0"])
        defer { SmokeTestImages.remove(image) }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("requirements.txt", "alpha==1.0\n")
        _ = try dir.write("p.yml", """
            name: image
            steps:
              smoke:
                uses: smoke-test
                with: { image: "python:3.11-slim", requirements: requirements.txt, junit: smoke.xml, json: smoke.json }
              after:
                needs: smoke
                run: echo "passed=${{ steps.smoke.outputs.passed }} failed=${{ steps.smoke.outputs.failed }}"
            """)
        // The pipeline names its real base; the run's image map points it at the test image.
        let r = try await runFlow(["run", "p.yml", "--image", "python:3.11-slim=\(image)"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let runs = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let id = try #require(((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?.first)?["id"] as? String)
        let after = try await runFlow(["logs", id, "after"], currentDirectory: dir.url)
        #expect(after.stdout.contains("passed=3 failed=0"), "\(after.stdout)")
        let smokeLog = try await runFlow(["logs", id, "smoke"], currentDirectory: dir.url)
        #expect(smokeLog.stdout.contains("flow: smoke-test: all 3 checks passed"), "\(smokeLog.stdout)")
        #expect(smokeLog.stdout.contains("flow: image python:3.11-slim → \(image) (the run's `images:` map)"), "\(smokeLog.stdout)")
        let junit = try SmokeTestImages.validateJUnit(dir.file("smoke.xml").path)
        #expect(junit.status == 0, "\(junit.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("smoke.json").path))
    }

    /// Opt-in, since it installs torch (~1 GB with its dependencies): `FLOW_TEST_TORCH=1 swift test
    /// --skip-build --disable-xctest --filter SmokeTestImageTests/torchPassesStandardAndFullWithTheFSDPExample`.
    /// Needs a CPU torch wheel in /opt/wheels (`torch-*+cpu-*.whl`) and PyPI for its dependencies
    /// (reached with the host's CA bundle). Reported as skipped when not enabled.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FLOW_TEST_TORCH"] == "1", "set FLOW_TEST_TORCH=1 to run (installs torch)"))
    func torchPassesStandardAndFullWithTheFSDPExample() async throws {
        let found = try FileManager.default.contentsOfDirectory(atPath: "/opt/wheels")
            .filter { $0.hasPrefix("torch-") && $0.contains("+cpu-") && $0.hasSuffix(".whl") }.sorted()
        let wheel = try #require(found.last, "no /opt/wheels/torch-*+cpu-*.whl on this machine")
        let version = String(wheel.dropFirst("torch-".count).prefix { $0 != "-" })
        let publicVersion = String(version.prefix { $0 != "+" })
        let image = try await SmokeTestImages.build(
            wheels: [], install: [],
            extra: "RUN PIP_CERT=/etc/ssl/host-ca.crt pip install --no-cache-dir --find-links /wheels \"torch==\(version)\"\n",
            buildArguments: ["-v", "/opt/wheels:/wheels:ro", "-v", "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/host-ca.crt:ro"])
        defer { SmokeTestImages.remove(image) }
        let h = try EngineHarness()
        defer { h.directory.remove() }
        _ = try h.directory.write("requirements.txt", "torch==\(publicVersion)\n")
        let example = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/SmokeTest/fsdp_smoke.py")
        _ = try h.directory.write("fsdp_smoke.py", try String(contentsOf: example, encoding: .utf8))
        let outcome = try await h.run(Self.pipeline(
            "{ image: \"\(image)\", level: full, requirements: requirements.txt, script: fsdp_smoke.py, script-timeout: 10m }"))
        let step = try #require(outcome.steps["smoke"])
        #expect(outcome.status == .succeeded, "\(step.error ?? "")")
        #expect(step.outputValues["failed"] == "0" && step.outputValues["passed"] == "8", "\(step.outputValues)")
        let report = try Self.report(h, outcome)
        #expect((Self.check(report, "script fsdp_smoke.py")?["output"] as? String)?.contains("forward and backward on CPU with gloo") == true)
        #expect(Self.check(report, "torch CUDA (gpu: optional)")?["status"] as? String == "passed")
    }
}
