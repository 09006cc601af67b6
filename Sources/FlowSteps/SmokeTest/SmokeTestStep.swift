import Foundation
import FlowCore
import FlowEngine

/// `smoke-test`: runs checks inside a built image through the container engine (see
/// `docs/smoke-test.md`): the checks of a level in one container run of a Python runner that
/// reads them as data, the `full` level's script in a run of its own. Every check is a JUnit
/// test case and a JSON report entry, both kept as artifacts; the step fails when one fails.
public struct SmokeTestStep: BuiltinStepType {
    public typealias Input = SmokeTestInput

    public static let name = "smoke-test"
    public static let summary = "Checks a built image from inside: Python, imports and pinned versions, torch, CUDA, gloo, a user script; JUnit XML and JSON reports"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("passed", "how many checks passed"),
        StepOutput("failed", "how many checks failed"),
        StepOutput("skipped", "how many checks were skipped"),
        StepOutput("report", "the path of the JSON report artifact"),
        StepOutput("junit", "the path of the JUnit XML artifact"),
    ])
    public static let example = """
        smoke-test:
          uses: smoke-test
          needs: [build]
          with:
            image: ${{ steps.build.outputs.image }}
            level: standard
            requirements: requirements.txt
            imports: [train, model]
            gpu: optional
        """

    /// Where the runner and its spec are mounted, and where it writes its results.
    static let inputMount = "/run/flow-smoke/in"
    static let outputMount = "/run/flow-smoke/out"

    public init() {}

    public func run(_ input: SmokeTestInput, context: StepContext) async throws -> StepOutcome {
        guard !input.image.isEmpty else {
            throw StepError("image: empty; name the image to test (a `build` step's `image` output)", kind: .terminal)
        }
        guard !input.python.isEmpty else { throw StepError("python: empty; name the interpreter, e.g. `python3`", kind: .terminal) }
        if input.level == .full && input.script == nil {
            throw StepError("level: full runs a script; give `script:` (a workspace path or a path in the image), or use `level: standard`",
                            kind: .terminal)
        }
        let image = ImageMap.resolve(input.image, in: context)
        let files = AnalysisFiles(root: context.workingDirectory)
        let requirements = try SmokeRequirements.load(files: input.requirements?.paths.map(\.path), dockerfile: input.dockerfile?.path,
                                                      context: input.context?.path, reader: files)
        let plan = try SmokePlan.make(level: input.level, requirements: requirements,
                                      importNames: (input.importNames ?? [:]).mapValues(\.modules), gpu: input.gpu,
                                      imports: input.imports ?? [], script: input.script)
        let script = try input.script.flatMap { path -> SmokeScript? in
            guard input.level == .full else {
                context.log.note("smoke-test: script \(path) runs at level full only; level is \(input.level.rawValue)")
                return nil
            }
            return try SmokeScript.locate(path, arguments: input.scriptArgs ?? [], files: files,
                                          scratch: context.attemptDirectory + "/smoke-script")
        }
        let engine = try ContainerEngine.select(input.engine, environment: context.environment)
        context.log.note("smoke-test: \(plan.checks.count) checks (level \(input.level.rawValue), \(requirements.count) requirements) in \(image) with \(engine.name)")
        for name in plan.skippedImports { context.log.note("smoke-test: import of \(name) not checked (import-names: false)") }
        let named = Set(requirements.map(\.normalizedName))
        for key in (input.importNames ?? [:]).keys.sorted() where !named.contains(Requirement.normalize(key)) {
            context.log.note("smoke-test: import-names: \(key) names no requirement; it is not used")
        }

        let runner = try await runChecks(plan, image: image, input: input, engine: engine, context: context)
        var results = runner.results
        if let script, let check = plan.checks.first(where: { $0.kind == .script }) {
            results.append(try await script.run(check: check, image: image, python: input.python, engine: engine,
                                                timeout: input.scriptTimeout, context: context))
        }
        let report = SmokeReport(image: image, level: input.level, engine: engine.name, python: runner.python, checks: results)
        for result in results { context.log.note("smoke-test: \(result.status.rawValue) \(result.summary)") }
        let outputs = try keep(report, input: input, files: files, context: context)
        if let error = runner.error { throw error }
        let failed = results.filter { $0.status == .failed }
        if !failed.isEmpty {
            let names = failed.prefix(3).map(\.summary).joined(separator: "; ") + (failed.count > 3 ? "; …" : "")
            throw StepError("smoke-test: \(failed.count) of \(results.count) checks failed in \(image): \(names)", kind: .terminal)
        }
        context.log.note("smoke-test: all \(report.passed) checks passed\(report.skipped > 0 ? ", \(report.skipped) skipped" : "")")
        return StepOutcome(outputs: outputs)
    }

    /// What the runner's container run gave: a result per check, the image's Python, and an
    /// error to throw after the reports are written (the attempt's timeout).
    struct RunnerOutcome {
        var results: [SmokeResult]
        var python: String?
        var error: StepError?
    }

    /// Runs the runner over `plan`'s checks in one container run and reads its results back.
    func runChecks(_ plan: SmokePlan, image: String, input: SmokeTestInput, engine: ContainerEngine,
                   context: StepContext) async throws -> RunnerOutcome {
        let base = context.attemptDirectory + "/smoke-runner"
        let inDirectory = base + "/in", outDirectory = base + "/out"
        for (folder, mode) in [(base, 0o755), (inDirectory, 0o755), (outDirectory, 0o777)] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            chmod(folder, mode_t(mode))
        }
        let seconds = Int(max(1, input.checkTimeout.milliseconds / 1000))
        for (name, bytes) in [("smoke_runner.py", PackageResources.smoke_runner_py), ("spec.json", try plan.spec(checkTimeout: seconds))] {
            guard FileManager.default.createFile(atPath: inDirectory + "/" + name, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
                throw StepError("cannot write \(inDirectory)/\(name)", kind: .terminal)
            }
        }
        let run = ContainerRun(
            image: image,
            command: [input.python, Self.inputMount + "/smoke_runner.py", Self.inputMount + "/spec.json", Self.outputMount],
            mounts: [.init(host: inDirectory, container: Self.inputMount, readOnly: true), .init(host: outDirectory, container: Self.outputMount)],
            environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"])
        var runContext = context
        runContext.attemptDirectory = base
        var failure: StepError?
        do {
            _ = try await engine.run(run, context: runContext)
        } catch let error as StepError {
            failure = error
        }
        let text = (try? UntrustedFile.read(outDirectory + "/results.jsonl", limit: 64 << 20, links: .refuse))
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        let parsed = SmokeRunnerResults.parse(text)
        let checks = plan.runnerChecks
        guard parsed.started else {
            guard let failure else {
                throw StepError("smoke-test: the runner wrote no results in \(image); see the step log", kind: .retryable)
            }
            // 126/127: the shell found no runnable interpreter: the image fails `python starts`.
            if failure.exitCode == 127 || failure.exitCode == 126 {
                let missing = SmokeResult(name: checks[0].name, classname: "smoke-test.quick", kind: "python", status: .failed,
                                          message: "\(input.python) cannot be run in the image (exit \(failure.exitCode!))",
                                          exception: "FileNotFoundError", traceback: context.log.tail(lines: 5),
                                          hint: "install Python in the image, or set `python:` to the interpreter's path")
                let rest = checks.dropFirst().map {
                    SmokeResult(name: $0.name, classname: "smoke-test.\($0.level.rawValue)", kind: $0.kind.rawValue, status: .failed,
                                message: "not run: Python does not start in the image")
                }
                return RunnerOutcome(results: [missing] + rest, python: nil, error: nil)
            }
            let tail = context.log.tail(lines: 5).joined(separator: " | ")
            throw StepError("smoke-test could not run in \(image): \(failure.message); the log's last lines: \(tail)",
                            kind: failure.kind, exitCode: failure.exitCode, timedOut: failure.timedOut)
        }
        let died = parsed.finished ? nil : (failure.map { $0.timedOut ? "the step's timeout passed" : $0.message } ?? "it ended early")
        let results = checks.map { parsed.result(of: $0, died: died) }
        return RunnerOutcome(results: results, python: parsed.python, error: failure?.timedOut == true ? failure : nil)
    }

    /// Keeps both reports as artifacts, writes them where `junit:` / `json:` say, and returns
    /// the step's outputs.
    func keep(_ report: SmokeReport, input: SmokeTestInput, files: AnalysisFiles, context: StepContext) throws -> [String: String] {
        let json = report.json()
        let xml = report.junit().text
        let keptJSON = try context.artifacts.keep("smoke-test.json", kind: "json", bytes: Array(json.utf8))
        let keptXML = try context.artifacts.keep("smoke-test.xml", kind: "junit", bytes: Array(xml.utf8))
        for (path, text) in [(input.junit, xml), (input.json, json)] {
            guard let path else { continue }
            do {
                try ReportFile.write(context.mask(text), to: files.absolute(path.path))
            } catch {
                throw StepError("\(error)", kind: .terminal)
            }
        }
        return ["passed": String(report.passed), "failed": String(report.failed), "skipped": String(report.skipped),
                "report": keptJSON.path, "junit": keptXML.path]
    }
}
