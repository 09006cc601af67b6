import Foundation
import FlowCore
import FlowEngine

/// `autofix-retry`: wraps another step (usually `build`); when a round fails with a failure the
/// shipped catalogue knows, edits a copy of the Dockerfile and requirements, records the edit as
/// a patch, and runs the wrapped step again on the copy (see `docs/autofix-retry.md`). Each
/// round is one attempt of the step; the rounds' state lives in the step's folder, so a resumed
/// run continues from the last round with the fixes so far.
public struct AutofixRetryStep: BuiltinStepType {
    public typealias Input = AutofixRetryInput

    public static let name = "autofix-retry"
    public static let summary = "Runs a step (e.g. `build`); on a known failure (CUDA index, torch/vision conflict, PEP 668, apt lists, missing library, network) fixes a copy of the Dockerfile and requirements and runs it again"
    public static let outputs = StepTypeSignature.Outputs.openEnded([
        StepOutput("fixes", "the ids of the fixes applied, comma-separated (empty when none was needed)"),
        StepOutput("patch", "the path of the cumulative patch artifact (empty when nothing was edited)"),
        StepOutput("rounds", "how many rounds ran"),
    ], because: "the wrapped step's outputs are passed through")
    public static let example = """
        image:
          uses: autofix-retry
          with:
            attempts: 3
            step: { uses: build, with: { context: ., image: "fsdp:dev" } }
        """

    /// Environment variables the wrapped step's processes get: where the copy is.
    public static let contextVariable = "FLOW_AUTOFIX_CONTEXT"
    public static let dockerfileVariable = "FLOW_AUTOFIX_DOCKERFILE"
    public static let roundVariable = "FLOW_AUTOFIX_ROUND"

    public init() {}

    public func run(_ input: AutofixRetryInput, context: StepContext) async throws -> StepOutcome {
        guard (1...20).contains(input.attempts) else {
            throw StepError("autofix-retry: `attempts` is \(input.attempts); give a number of rounds from 1 to 20", kind: .terminal)
        }
        let (catalogue, loadError) = SignatureCatalogue.shipped
        if let loadError { throw StepError("autofix-retry: its signature catalogue is broken: \(loadError)", kind: .terminal) }
        let signature = try Self.checkWrapped(input.step, context: context)
        let with = input.step.with?.values ?? [:]
        let contextPath = input.context?.path ?? with["context"]?.stringValue ?? "."
        let dockerfilePath = input.dockerfile?.path ?? with["dockerfile"]?.stringValue ?? contextPath + "/Dockerfile"
        let workspace = AutofixWorkspace(stepDirectory: context.stepDirectory, workingDirectory: context.workingDirectory)
        let allowed = Set(input.fixes ?? AutofixFixID.allCases)

        var state = try prepare(input, with: with, contextPath: contextPath, dockerfilePath: dockerfilePath,
                                workspace: workspace, catalogue: catalogue, allowed: allowed, context: context)
        let round = state.rounds + 1
        guard round <= input.attempts else {
            throw StepError("autofix: all \(input.attempts) rounds are used (the last failed with \(state.lastSignature ?? "an unknown failure"))", kind: .terminal)
        }
        context.log.note("autofix: round \(round) of \(input.attempts): `\(input.step.uses)` on the copy"
                         + (state.fixes.isEmpty ? "" : " with \(state.fixes.count) fix\(state.fixes.count == 1 ? "" : "es")"))

        var inner = context
        let copiedContext = workspace.contextCopy
        inner.environment[Self.contextVariable] = copiedContext
        inner.environment[Self.dockerfileVariable] = workspace.absolute(state.copiedDockerfile)
        inner.environment[Self.roundVariable] = String(round)
        var inputs = with
        if signature.input("context") != nil { inputs["context"] = .string(copiedContext) }
        if signature.input("dockerfile") != nil { inputs["dockerfile"] = .string(workspace.absolute(state.copiedDockerfile)) }

        do {
            let outcome = try await inner.runStep(input.step.uses, inputs: .object(inputs))
            return try finish(outcome, round: round, state: state, input: input, workspace: workspace, context: context)
        } catch let error as StepError where error.kind != .terminal && !error.timedOut {
            try answer(error, round: round, state: &state, input: input, allowed: allowed, workspace: workspace,
                       catalogue: catalogue, context: context)
        }
    }

    // MARK: Before round 1

