/// What the build context holds, as the caller read it from the disk: relative `/`-separated
/// paths of files (and directories), and the `.dockerignore` text. The `Dockerfile` and
/// `.dockerignore` are sent to the builder even when ignored, but COPY and ADD cannot copy them
/// then, so they are matched like any other file.
public struct BuildContextFiles: Sendable {
    /// Paths relative to the context root (`src/train.py`, `configs`).
    public var paths: [String]
    /// The text of `.dockerignore`, if the context has one.
    public var dockerignore: String?

    /// The context listing and its `.dockerignore` (for `docker build -f X`, BuildKit reads `X.dockerignore` first when it exists).
    public init(paths: [String], dockerignore: String? = nil) {
        self.paths = paths
        self.dockerignore = dockerignore
    }

    /// What a COPY/ADD source finds in the context.
    public enum SourceMatch: Sendable, Hashable {
        /// At least one file or directory the builder would copy.
        case found
        /// Nothing by that name or pattern.
        case missing
        /// Only paths `.dockerignore` leaves out (the pattern that excludes the first of them).
        case ignored(DockerIgnore.Pattern)
    }

    /// The context prepared for many look-ups: every path and parent directory, and which of
    /// them survive `.dockerignore`.
    public struct Index: Sendable {
        let all: Set<String>
        let included: Set<String>
        let ignore: DockerIgnore

        /// What `source` (as written after COPY, variables substituted) finds.
        public func match(_ source: String) -> SourceMatch {
            let cleaned = DockerIgnore.clean(source)
            if cleaned.isEmpty { return .found }
            if cleaned == ".." || cleaned.hasPrefix("../") { return .missing }
            if PathPattern.hasMeta(cleaned) {
                let pattern = PathPattern(cleaned, globstar: false)
                if included.contains(where: { pattern.matches($0) }) { return .found }
                let hidden = all.filter { pattern.matches($0) }.sorted()
                if let first = hidden.first, let decider = ignore.decidingPattern(for: first) { return .ignored(decider) }
                return .missing
            }
            if included.contains(cleaned) { return .found }
            if all.contains(cleaned), let decider = ignore.decidingPattern(for: cleaned) { return .ignored(decider) }
            return .missing
        }
    }

    /// Builds the look-up index.
    public func index() -> Index {
        let ignore = DockerIgnore(dockerignore ?? "")
        var all: Set<String> = []
        var included: Set<String> = []
        for path in paths {
            let cleaned = DockerIgnore.clean(path)
            guard !cleaned.isEmpty, cleaned != "..", !cleaned.hasPrefix("../") else { continue }
            let parts = cleaned.split(separator: "/")
            var prefix = ""
            var ancestors: [String] = []
            for part in parts {
                prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
                ancestors.append(prefix)
            }
            all.formUnion(ancestors)
            if !ignore.isExcluded(cleaned) {
                // A kept file keeps its directories in the context even when they match a pattern.
                included.formUnion(ancestors)
            }
        }
        return Index(all: all, included: included, ignore: ignore)
    }
}
