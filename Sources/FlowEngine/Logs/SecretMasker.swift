/// Knows every form of every secret that must never be shown, and replaces each with `***`.
///
/// **What is masked.** For each secret value `V`, and also for `V` with surrounding whitespace
/// trimmed and for each line of a multi-line `V` (split on `\n`, a trailing `\r` trimmed):
/// - the value itself;
/// - its base64 at all three alignments — the characters of base64(`k` filler bytes + `V`),
///   `k` = 0, 1, 2, that depend on `V`'s bytes alone, so `V` is caught inside any longer
///   base64 blob — in the standard (`+/`) and URL-safe (`-_`) alphabets;
/// - its percent-encoding (everything but `A-Za-z0-9-._~`), upper- and lower-case hex, with
///   and without `+` for space;
/// - its JSON-escaped form (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, `\u00XX` for other control
///   characters in either hex case; with and without `\/`; non-ASCII as UTF-8 or as `\uXXXX`).
///
/// **What is ignored.** Values and lines shorter than 4 characters (`Character`s, i.e.
/// grapheme clusters) and whitespace-only ones are never masked, nor is any derived form
/// shorter than 4 bytes: masking `abc` or `    ` everywhere would shred the log while
/// protecting nothing (GitHub Actions ignores short values the same way).
///
/// **How.** Matching is exact, on UTF-8 bytes, for all forms of all secrets at once with an
/// Aho–Corasick automaton: O(1) amortised work per input byte, whatever the number of
/// patterns. Matches may overlap; every maximal run of bytes covered by one or more matches
/// (overlapping or touching) becomes a single `***`.
///
/// The value is immutable and cheap to copy (the automaton is shared).
public struct SecretMasker: Sendable {
    let automaton: PatternAutomaton?

    /// Compiles the masker for `secrets`. Values shorter than 4 characters, and empty or
    /// whitespace-only values, are ignored (see the type's documentation).
    public init(secrets: [String]) {
        var seen = Set<[UInt8]>()
        var patterns: [[UInt8]] = []
        for secret in secrets {
            for pattern in SecretForms.patterns(of: secret) where seen.insert(pattern).inserted {
                patterns.append(pattern)
            }
        }
        automaton = patterns.isEmpty ? nil : PatternAutomaton(patterns: patterns)
    }

    /// True when there is nothing to mask: `mask` is then the identity.
    public var isEmpty: Bool { automaton == nil }

    /// The length in bytes of the longest pattern (0 when empty). A streaming masker holds
    /// back at most one byte less than this.
    public var maxPatternLength: Int { automaton?.maxPatternLength ?? 0 }

    /// The number of distinct byte patterns (all forms of all secrets) being searched for.
    public var patternCount: Int { automaton?.patternCount ?? 0 }

    /// Masks a whole string at once.
    public func mask(_ text: String) -> String {
        guard !isEmpty else { return text }
        return String(decoding: mask(Array(text.utf8)), as: UTF8.self)
    }

    /// Masks a whole byte sequence at once.
    public func mask(_ bytes: [UInt8]) -> [UInt8] {
        guard !isEmpty else { return bytes }
        var stream = StreamingMasker(self)
        var out = stream.feed(bytes)
        out.append(contentsOf: stream.finish())
        return out
    }
}
