/// The Dockerfile rules: hadolint's `DL` checks that matter for image builds, and flow's own
/// (`apt-no-update`, `debian-frontend`, `copy-missing`, `copy-before-install`,
/// `dockerfile-syntax`), with machine-applicable fixes where a fix is safe.
public enum DockerfileRules {
    /// Every finding for `dockerfile`: its parse problems first, then the rules', in file order.
    /// `context` enables `copy-missing`; without it that rule is skipped.
    public static func check(_ dockerfile: Dockerfile, context: BuildContextFiles?) -> [Finding] {
        var run = DockerfileRuleRun(dockerfile: dockerfile)
        run.checkStages()
        run.checkInstructions()
        run.checkCommands()
        run.checkApt()
        run.checkPackageManagers()
        if let context { run.checkCopySources(context.index()) }
        run.checkCopyBeforeInstall()
        let ordered = run.findings.enumerated().sorted { left, right in
            (left.element.span.offset, left.offset) < (right.element.span.offset, right.offset)
        }.map(\.element)
        return dockerfile.findings + ordered
    }
}

/// One pass of the rules over a Dockerfile, collecting findings.
struct DockerfileRuleRun {
    let dockerfile: Dockerfile
    var findings: [Finding] = []
    /// The exec-form SHELL instructions of each stage, in order.
    let shellsByStage: [Int: [Instruction]]
    /// For each stage, DEBIAN_FRONTEND's value after each instruction that sets it, in order.
    let frontendTimeline: [Int: [(instruction: Int, value: String?)]]

    init(dockerfile: Dockerfile) {
        self.dockerfile = dockerfile
        var shells: [Int: [Instruction]] = [:]
        for instruction in dockerfile.instructions where instruction.kind == .shell && instruction.isExecForm {
            if let stage = instruction.stage { shells[stage, default: []].append(instruction) }
        }
        self.shellsByStage = shells
        var timeline: [Int: [(instruction: Int, value: String?)]] = [:]
        for stage in dockerfile.stages {
            var scope = VariableScope(env: stage.inheritedEnvironment.filter { $0.key == "DEBIAN_FRONTEND" }, args: [:])
            for definition in stage.definitions where definition.name == "DEBIAN_FRONTEND" {
                scope.apply(definition)
                timeline[stage.index, default: []].append((definition.instruction, scope.lookup("DEBIAN_FRONTEND")))
            }
        }
        self.frontendTimeline = timeline
    }

    /// DEBIAN_FRONTEND's value (ENV over ARG) for the instruction at `instruction` in `stage`.
    func frontend(in stage: Int, before instruction: Int) -> String? {
        let inherited = dockerfile.stages.indices.contains(stage) ? dockerfile.stages[stage].inheritedEnvironment["DEBIAN_FRONTEND"] : nil
        guard let entries = frontendTimeline[stage] else { return inherited }
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].instruction < instruction { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? inherited : entries[low - 1].value
    }

    var file: String { dockerfile.file }

    mutating func report(_ rule: String, _ span: SourceSpan, _ message: String, fix: Fix? = nil) {
        let severity = DockerfileRules.severity(of: rule)
        findings.append(Finding(rule: rule, severity: severity, span: span, message: Self.bounded(message), fix: fix))
    }

    /// Messages quote the Dockerfile; a hostile one must not make them megabytes long.
    static func bounded(_ message: String) -> String {
        message.utf8.count <= 600 ? message : String(message.prefix(600)) + "…"
    }

    /// An insertion of `text` at byte `offset`.
    func insert(_ text: String, at offset: Int) -> TextEdit {
        TextEdit(file: file, offset: offset, length: 0, replacement: text)
    }

    /// A replacement of the bytes a span covers.
    func replace(_ span: SourceSpan, with text: String) -> TextEdit {
        TextEdit(file: file, offset: span.offset, length: span.length, replacement: text)
    }

    /// The span from the start of `first` to the end of `last`.
    func span(from first: SourceSpan, to last: SourceSpan) -> SourceSpan {
        dockerfile.source.span(from: first.offset, to: max(first.offset, last.offset + last.length))
    }

    /// A RUN-like instruction whose shell text the command rules read.
    struct ShellInstruction {
        var instruction: Instruction
        var shell: ShellCommandLine
        /// Whether it is an ONBUILD trigger (it runs in a later build).
        var isTrigger: Bool
    }

    /// Every shell-form RUN, with ONBUILD RUN triggers when asked.
    func shellRuns(includingTriggers: Bool) -> [ShellInstruction] {
        var result: [ShellInstruction] = []
        for instruction in dockerfile.instructions {
            if instruction.kind == .run, let shell = instruction.shell {
                result.append(ShellInstruction(instruction: instruction, shell: shell, isTrigger: false))
            } else if includingTriggers, instruction.kind == .onbuild, let trigger = instruction.trigger,
                      trigger.kind == .run, let shell = trigger.shell {
                result.append(ShellInstruction(instruction: trigger, shell: shell, isTrigger: true))
            }
        }
        return result
    }

    /// Stages whose layers end up in the built image: the target and the stages it is built FROM.
    var shippedStages: Set<Int> {
        guard let target = dockerfile.targetStage else { return [] }
        return Set(dockerfile.stageChain(from: target.index))
    }
}