    /// The state of the rounds so far, or a fresh copy (with analyze's fixes) when there is none
    /// for these inputs.
    private func prepare(_ input: AutofixRetryInput, with: [String: ExpressionValue], contextPath: String, dockerfilePath: String,
                         workspace: AutofixWorkspace, catalogue: SignatureCatalogue, allowed: Set<AutofixFixID>,
                         context: StepContext) throws -> AutofixState {
        let fingerprint = SHA256.hex(Array(ExpressionValue.object([
            "uses": .string(input.step.uses), "with": .object(with), "context": .string(contextPath),
            "dockerfile": .string(dockerfilePath), "analyze": .bool(input.analyze),
            "fixes": .array(allowed.map(\.rawValue).sorted().map { .string($0) }),
        ]).toJSON(pretty: false).utf8))
        if let state = AutofixState.load(workspace.statePath), state.fingerprint == fingerprint {
            if state.rounds > 0 || !state.fixes.isEmpty {
                context.log.note("autofix: continuing after round \(state.rounds) with \(state.fixes.count) fix\(state.fixes.count == 1 ? "" : "es") so far: \(state.appliedIDs.joined(separator: ", "))")
            }
            return state
        }
        let copiedDockerfile = try workspace.makeCopy(context: contextPath, dockerfile: dockerfilePath, limit: input.contextLimit.bytes)
        var state = AutofixState(context: contextPath, dockerfile: dockerfilePath, copiedDockerfile: copiedDockerfile, fingerprint: fingerprint)
        context.log.note("autofix: copied the build context `\(contextPath)` to \(workspace.contextCopy)")
        if input.analyze {
            try applyAnalyze(&state, workspace: workspace, catalogue: catalogue, allowed: allowed, context: context)
        }
        try state.save(workspace.statePath)
        return state
    }

    /// Applies the fixes of analyze's findings that cause build failures (round 0).
    private func applyAnalyze(_ state: inout AutofixState, workspace: AutofixWorkspace, catalogue: SignatureCatalogue,
                              allowed: Set<AutofixFixID>, context: StepContext) throws {
        let fixer = AutofixFixer(workspace: workspace, state: state, catalogue: catalogue)
        let findings = fixer.analyzeFindings().filter { finding in
            guard let id = AutofixFixer.analyzeRules[finding.rule], finding.fix != nil else { return false }
            return allowed.contains(id)
        }
        guard !findings.isEmpty else { return }
        let edits = findings.flatMap { $0.fix?.edits ?? [] }
        let before = try Dictionary(uniqueKeysWithValues: Set(edits.map(\.file)).map { ($0, try workspace.read($0)) })
        let patch = try workspace.apply(edits, state: &state)
        guard !patch.isEmpty else { return }
        for finding in findings {
            guard let id = AutofixFixer.analyzeRules[finding.rule], let fix = finding.fix, let first = fix.edits.first else { continue }
            let line = Self.line(of: first.offset, in: before[first.file] ?? [])
            let file = workspace.patchName(workspace.userFile(for: first.file, state: state))
            state.fixes.append(.init(round: 0, signature: "analyze:" + finding.rule, fix: id.rawValue, file: file, line: line,
                                     description: fix.description))
            context.log.note("autofix: analyze: \(finding.rule) → \(id.rawValue): \(fix.description) (\(file):\(line))")
        }
        try context.artifacts.keep("autofix-analyze.patch", kind: "patch", bytes: Array(patch.utf8))
    }

    // MARK: After a round

    private func finish(_ outcome: StepOutcome, round: Int, state: AutofixState, input: AutofixRetryInput,
                        workspace: AutofixWorkspace, context: StepContext) throws -> StepOutcome {
        var outputs = outcome.outputs
        outputs["fixes"] = state.appliedIDs.joined(separator: ",")
        outputs["rounds"] = String(round)
        outputs["patch"] = ""
        if !state.originals.isEmpty {
            let patch = try workspace.cumulativePatch(state)
            outputs["patch"] = try context.artifacts.keep("autofix.patch", kind: "patch", bytes: Array(patch.utf8)).path
            if input.writeBack {
                let (written, skipped) = workspace.writeBack(state)
                if !written.isEmpty { context.log.note("autofix: write-back: applied the fixes to \(written.joined(separator: ", "))") }
                for file in skipped { context.log.note("autofix: write-back: skipped \(file)") }
            } else {
                context.log.note("autofix: the fixes are in the patch \(outputs["patch"]!); your files are unchanged (write-back: false)")
            }
        }
        context.log.note("autofix: round \(round) succeeded" + (state.fixes.isEmpty ? "" : " with the fixes \(outputs["fixes"]!)"))
        // The copy of the context is no longer needed; the state and originals stay with the run.
        try? FileManager.default.removeItem(atPath: workspace.contextCopy)
        return StepOutcome(outputs: outputs, exitCode: outcome.exitCode)
    }

