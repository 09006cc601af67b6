import FlowEngine

/// The Dockerfile `build` hands the engine, when it differs from the user's: images named by
/// `FROM` and by `COPY --from=<image>` put through the run's image map, and `ARG` lines added
/// after every `FROM` for build arguments flow passes to `RUN` steps (the CA bundle's
/// variables). Edits are made at the byte spans the `analyze` parser found, so everything else
/// stays byte for byte as the user wrote it.
public struct BuildDockerfile: Sendable, Hashable {
    /// One image name replaced: where, what, and by what.
    public struct Replacement: Sendable, Hashable {
        public var line: Int
        public var original: String
        public var replacement: String
    }

    /// The text to build from.
    public var text: String
    public var replacements: [Replacement]
    /// Whether `text` differs from the user's file.
    public var changed: Bool

    /// Applies `map` (an image name → the image to use; the same name when unchanged) to the
    /// external images of `dockerfile`, and adds `ARG name` after every `FROM` for `addArguments`.
    /// Throws a terminal error when a replacement is not an image reference.
    public static func rewrite(_ dockerfile: Dockerfile, addArguments: [String],
                               map: (String) -> String) throws -> BuildDockerfile {
        var edits: [(offset: Int, length: Int, text: String)] = []
        var replacements: [Replacement] = []
        func replace(_ name: String, at span: SourceSpan) throws {
            let mapped = map(name)
            guard mapped != name else { return }
            guard isImageReference(mapped) else {
                throw StepError("the image map points `\(name)` at `\(mapped)`, which is not an image reference", kind: .terminal)
            }
            edits.append((span.offset, span.length, mapped))
            replacements.append(Replacement(line: span.line, original: name, replacement: mapped))
        }
        for stage in dockerfile.stages {
            guard stage.baseStage == nil, let word = stage.baseImageWord, !stage.baseImage.isEmpty,
                  stage.baseImage.lowercased() != "scratch" else { continue }
            try replace(stage.baseImage, at: word.span)
        }
        for instruction in dockerfile.instructions where instruction.kind == .copy {
            guard let from = instruction.flag("from"), let value = from.value, let span = from.valueSpan,
                  !value.isEmpty, !namesStage(value, in: dockerfile) else { continue }
            try replace(value, at: span)
        }
        if !addArguments.isEmpty {
            let lines = addArguments.map { "\nARG " + $0 }.joined()
            for stage in dockerfile.stages where dockerfile.instructions.indices.contains(stage.fromIndex) {
                let from = dockerfile.instructions[stage.fromIndex].span
                // A FROM's span ends with its line, heredocs being impossible on FROM.
                edits.append((from.offset + from.length, 0, lines))
            }
        }
        guard !edits.isEmpty else {
            return BuildDockerfile(text: String(decoding: dockerfile.source.bytes, as: UTF8.self), replacements: [], changed: false)
        }
        var bytes = dockerfile.source.bytes
        for edit in edits.sorted(by: { $0.offset > $1.offset }) {
            bytes.replaceSubrange(edit.offset..<(edit.offset + edit.length), with: Array(edit.text.utf8))
        }
        return BuildDockerfile(text: String(decoding: bytes, as: UTF8.self),
                               replacements: replacements.sorted { $0.line < $1.line }, changed: true)
    }

    /// Whether `COPY --from=` names a stage (by name or index) rather than an image.
    static func namesStage(_ value: String, in dockerfile: Dockerfile) -> Bool {
        if let index = Int(value) { return dockerfile.stages.indices.contains(index) }
        return dockerfile.stage(named: value) != nil
    }

    /// A reference an engine takes: `[registry/]path[:tag][@digest]`, no spaces or quotes.
    static func isImageReference(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 512 && text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || "._-/:@".unicodeScalars.contains(scalar)
        }
    }
}
