import Foundation
import FlowCore
import FlowEngine

/// `analyze`: reads a Dockerfile and its Python requirements and says, before anything is
/// built, what will break and how to fix it (see `docs/analyze.md`). Findings go to the step's
/// log as `file:line:column` lines; SARIF is always kept as an artifact; the step fails when a
/// finding is at or above `fail-on`.
public struct AnalyzeStep: BuiltinStepType {
    public typealias Input = AnalyzeInput

    public static let name = "analyze"
    public static let summary = "Checks a Dockerfile and its Python requirements (torch / CUDA / Python, pins, Dockerfile faults) before a build; SARIF and JSON reports"
    public static let outputs = StepTypeSignature.Outputs.fixed([
        StepOutput("findings", "how many findings"),
        StepOutput("errors", "how many errors"),
        StepOutput("warnings", "how many warnings"),
        StepOutput("base-image", "the recommended base image for the resolved torch, CUDA and Python"),
        StepOutput("torch", "the torch version as resolved"),
        StepOutput("cuda", "the CUDA version as resolved"),
        StepOutput("python", "the Python version as resolved"),
        StepOutput("sarif", "the path of the SARIF artifact"),
    ])
    public static let example = """
        analyze:
          uses: analyze
          with:
            dockerfile: examples/fsdp/Dockerfile
            fail-on: error
            rules: { DL3008: off }
        """

    public init() {}

    public func run(_ input: AnalyzeInput, context: StepContext) async throws -> StepOutcome {
        let files = AnalysisFiles(root: context.workingDirectory)
        let request = AnalysisRequest(input)
        let report: AnalysisReport
        switch Analyzer.analyze(request, files: files) {
        case .success(let r): report = r
        case .failure(let problem): throw StepError("\(problem)", kind: .terminal)
        }
        context.log.write(Array(report.lines().utf8))
        context.log.note("analyze: \(report.summary)")
        if let recommendation = report.recommendation {
            context.log.note("recommended base image: \(recommendation.image) (\(recommendation.reason))")
        }
        let sarif = report.sarif(toolVersion: FlowVersion.current)
        let kept = try context.artifacts.keep("analyze.sarif", kind: "sarif", bytes: Array(sarif.utf8))
        try context.artifacts.keep("analyze.json", kind: "json", bytes: Array(report.json().utf8))
        for (path, text) in [(input.sarif, sarif), (input.json, report.json())] {
            guard let path else { continue }
            do {
                try ReportFile.write(context.mask(text), to: files.absolute(path.path))
            } catch {
                throw StepError("\(error)", kind: .terminal)
            }
        }
        if report.fails(at: input.failOn) {
            let counted = Finding.Severity.allCases.reversed().filter { input.failOn.fails($0) && report.count($0) > 0 }
                .map { "\(report.count($0)) \($0.rawValue)\(report.count($0) == 1 ? "" : "s")" }
            throw StepError("analyze found \(counted.joined(separator: ", ")) (fail-on: \(input.failOn.rawValue))", kind: .terminal)
        }
        return StepOutcome(outputs: [
            "findings": String(report.findings.count),
            "errors": String(report.count(.error)),
            "warnings": String(report.count(.warning)),
            "base-image": report.recommendation?.image ?? "",
            "torch": report.torch ?? "",
            "cuda": report.cuda ?? "",
            "python": report.python ?? "",
            "sarif": kept.path,
        ])
    }
}

extension AnalysisRequest {
    init(_ input: AnalyzeInput) {
        self.init(dockerfile: input.dockerfile.path, requirements: input.requirements?.paths.map(\.path), context: input.context?.path,
                  buildArgs: input.buildArgs ?? [:], target: input.target, python: input.python, cuda: input.cuda,
                  torch: input.torch, rules: input.rules ?? RuleLevels())
    }
}
