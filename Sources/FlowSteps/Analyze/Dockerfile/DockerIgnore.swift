/// A `.dockerignore` file, matched as Docker matches it: patterns relative to the context root
/// (a leading `/` ignored, paths cleaned), `*` `?` `[...]` within a name, `**` any number of
/// directories, `!` exceptions, `#` comment lines, the last matching pattern wins, and a pattern
/// that matches a directory matches everything under it.
public struct DockerIgnore: Sendable {
    /// One pattern line.
    public struct Pattern: Sendable, Hashable {
        /// The pattern as cleaned (without `!`).
        public var text: String
        /// `!pattern`: re-includes what earlier patterns excluded.
        public var isException: Bool
        /// 1-based line in `.dockerignore`.
        public var line: Int
        let matcher: PathPattern
    }

    public let patterns: [Pattern]

    /// Reads the text of a `.dockerignore` file.
    public init(_ text: String) {
        var patterns: [Pattern] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Self.trim(Substring(rawLine))
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var isException = false
            if line.hasPrefix("!") {
                isException = true
                line = Self.trim(line.dropFirst())
            }
            let cleaned = Self.clean(String(line))
            guard !cleaned.isEmpty else { continue }
            patterns.append(Pattern(text: cleaned, isException: isException, line: lineNumber,
                                    matcher: PathPattern(cleaned, globstar: true)))
        }
        self.patterns = patterns
    }

    private static func trim(_ text: Substring) -> Substring {
        let blanks: Set<Character> = [" ", "\t", "\r", "\n", "\u{0B}", "\u{0C}"]
        var result = text
        while let first = result.first, blanks.contains(first) { result = result.dropFirst() }
        while let last = result.last, blanks.contains(last) { result = result.dropLast() }
        return result
    }

    /// Go's `filepath.Clean`, then the leading `/` dropped (patterns are relative to the root).
    static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", parts.isEmpty, path.hasPrefix("/") { continue }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// The pattern that decides `path` (relative, `/`-separated): the last one matching it or one of
    /// its parent directories; nil when none matches.
    public func decidingPattern(for path: String) -> Pattern? {
        let cleaned = Self.clean(path)
        guard !cleaned.isEmpty else { return nil }
        let parts = cleaned.split(separator: "/")
        var prefixes: [String] = []
        var current = ""
        for part in parts.dropLast() {
            current = current.isEmpty ? String(part) : current + "/" + part
            prefixes.append(current)
        }
        var decided: Pattern?
        for pattern in patterns {
            if pattern.matcher.matches(cleaned) || prefixes.contains(where: { pattern.matcher.matches($0) }) {
                decided = pattern
            }
        }
        return decided
    }

    /// Whether `path` is left out of the build context.
    public func isExcluded(_ path: String) -> Bool {
        guard let pattern = decidingPattern(for: path) else { return false }
        return !pattern.isException
    }
}
