/// The paths and file patterns of `cache:` (``StepCache``): what a valid one is, and how a
/// pattern matches a path. Pure; the engine walks the workspace with it.
///
/// A pattern is a path relative to the workspace whose segments (between `/`) may hold `*` (any
/// text), `?` (one character), `[abc]`, `[a-z]` or `[!abc]` (one character of, or not of, a set),
/// and `\` before a character to mean it as written; a segment `**` matches any number of
/// folders, none included. `*` matches names starting with `.` too (as GitHub's `hashFiles`).
public enum CachePath {
    /// Why `path` cannot be a `cache:` path (`pattern`: a `files:` pattern), or nil.
    public static func problem(_ path: String, pattern: Bool) -> String? {
        if path.isEmpty { return "it is empty" }
        if path.hasPrefix("/") { return "it is absolute; give a path relative to the workspace" }
        if path.containsNUL { return "it contains a NUL character" }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains("..") { return "it leaves the workspace (`..`)" }
        if !pattern {
            if path.contains(where: { "*?[".contains($0) }) { return "it is a pattern; `paths` are files or folders as they are named" }
            if segments.allSatisfy({ $0 == "." }) { return "it names the whole workspace; name the files or folders the step makes" }
        }
        return nil
    }

    /// The path's segments, without empty and `.` ones (`./a//b` → `a`, `b`).
    public static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    }

    /// The leading segments of a pattern that hold no wildcard: where a walk for it starts.
    public static func literalPrefix(_ pattern: [Substring]) -> [Substring] {
        Array(pattern.prefix { !isWildcard($0) })
    }

    static func isWildcard(_ segment: Substring) -> Bool {
        segment.contains { "*?[\\".contains($0) }
    }

    /// Whether `path` (segments relative to the workspace) matches `pattern` whole.
    public static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = Array(pattern.dropFirst())
            for skip in 0...path.count where matches(rest, Array(path.dropFirst(skip))) { return true }
            return false
        }
        guard let name = path.first, matchesSegment(Array(first.utf8), Array(name.utf8)) else { return false }
        return matches(Array(pattern.dropFirst()), Array(path.dropFirst()))
    }

    /// One segment against one name: `*`, `?`, sets and `\` escapes, over bytes (a multi-byte
    /// character is matched by `*`, and by `?` only byte for byte).
    static func matchesSegment(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        var p = 0, n = 0
        var star: (p: Int, n: Int)? = nil
        while n < name.count {
            if p < pattern.count {
                switch pattern[p] {
                case UInt8(ascii: "*"):
                    star = (p, n)
                    p += 1
                    continue
                case UInt8(ascii: "?"):
                    p += 1
                    n += 1
                    continue
                case UInt8(ascii: "["):
                    if let (matched, next) = matchSet(pattern, from: p, name[n]) {
                        if matched {
                            p = next
                            n += 1
                            continue
                        }
                    } else if name[n] == UInt8(ascii: "[") {
                        // An unclosed `[` is itself.
                        p += 1
                        n += 1
                        continue
                    }
                case UInt8(ascii: "\\") where p + 1 < pattern.count:
                    if pattern[p + 1] == name[n] {
                        p += 2
                        n += 1
                        continue
                    }
                case let c where c == name[n]:
                    p += 1
                    n += 1
                    continue
                default:
                    break
                }
            }
            guard let s = star else { return false }
            p = s.p + 1
            n = s.n + 1
            star = (s.p, s.n + 1)
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// A `[...]` set at `start`: whether `byte` is in it, and where the pattern goes on; nil
    /// when the `[` is not closed.
    static func matchSet(_ pattern: [UInt8], from start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.count && (first || pattern[i] != UInt8(ascii: "]")) {
            first = false
            let low = pattern[i]
            if i + 2 < pattern.count && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if low <= byte && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if low == byte { matched = true }
                i += 1
            }
        }
        guard i < pattern.count else { return nil }
        return (matched != negate, i + 1)
    }
}
