/// Rules about the build context: `copy-missing` and `copy-before-install`.
extension DockerfileRuleRun {
    /// `copy-missing`: each local COPY/ADD source must find something the builder receives.
    mutating func checkCopySources(_ context: BuildContextFiles.Index) {
        for instruction in dockerfile.instructions where instruction.kind == .copy || instruction.kind == .add {
            if instruction.kind == .copy, instruction.flag("from") != nil { continue }
            for source in Self.sources(of: instruction) {
                let text = source.text
                guard source.unsetVariables.isEmpty, !text.isEmpty, !text.contains("$") else { continue }
                if instruction.kind == .add, Self.isRemote(text) { continue }
                switch context.match(text) {
                case .found:
                    break
                case .missing:
                    report("copy-missing", source.span, "`\(text)` is not in the build context, so \(instruction.kind.rawValue.uppercased()) fails.")
                case .ignored(let pattern):
                    report("copy-missing", source.span,
                           "`\(text)` is left out of the build context by .dockerignore line \(pattern.line) (`\(pattern.isException ? "!" : "")\(pattern.text)`), so \(instruction.kind.rawValue.uppercased()) fails.")
                }
            }
        }
    }

    /// `copy-before-install`: copying the whole context before `pip install -r` makes every source
    /// change invalidate the install layer.
    mutating func checkCopyBeforeInstall() {
        for stage in dockerfile.stages {
            var wholeContext: ShellWord?
            for instruction in dockerfile.instructions(in: stage.index) {
                if instruction.kind == .copy || instruction.kind == .add, instruction.flag("from") == nil, wholeContext == nil {
                    wholeContext = Self.sources(of: instruction).first { DockerIgnore.clean($0.text).isEmpty && !$0.text.isEmpty }
                    continue
                }
                guard let copy = wholeContext, instruction.kind == .run, let shell = instruction.shell else { continue }
                guard let install = shell.commands.lazy.compactMap(\.pipInstall).first(where: { !$0.requirementFiles.isEmpty }) else { continue }
                report("copy-before-install", copy.span,
                       "The whole context is copied before `pip install -r` (line \(install.installWord.span.line)): any source change re-installs every package. Copy the requirements file first, install, then copy the rest.")
                break
            }
        }
    }
}