    /// Classifies a failed round and ends the attempt: `.again` after a fix or for a plain
    /// retry, terminal for a fatal signature, a repeated one or the last round, and the wrapped
    /// step's own error for a failure autofix does not know.
    private func answer(_ error: StepError, round: Int, state: inout AutofixState, input: AutofixRetryInput, allowed: Set<AutofixFixID>,
                        workspace: AutofixWorkspace, catalogue: SignatureCatalogue, context: StepContext) throws -> Never {
        let log = FailureLog.read(path: context.logPath, tail: context.log.tail(lines: FailureLog.tailLines), catalogue: catalogue)
        guard let found = catalogue.classify(log.lines) else {
            context.log.note("autofix: round \(round): no known failure signature in the log; stopping with the step's error")
            throw error
        }
        let signature = found.signature
        let evidence = found.line.trimmingCharacters(in: .whitespaces).prefix(300)
        if signature.class == .fatal {
            throw StepError("autofix: round \(round): \(signature.id): \(signature.description) (log: \(evidence))", kind: .terminal, exitCode: error.exitCode)
        }
        if state.lastSignature == signature.id {
            let fix = state.fixes.last { $0.signature == signature.id }?.fix ?? "retrying"
            throw StepError("autofix: round \(round): the fix for \(signature.id) (\(fix)) did not help: the round failed the same way again (log: \(evidence))",
                            kind: .terminal, exitCode: error.exitCode)
        }
        guard round < input.attempts else {
            throw StepError("autofix: round \(round) of \(input.attempts) failed with \(signature.id) and no rounds are left: \(error.message)",
                            kind: .terminal, exitCode: error.exitCode)
        }
        switch signature.class {
        case .fatal:
            throw error
        case .retry:
            context.log.note("autofix: round \(round): \(signature.id) → run again without an edit")
            state.rounds = round
            state.lastSignature = signature.id
            try state.save(workspace.statePath)
            throw StepError("autofix: round \(round): \(signature.id); running again", kind: .again, exitCode: error.exitCode)
        case .fix:
            guard let fix = signature.fix, allowed.contains(fix) else {
                context.log.note("autofix: round \(round): \(signature.id) → its fix `\(signature.fix?.rawValue ?? "-")` is not in `fixes`; stopping with the step's error")
                throw error
            }
            let fixer = AutofixFixer(workspace: workspace, state: state, catalogue: catalogue)
            let planned: AutofixFixer.Planned
            switch fixer.plan(fix, for: found, log: log) {
            case .success(let p): planned = p
            case .failure(let why):
                context.log.note("autofix: round \(round): \(signature.id) → \(fix.rawValue) cannot be applied: \(why); stopping with the step's error")
                throw error
            }
            guard let first = planned.edits.first else { throw error }
            let before = try workspace.read(first.file)
            let patch = try workspace.apply(planned.edits, state: &state)
            guard !patch.isEmpty else {
                context.log.note("autofix: round \(round): \(signature.id) → \(fix.rawValue) changes nothing; stopping with the step's error")
                throw error
            }
            let line = Self.line(of: first.offset, in: before)
            let file = workspace.patchName(workspace.userFile(for: first.file, state: state))
            try context.artifacts.keep("autofix-round-\(round).patch", kind: "patch", bytes: Array(patch.utf8))
            context.log.note("autofix: round \(round): \(signature.id) → \(fix.rawValue) (\(file):\(line)): \(planned.description)")
            state.fixes.append(.init(round: round, signature: signature.id, fix: fix.rawValue, file: file, line: line, description: planned.description))
            state.rounds = round
            state.lastSignature = signature.id
            try state.save(workspace.statePath)
            throw StepError("autofix: round \(round): \(signature.id) fixed by \(fix.rawValue); running again", kind: .again, exitCode: error.exitCode)
        }
    }

    // MARK: Helpers

    /// The wrapped step's signature, after checking its type and its `with:` keys.
    static func checkWrapped(_ step: WrappedStep, context: StepContext) throws -> StepTypeSignature {
        guard step.uses != name else {
            throw StepError("autofix-retry: `step.uses` cannot be autofix-retry itself; wrap the step it should fix", kind: .terminal)
        }
        guard let signature = context.signature(of: step.uses) else {
            throw StepError("autofix-retry: `step.uses` names `\(step.uses)`, which is not a step type flow knows (see `flow steps`)", kind: .terminal)
        }
        let names = Set(signature.inputs.map(\.name))
        let unknown = (step.with?.values.keys.map { $0 } ?? []).filter { !names.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw StepError("autofix-retry: `step.with` has " + unknown.map { "`\($0)`" }.joined(separator: ", ")
                            + ", which `\(step.uses)` does not take; its inputs are " + signature.inputs.map { "`\($0.name)`" }.joined(separator: ", "),
                            kind: .terminal)
        }
        return signature
    }

    /// The 1-based line of a byte offset.
    static func line(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes.prefix(max(0, min(offset, bytes.count))).reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
