import Foundation

/// A way of naming the tags an image is pushed under, computed from the run's facts (clock,
/// commit, git tag, branch, run id, version). Pure: ``TagFacts`` is all it reads.
public enum TagStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// `<sha7>` and `sha-<sha7>` (what the Python pusher gave).
    case gitSHA = "git-sha"
    /// The version (the `version` input, else the git tag at HEAD) with `+` build metadata rewritten.
    case semver
    /// `latest`.
    case latest
    /// The run's start in UTC, `20261207T004120Z` (no `:`, which tags refuse).
    case timestamp
    /// The run id (`20261207-0041-7f3a`).
    case runID = "run-id"
    /// timestamp, the exact git tag at HEAD, `latest` when that tag is a release version, the
    /// short sha, and the branch unless it is main or master.
    case auto
    /// `X.Y.Z`, `X.Y`, `X` and `latest` of a release version; a pre-release gets only its own tag.
    case semantic

    /// The tags this strategy gives, in order; a missing fact is a ``TagProblem`` naming what
    /// would provide it.
    public func tags(_ facts: TagFacts) throws(TagProblem) -> [String] {
        switch self {
        case .latest:
            return ["latest"]
        case .timestamp:
            return [TagFacts.timestamp(facts.now)]
        case .runID:
            return [try TagName.sanitised(facts.runID, from: "the run id")]
        case .gitSHA:
            let short = try facts.shortSHA(for: self)
            return [short, "sha-" + short]
        case .semver:
            let version = try facts.semanticVersion(for: self)
            return [version.tag]
        case .semantic:
            let version = try facts.semanticVersion(for: self)
            guard version.isRelease else { return [version.tag] }
            return ["\(version.major).\(version.minor).\(version.patch)", "\(version.major).\(version.minor)",
                    "\(version.major)", "latest"]
        case .auto:
            var tags = [TagFacts.timestamp(facts.now)]
            if let gitTag = facts.gitTag, let tag = try? TagName.sanitised(gitTag, from: "the git tag") {
                tags.append(tag)
                if let version = SemanticVersion(gitTag), version.isRelease { tags.append("latest") }
            }
            if let short = try? facts.shortSHA(for: self) { tags.append(short) }
            if let branch = facts.branch, !["main", "master", "HEAD", ""].contains(branch),
               let tag = try? TagName.sanitised(branch, from: "the branch") {
                tags.append(tag)
            }
            return tags
        }
    }
}

/// What tag strategies read: the run's clock reading and git facts, gathered by the step.
public struct TagFacts: Sendable, Hashable {
    public var now: Date
    public var runID: String
    public var gitSHA: String?
    /// The tag that points at HEAD (exactly), if any.
    public var gitTag: String?
    /// The branch checked out (nil when detached or unknown).
    public var branch: String?
    /// The `version` input.
    public var version: String?

    public init(now: Date, runID: String, gitSHA: String? = nil, gitTag: String? = nil, branch: String? = nil, version: String? = nil) {
        self.now = now
        self.runID = runID
        self.gitSHA = gitSHA
        self.gitTag = gitTag
        self.branch = branch
        self.version = version
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    func shortSHA(for strategy: TagStrategy) throws(TagProblem) -> String {
        guard let sha = gitSHA, sha.count >= 7, sha.allSatisfy(\.isHexDigit) else {
            throw TagProblem("tag strategy `\(strategy.rawValue)` needs the commit, and this run has none: run flow inside a git checkout")
        }
        return String(sha.prefix(7)).lowercased()
    }

    func semanticVersion(for strategy: TagStrategy) throws(TagProblem) -> SemanticVersion {
        if let version, !version.isEmpty {
            guard let parsed = SemanticVersion(version) else {
                throw TagProblem("input `version`: `\(version)` is not a semantic version (X.Y.Z, optionally -pre and +build)")
            }
            return parsed
        }
        guard let gitTag else {
            throw TagProblem("tag strategy `\(strategy.rawValue)` needs a version: give the step a `version` input, or tag HEAD (`git tag v1.2.3`)")
        }
        guard let parsed = SemanticVersion(gitTag) else {
            throw TagProblem("tag strategy `\(strategy.rawValue)`: the git tag at HEAD, `\(gitTag)`, is not a semantic version; give a `version` input")
        }
        return parsed
    }
}

/// A tag strategy could not give its tags (a fact is missing or a value is not a version).
public struct TagProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `X.Y.Z[-pre][+build]`, with an optional leading `v`.
public struct SemanticVersion: Sendable, Hashable {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: String?
    public var build: String?

    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") {
            build = String(rest[rest.index(after: plus)...])
            rest = rest[..<plus]
            guard let build, Self.identifiers(build) else { return nil }
        }
        if let dash = rest.firstIndex(of: "-") {
            prerelease = String(rest[rest.index(after: dash)...])
            rest = rest[..<dash]
            guard let prerelease, Self.identifiers(prerelease) else { return nil }
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var values: [Int] = []
        for n in numbers {
            guard !n.isEmpty, n.allSatisfy(\.isASCII), n.allSatisfy(\.isNumber), n == "0" || n.first != "0", let v = Int(n) else { return nil }
            values.append(v)
        }
        (major, minor, patch) = (values[0], values[1], values[2])
    }

    /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`.
    static func identifiers(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// No pre-release part.
    public var isRelease: Bool { prerelease == nil }

    /// As a tag: `1.2.3-rc.1_build.5` (`+` is not allowed in a tag; `_` is, and sorts nowhere special).
    public var tag: String {
        var text = "\(major).\(minor).\(patch)"
        if let prerelease { text += "-" + prerelease }
        if let build { text += "_" + build }
        return text
    }
}

/// The tag grammar of the distribution spec: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
public enum TagName {
    public static func isValid(_ tag: String) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128 else { return false }
        func word(_ c: Unicode.Scalar) -> Bool { c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "_") }
        return word(first) && tag.unicodeScalars.dropFirst().allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    /// A derived value (branch, git tag, run id) as a tag: `/`, `+` and other characters outside
    /// the grammar become `-`, a leading `.` or `-` becomes `_`, and it is cut at 128 characters.
    public static func sanitised(_ value: String, from what: String) throws(TagProblem) -> String {
        var scalars = value.unicodeScalars.map { c -> Character in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "_" || c == "." || c == "-") ? Character(c) : "-"
        }
        if let first = scalars.first, first == "." || first == "-" { scalars[0] = "_" }
        let tag = String(scalars.prefix(128))
        guard isValid(tag) else { throw TagProblem("\(what), `\(value)`, cannot be made a tag") }
        return tag
    }
}
