import Foundation
import FlowEngine

/// A push's tags: its `tags:` entries turned into tag names from the run's facts, in order,
/// without repeats, each checked against the tag grammar.
public enum PushTagging {
    /// The entries when `tags:` is not given: the image's own tag, else `latest`.
    public static func defaultEntries(image: String) -> [PushTags.Entry] {
        [.literal(ImageReference(image)?.tag ?? "latest")]
    }

    public static func tags(_ entries: [PushTags.Entry], facts: TagFacts) throws(TagProblem) -> [String] {
        var tags: [String] = []
        for entry in entries {
            switch entry {
            case .literal(let tag):
                guard TagName.isValid(tag) else {
                    throw TagProblem("input `tags`: `\(tag)` is not a valid tag (letters, digits, `_`, `.`, `-`; at most 128; not starting with `.` or `-`; no `+` or `:`)")
                }
                tags.append(tag)
            case .strategy(let strategy):
                tags += try strategy.tags(facts)
            }
        }
        var seen = Set<String>()
        tags = tags.filter { seen.insert($0).inserted }
        guard !tags.isEmpty else { throw TagProblem("input `tags`: no tags to push") }
        return tags
    }

    /// Whether any entry reads git beyond the commit (the tag at HEAD, the branch).
    static func needsGit(_ entries: [PushTags.Entry], version: String?) -> (tag: Bool, branch: Bool) {
        var tag = false, branch = false
        for case .strategy(let strategy) in entries {
            switch strategy {
            case .auto: tag = true; branch = true
            case .semver, .semantic: if version == nil { tag = true }
            default: break
            }
        }
        return (tag, branch)
    }

    /// The run's facts: the clock, the run id, the commit, and (when asked) the git tag at HEAD
    /// and the branch, read with `git` in the step's working directory.
    static func facts(_ entries: [PushTags.Entry], version: String?, context: StepContext) async -> TagFacts {
        let needs = needsGit(entries, version: version)
        let wantsSHA = entries.contains { if case .strategy(let s) = $0 { [.gitSHA, .auto].contains(s) } else { false } }
        var facts = TagFacts(now: context.clock.now(), runID: context.runID, gitSHA: context.gitSHA, version: version)
        func git(_ arguments: [String]) async -> [String] {
            guard let answer = await context.ask(["git", "-C", context.workingDirectory] + arguments, timeout: .seconds(10)) else { return [] }
            return answer.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if facts.gitSHA == nil, wantsSHA { facts.gitSHA = await git(["rev-parse", "HEAD"]).last }
        if needs.tag { facts.gitTag = bestTag(await git(["tag", "--points-at", "HEAD"])) }
        if needs.branch { facts.branch = await git(["branch", "--show-current"]).last }
        return facts
    }

    /// Of several tags at HEAD, the highest semantic version, else the first by name.
    static func bestTag(_ tags: [String]) -> String? {
        let versions = tags.compactMap { tag in SemanticVersion(tag).map { (tag, $0) } }
        if let best = versions.max(by: { ($0.1.major, $0.1.minor, $0.1.patch, $0.1.isRelease ? 1 : 0) < ($1.1.major, $1.1.minor, $1.1.patch, $1.1.isRelease ? 1 : 0) }) {
            return best.0
        }
        return tags.sorted().first
    }
}
