import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport
@testable import FlowSteps

/// What a smoke test checks, decided before any container runs: import names, levels, the
/// runner's spec, and how the runner's results are judged.
@Suite struct SmokeTestPlanTests {
    static func requirement(_ name: String, _ specifiers: String = "", marker: String? = nil) -> SmokeRequirement {
        let set = (try? SpecifierSet.parse(specifiers).get()) ?? SpecifierSet()
        let parsedMarker = marker.flatMap { try? MarkerExpression.parse($0).get() }
        return SmokeRequirement(name: name, specifiers: set, marker: parsedMarker, origin: "requirements.txt:1")
    }

    @Test func theInputTypeIsTheSchema() throws {
        #expect(InputSchema.unmatchedHelp(of: SmokeTestInput.self) == [])
        let signature = SmokeTestStep().signature
        #expect(signature.inputs.filter(\.required).map(\.name) == ["image"])
        #expect(signature.inputs.first { $0.name == "level" }?.kind == .choice(["quick", "standard", "full"]))
        #expect(signature.inputs.first { $0.name == "gpu" }?.kind == .choice(["optional", "required", "none"]))
        // A misspelt level is caught before the run, with a suggestion.
        let h = try EngineHarness()
        defer { h.directory.remove() }
        do {
            _ = try h.plan("name: p\nsteps:\n  s: { uses: smoke-test, with: { image: x, level: standart } }\n")
            Issue.record("an unknown level was accepted")
        } catch {
            #expect("\(error)".contains("standart") && "\(error)".contains("standard"), "\(error)")
        }
    }

    @Test func importNamesComeFromTheStepThenTheTableThenTheImage() {
        #expect(ImportNames.modules(for: "PyYAML", overrides: [:]).modules == ["yaml"])
        #expect(ImportNames.modules(for: "scikit_learn", overrides: [:]).modules == ["sklearn"])
        #expect(ImportNames.modules(for: "opencv-python", overrides: [:]).modules == ["cv2"])
        #expect(ImportNames.modules(for: "Pillow", overrides: [:]).modules == ["PIL"])
        #expect(ImportNames.modules(for: "beautifulsoup4", overrides: [:]).modules == ["bs4"])
        #expect(ImportNames.modules(for: "protobuf", overrides: [:]).modules == ["google.protobuf"])
        let given = ImportNames.modules(for: "pyyaml", overrides: ["PyYAML": ["ruamel.yaml"]])
        #expect(given.modules == ["ruamel.yaml"] && given.source == .given)
        let unknown = ImportNames.modules(for: "numpy", overrides: [:])
        #expect(unknown.modules.isEmpty && unknown.source == .image)
    }

    @Test func onlyDottedPythonNamesAreModuleNames() {
        for good in ["yaml", "google.protobuf", "_private", "cv2", "model.llama_3"] { #expect(ImportNames.isModuleName(good), "\(good)") }
        for bad in ["", "os; import shutil", "a..b", "1abc", "x y", "__import__('os')", "a.", "ünï"] {
            #expect(!ImportNames.isModuleName(bad), "\(bad)")
        }
    }

    @Test func eachLevelAddsItsChecks() throws {
        let requirements = [Self.requirement("PyYAML", "==6.0.1"), Self.requirement("numpy")]
        let quick = try SmokePlan.make(level: .quick, requirements: requirements, importNames: [:], gpu: .optional, imports: ["train"], script: "s.py")
        #expect(quick.checks.map(\.name) == ["python starts", "import yaml (PyYAML)", "version PyYAML==6.0.1", "import numpy (numpy)"])
        #expect(quick.checks.map(\.id) == ["c1", "c2", "c3", "c4"])
        let standard = try SmokePlan.make(level: .standard, requirements: requirements, importNames: [:], gpu: .required, imports: ["train"], script: nil)
        #expect(standard.checks.suffix(5).map(\.kind) == [.torchImport, .torchMatmul, .torchCuda, .torchDistributed, .import])
        #expect(standard.checks.last?.modules == ["train"] && standard.checks.last?.level == .standard)
        #expect(standard.checks.first { $0.kind == .torchCuda }?.gpu == "required")
        let full = try SmokePlan.make(level: .full, requirements: [], importNames: [:], gpu: .none, imports: [], script: "smoke.py")
        #expect(full.checks.last?.kind == .script && full.checks.last?.level == .full)
        #expect(!full.runnerChecks.contains { $0.kind == .script })
    }

    @Test func importNamesFalseSkipsTheImportButNotTheVersion() throws {
        let plan = try SmokePlan.make(level: .quick, requirements: [Self.requirement("tensorrt", "==10.0")],
                                      importNames: ["tensorrt": []], gpu: .optional, imports: [], script: nil)
        #expect(plan.skippedImports == ["tensorrt"])
        #expect(plan.checks.map(\.kind) == [.python, .version])
    }

    @Test func namesThatAreNotModulesAreBadInput() {
        #expect(throws: StepError.self) {
            try SmokePlan.make(level: .quick, requirements: [], importNames: ["x": ["os; print(1)"]], gpu: .optional, imports: [], script: nil)
        }
        do {
            _ = try SmokePlan.make(level: .standard, requirements: [], importNames: [:], gpu: .optional, imports: ["train.py"], script: nil)
            Issue.record("a file name was accepted as a module")
        } catch let error as StepError {
            #expect(error.kind == .terminal && error.message.contains("imports: `train.py`"))
        } catch {
            Issue.record("\(error)")
        }
    }

