/// A Python package version as PEP 440 defines it: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
/// ordered the way pip orders versions. Equal versions compare equal however they were spelled
/// (`1.0` == `1.0.0`, `1.0alpha1` == `1.0a1`).
public struct PythonVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The kind of a pre-release, in PEP 440's order (`a` < `b` < `rc`).
    public enum PreReleaseKind: Int, Sendable, Hashable, Comparable, CaseIterable {
        case alpha, beta, releaseCandidate

        /// The normalized spelling: `a`, `b`, `rc`.
        public var label: String {
            switch self {
            case .alpha: "a"
            case .beta: "b"
            case .releaseCandidate: "rc"
            }
        }

        /// Ordered as PEP 440 orders them.
        public static func < (a: PreReleaseKind, b: PreReleaseKind) -> Bool { a.rawValue < b.rawValue }
    }

    /// One dot-separated segment of a local label: numbers compare as integers and above any text.
    public enum LocalSegment: Sendable, Hashable, Comparable, CustomStringConvertible {
        case number(Int)
        case text(String)

        /// The normalized text.
        public var description: String {
            switch self {
            case .number(let n): String(n)
            case .text(let s): s
            }
        }

        /// Ordered as PEP 440 orders them.
        public static func < (a: LocalSegment, b: LocalSegment) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): x < y
            case (.text(let x), .text(let y)): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
            case (.text, .number): true
            case (.number, .text): false
            }
        }
    }

    /// The largest number a component may have; larger ones do not parse (so `n + 1` never overflows).
    public static let maximumComponent = 999_999_999_999_999_999

    public var epoch: Int
    /// The release numbers as written (`[2, 4, 1]`); trailing zeros are kept for `description`
    /// and ignored when comparing.
    public var release: [Int]
    public var pre: (kind: PreReleaseKind, number: Int)?
    public var post: Int?
    public var dev: Int?
    /// The local label's segments (`+cu121` → `[.text("cu121")]`), empty when there is none.
    public var localSegments: [LocalSegment]

    /// Makes a version from its parts; `release` must not be empty (an empty one is read as `[0]`).
    public init(epoch: Int = 0, release: [Int], pre: (kind: PreReleaseKind, number: Int)? = nil,
                post: Int? = nil, dev: Int? = nil, localSegments: [LocalSegment] = []) {
        self.epoch = epoch
        self.release = release.isEmpty ? [0] : release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.localSegments = localSegments
    }

    /// The local label in normalized form (`cu121`), nil when there is none.
    public var local: String? {
        localSegments.isEmpty ? nil : localSegments.map(\.description).joined(separator: ".")
    }

    /// The same version without its local label (`2.4.1+cu121` → `2.4.1`).
    public var publicVersion: PythonVersion {
        var copy = self
        copy.localSegments = []
        return copy
    }

    /// Epoch and release only (`2.4.1rc1.post2` → `2.4.1`).
    public var baseVersion: PythonVersion {
        PythonVersion(epoch: epoch, release: release)
    }

    /// A pre-release or a developmental release (`1.0a1`, `1.0.dev3`, `1.0.post1.dev0`).
    public var isPrerelease: Bool { pre != nil || dev != nil }

    /// A post-release (`1.0.post1`, also `1.0.post1.dev0`).
    public var isPostRelease: Bool { post != nil }

    /// The release numbers without trailing zeros: the part that takes part in comparisons.
    var comparableRelease: ArraySlice<Int> {
        var end = release.count
        while end > 0 && release[end - 1] == 0 { end -= 1 }
        return release[..<end]
    }

    /// The normalized form PEP 440 prescribes (`1!2.0rc1.post2.dev3+ubuntu.1`).
    public var description: String {
        var text = epoch == 0 ? "" : "\(epoch)!"
        text += release.map(String.init).joined(separator: ".")
        if let pre { text += "\(pre.kind.label)\(pre.number)" }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if let local { text += "+\(local)" }
        return text
    }

    /// Equal as PEP 440 compares them.
    public static func == (a: PythonVersion, b: PythonVersion) -> Bool {
        compare(a, b, upTo: .full) == 0
    }

    /// Ordered as PEP 440 orders them.
    public static func < (a: PythonVersion, b: PythonVersion) -> Bool {
        compare(a, b, upTo: .full) < 0
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(Array(comparableRelease))
        hasher.combine(pre?.kind)
        hasher.combine(pre?.number)
        hasher.combine(post)
        hasher.combine(dev)
        hasher.combine(localSegments)
    }
}

extension PythonVersion {
    /// How much of a version a comparison looks at: epoch and release, then the pre/post/dev
    /// suffixes (the public version), then the local label.
    enum ComparisonDepth: Int, Comparable {
        case release, publicVersion, full

        static func < (a: ComparisonDepth, b: ComparisonDepth) -> Bool { a.rawValue < b.rawValue }
    }

    /// Three-way comparison of two versions, looking only as deep as `depth`: -1, 0 or 1.
    static func compare(_ a: PythonVersion, _ b: PythonVersion, upTo depth: ComparisonDepth) -> Int {
        if a.epoch != b.epoch { return a.epoch < b.epoch ? -1 : 1 }
        let releaseOrder = compareRelease(a.comparableRelease, b.comparableRelease)
        if releaseOrder != 0 || depth == .release { return releaseOrder }
        let suffixOrder = compareSuffixes(a, b)
        if suffixOrder != 0 || depth == .publicVersion { return suffixOrder }
        return compareLocal(a.localSegments, b.localSegments)
    }

    /// Compares release numbers with trailing zeros already removed (a missing number counts as 0).
    static func compareRelease(_ a: ArraySlice<Int>, _ b: ArraySlice<Int>) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        if a.count == b.count { return 0 }
        return a.count < b.count ? -1 : 1
    }

    /// The pre/post/dev order of PEP 440 within one release: `1.0.dev0` < `1.0a1.dev0` < `1.0a1`
    /// < `1.0a1.post0.dev0` < `1.0a1.post0` < `1.0b1` < `1.0rc1` < `1.0` < `1.0.post0.dev0` < `1.0.post0`.
    static func compareSuffixes(_ a: PythonVersion, _ b: PythonVersion) -> Int {
        let left = a.suffixKey
        let right = b.suffixKey
        if left == right { return 0 }
        return left < right ? -1 : 1
    }

    /// The pre/post/dev sort key: a dev release without pre or post sorts below every
    /// pre-release, a version without a pre-release above them all; no post sorts below any
    /// post, no dev above any dev.
    private var suffixKey: (Int, Int, Int, Int) {
        let preKind: Int
        let preNumber: Int
        if let pre {
            (preKind, preNumber) = (pre.kind.rawValue, pre.number)
        } else if post == nil && dev != nil {
            (preKind, preNumber) = (Int.min, 0)
        } else {
            (preKind, preNumber) = (Int.max, 0)
        }
        return (preKind, preNumber, post ?? Int.min, dev ?? Int.max)
    }

    /// No local label sorts below any; otherwise segment by segment, a longer label above its prefix.
    static func compareLocal(_ a: [LocalSegment], _ b: [LocalSegment]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        if a.count == b.count { return 0 }
        return a.count < b.count ? -1 : 1
    }
}
