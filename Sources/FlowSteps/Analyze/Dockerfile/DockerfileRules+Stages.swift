/// The parts of an image reference `[registry[:port]/]name[:tag][@digest]`.
struct DockerImageReference {
    var name: String
    var tag: String?
    var digest: String?

    init(_ text: String) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        let searchStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[searchStart...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        name = String(rest)
    }
}

/// FROM, stage and per-stage rules: DL3002, DL3006, DL3007, DL3022, DL3023, DL3024, DL3029,
/// DL3061, DL4003, DL4004.
extension DockerfileRuleRun {
    mutating func checkStages() {
        for instruction in dockerfile.instructions where instruction.stage == nil && instruction.kind != .arg && instruction.kind != .unknown {
            report("DL3061", instruction.keywordSpan,
                   "\(instruction.keyword.uppercased()) comes before the first FROM; only ARG may.")
        }
        var seenNames: [String: Int] = [:]
        for stage in dockerfile.stages {
            checkBaseImage(stage)
            if let name = stage.name, let span = stage.nameSpan {
                let key = name.lowercased()
                if let earlier = seenNames[key] {
                    report("DL3024", span, "The stage name `\(name)` is already used by stage \(earlier); stage names must be unique.")
                } else {
                    seenNames[key] = stage.index
                }
            }
            if let platform = stage.platform, !Self.isPlainVariable(platform.rawValue ?? "") {
                report("DL3029", platform.span,
                       "FROM --platform=\(platform.rawValue ?? "") pins the platform; use $BUILDPLATFORM/$TARGETPLATFORM or leave it to the build.")
            }
            checkRepeated(.cmd, rule: "DL4003", in: stage)
            checkRepeated(.entrypoint, rule: "DL4004", in: stage)
            checkCopyFrom(in: stage)
        }
        checkLastUser()
    }

    /// `$NAME` or `${NAME}` and nothing else.
    static func isPlainVariable(_ text: String) -> Bool {
        var body = Substring(text)
        guard body.hasPrefix("$") else { return false }
        body = body.dropFirst()
        if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
        guard let first = body.first, first == "_" || first.isLetter else { return false }
        return body.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    private mutating func checkBaseImage(_ stage: Stage) {
        guard let word = stage.baseImageWord, stage.baseStage == nil, word.unsetVariables.isEmpty else { return }
        let image = stage.baseImage
        guard !image.isEmpty, image.lowercased() != "scratch" else { return }
        let reference = DockerImageReference(image)
        if reference.tag == nil, reference.digest == nil {
            report("DL3006", word.span, "FROM \(image) has no tag; pin one (\(image):<version>) so rebuilds get the same base.")
        } else if reference.tag == "latest", reference.digest == nil {
            report("DL3007", word.span, "FROM \(image) uses `latest`, which moves; pin a version tag.")
        }
    }

    private mutating func checkRepeated(_ kind: Instruction.Kind, rule: String, in stage: Stage) {
        let repeated = dockerfile.instructions(in: stage.index).filter { $0.kind == kind }
        for instruction in repeated.dropFirst() {
            report(rule, instruction.keywordSpan,
                   "Stage \(stage.name ?? String(stage.index)) has \(repeated.count) \(kind.rawValue.uppercased()) instructions; only the last one takes effect.")
        }
    }

    private mutating func checkCopyFrom(in stage: Stage) {
        for instruction in dockerfile.instructions(in: stage.index) where instruction.kind == .copy {
            guard let flag = instruction.flag("from"), let value = flag.value, !value.isEmpty else { continue }
            let span = flag.valueSpan ?? flag.span
            if let number = Int(value) {
                if number == stage.index {
                    report("DL3023", span, "COPY --from=\(value) copies from the stage it is in.")
                } else if number > stage.index || number < 0 {
                    report("DL3022", span, "COPY --from=\(value) names a stage that is not defined before this one.")
                }
                continue
            }
            if let named = dockerfile.stage(named: value) {
                if named.index == stage.index {
                    report("DL3023", span, "COPY --from=\(value) copies from the stage it is in.")
                } else if named.index > stage.index {
                    report("DL3022", span, "COPY --from=\(value) names stage `\(value)`, which is defined after this one.")
                }
                continue
            }
            let looksLikeImage = value.contains("/") || value.contains(":") || value.contains("@")
            if !looksLikeImage, !(flag.rawValue ?? "").contains("$") {
                report("DL3022", span,
                       "COPY --from=\(value) names no stage defined before it; Docker would pull an image called `\(value)`.")
            }
        }
    }

    /// DL3002: the USER the built image ends with, following the target stage's FROM chain.
    private mutating func checkLastUser() {
        guard let target = dockerfile.targetStage else { return }
        for stageIndex in dockerfile.stageChain(from: target.index) {
            guard let user = dockerfile.instructions(in: stageIndex).last(where: { $0.kind == .user }),
                  let word = user.words.first else { continue }
            let name = word.text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? word.text
            if name == "root" || name == "0" {
                report("DL3002", word.span, "The image runs as root: its last USER is `\(word.text)`; switch to an unprivileged user.")
            }
            return
        }
    }
}