    /// Names reach the runner as JSON data: a hostile distribution name stays a string.
    @Test func theRunnerReadsNamesAsData() throws {
        let hostile = "x\"); import os; os.system(\"id\") #"
        let plan = try SmokePlan.make(level: .quick, requirements: [Self.requirement(hostile)], importNames: [:], gpu: .optional,
                                      imports: [], script: nil)
        let spec = try #require(try JSONSerialization.jsonObject(with: Data(plan.spec(checkTimeout: 60))) as? [String: Any])
        let checks = try #require(spec["checks"] as? [[String: Any]])
        #expect(checks[1]["distribution"] as? String == hostile)
        #expect(spec["check_timeout"] as? Int == 60)
        let runner = String(decoding: PackageResources.smoke_runner_py, as: UTF8.self)
        #expect(runner.contains("json.load(f)") && !runner.contains("exec(") && !runner.contains("eval("))
    }

    static func results(_ lines: [String]) -> SmokeRunnerResults {
        SmokeRunnerResults.parse((["{\"event\":\"runner\",\"python\":\"3.11.2\",\"markers\":{\"python_version\":\"3.11\",\"sys_platform\":\"linux\"}}"] + lines)
            .joined(separator: "\n"))
    }

    @Test func versionsAreComparedAsPEP440() throws {
        let plan = try SmokePlan.make(level: .quick, requirements: [Self.requirement("torch", "==2.13.0"), Self.requirement("alpha", "==1.0")],
                                      importNames: [:], gpu: .optional, imports: [], script: nil)
        let torch = try #require(plan.checks.first { $0.kind == .version && $0.distribution == "torch" })
        let alpha = try #require(plan.checks.first { $0.kind == .version && $0.distribution == "alpha" })
        let parsed = Self.results([
            "{\"event\":\"end\",\"id\":\"\(torch.id)\",\"status\":\"passed\",\"data\":{\"installed\":\"2.13.0+cpu\"}}",
            "{\"event\":\"end\",\"id\":\"\(alpha.id)\",\"status\":\"passed\",\"data\":{\"installed\":\"1.0.1\"}}",
        ])
        #expect(parsed.result(of: torch, died: nil).status == .passed)
        let mismatch = parsed.result(of: alpha, died: nil)
        #expect(mismatch.status == .failed)
        #expect(mismatch.message == "alpha 1.0.1 is installed; requirements.txt:1 asks for ==1.0")
        #expect(mismatch.exception == "VersionMismatch")
    }

    @Test func aRequirementWhoseMarkerIsFalseIsSkipped() throws {
        let plan = try SmokePlan.make(level: .quick, requirements: [Self.requirement("tomli", "==2.0", marker: "python_version < \"3.11\"")],
                                      importNames: [:], gpu: .optional, imports: [], script: nil)
        let parsed = Self.results(plan.runnerChecks.map { "{\"event\":\"end\",\"id\":\"\($0.id)\",\"status\":\"failed\",\"exception\":\"ModuleNotFoundError\"}" })
        let importCheck = try #require(plan.checks.first { $0.kind == .import })
        let skipped = parsed.result(of: importCheck, died: nil)
        #expect(skipped.status == .skipped)
        #expect(skipped.message?.contains("python_version < \"3.11\"") == true)
    }

    @Test func aRunnerThatDiedNamesTheCheckItWasIn() throws {
        let plan = try SmokePlan.make(level: .quick, requirements: [Self.requirement("crashy"), Self.requirement("later")],
                                      importNames: [:], gpu: .optional, imports: [], script: nil)
        let parsed = Self.results([
            "{\"event\":\"start\",\"id\":\"c1\"}", "{\"event\":\"end\",\"id\":\"c1\",\"status\":\"passed\"}",
            "{\"event\":\"start\",\"id\":\"c2\"}", "{\"event\":\"end\",\"id\":\"c2\",\"sta",
        ])
        #expect(parsed.started && !parsed.finished && parsed.interrupted == "c2")
        let results = plan.runnerChecks.map { parsed.result(of: $0, died: "killed by signal 11") }
        #expect(results.map(\.status) == [.passed, .failed, .failed])
        #expect(results[1].message == "the Python process died while running this check (killed by signal 11)")
        #expect(results[2].message?.hasPrefix("not run:") == true)
    }

    @Test func requirementsComeFromTheFilesTheDockerfileCopiesAndItsPipInstalls() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("app/Dockerfile", """
            FROM python:3.11-slim
            COPY requirements.txt /app/
            RUN pip install --no-cache-dir -r /app/requirements.txt && pip install --no-cache-dir extra-tool==0.3
            """)
        _ = try dir.write("app/requirements.txt", "-r base.txt\nPyYAML==6.0.1  # yaml\n-c constraints.txt\n")
        _ = try dir.write("app/base.txt", "numpy>=1.26\n")
        _ = try dir.write("app/constraints.txt", "urllib3<2\n")
        let files = AnalysisFiles(root: dir.url.path)
        let found = try SmokeRequirements.load(files: nil, dockerfile: "app/Dockerfile", context: nil, reader: files)
        #expect(found.map(\.name) == ["numpy", "PyYAML", "extra-tool"])
        #expect(found.map(\.specifiers.description) == [">=1.26", "==6.0.1", "==0.3"])
        #expect(found[1].origin == "app/requirements.txt:2")
        let named = try SmokeRequirements.load(files: ["app/base.txt"], dockerfile: "app/Dockerfile", context: nil, reader: files)
        #expect(named.map(\.name) == ["numpy"])
        #expect(throws: StepError.self) { try SmokeRequirements.load(files: ["missing.txt"], dockerfile: nil, context: nil, reader: files) }
    }

    @Test func theScriptIsAWorkspaceFileOrAPathInTheImage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("checks/smoke.py", "print('ok')\n")
        let files = AnalysisFiles(root: dir.url.path)
        let local = try SmokeScript.locate("checks/smoke.py", arguments: [], files: files, scratch: dir.file("scratch").path)
        guard case .workspace(_, let folder, let name) = local.location else { Issue.record("not a workspace script"); return }
        #expect(try String(contentsOfFile: folder + "/" + name, encoding: .utf8) == "print('ok')\n")
        #expect(try SmokeScript.locate("/app/smoke.py", arguments: [], files: files, scratch: dir.file("s2").path).location == .image("/app/smoke.py"))
        #expect(throws: StepError.self) { try SmokeScript.locate("nowhere.py", arguments: [], files: files, scratch: dir.file("s3").path) }
        #expect(mkfifo(dir.file("fifo.py").path, 0o600) == 0)
        #expect(throws: StepError.self) { try SmokeScript.locate("fifo.py", arguments: [], files: files, scratch: dir.file("s4").path) }
    }

    @Test func aFailedScriptIsJudgedByItsTraceback() {
        let log = ["step 1", "Traceback (most recent call last):", "  File \"/s.py\", line 3, in <module>", "    boom()",
                   "torch.distributed.DistBackendError: gloo connectFullMesh failed", "flow: something"]
        let (message, exception, traceback) = SmokeScript.judge(error: StepError("exited with code 1", exitCode: 1), log: log, timeout: DurationValue(milliseconds: 60_000))
        #expect(message == "torch.distributed.DistBackendError: gloo connectFullMesh failed (exited with code 1)")
        #expect(exception == "DistBackendError")
        #expect(traceback.first == "Traceback (most recent call last):")
        let timedOut = SmokeScript.judge(error: StepError("timed out", timedOut: true), log: log, timeout: DurationValue(milliseconds: 60_000))
        #expect(timedOut.0.contains("script-timeout") && timedOut.1 == "Timeout")
    }
}
