/// A place in the PEP 440 version order that no version occupies: the end of an interval.
///
/// An interval's ends are cuts rather than versions with open/closed flags: `before(v)` is a
/// closed lower end (or an open upper end) at `v`, `after(v)` an open lower end (closed upper end),
/// and `afterRelease(v)` lies above every version with `v`'s epoch and release — `2.4.post7+x`
/// included — which no single version can express. Between two different cuts there is always a
/// version (local labels and release numbers are dense enough), except below the smallest version
/// `0.dev0`, which `lowerBound(_:)` folds into `bottom`; so an interval is empty exactly when its
/// lower cut is not below its upper cut.
enum SpecifierCut: Sendable, Hashable, Comparable {
    case bottom
    /// Just below `v`: `v` and everything above it lie above.
    case before(PythonVersion)
    /// Just above `v` (local label included).
    case after(PythonVersion)
    /// Above every version whose epoch and release equal `v`'s.
    case afterRelease(PythonVersion)
    case top

    /// The cut just below `v`, `bottom` when `v` is the smallest version there is.
    static func lowerBound(_ v: PythonVersion) -> SpecifierCut {
        let smallest = PythonVersion(release: [0], dev: 0)
        if v.epoch == 0, v.comparableRelease.isEmpty, v.localSegments.isEmpty, PythonVersion.compare(v, smallest, upTo: .publicVersion) == 0 {
            return .bottom
        }
        return .before(v)
    }

    /// The cut above `v` and every local variant of it (`2.4.1+cu121` lies below `afterPublic(2.4.1)`),
    /// expressed as the cut below the next public version so that equal cuts compare equal.
    static func afterPublic(_ v: PythonVersion) -> SpecifierCut {
        var next = v.publicVersion
        // Parsed numbers stay below `maximumComponent`; the clamp keeps hand-made versions from overflowing.
        if let dev = v.dev {
            next.dev = min(dev, PythonVersion.maximumComponent) + 1
        } else if let post = v.post {
            next.post = min(post, PythonVersion.maximumComponent) + 1
            next.dev = 0
        } else {
            next.post = 0
            next.dev = 0
        }
        return .before(next)
    }

    /// Whether `v` lies above this cut.
    func isBelow(_ v: PythonVersion) -> Bool {
        switch self {
        case .bottom: true
        case .top: false
        case .before(let x): PythonVersion.compare(v, x, upTo: .full) >= 0
        case .after(let x): PythonVersion.compare(v, x, upTo: .full) > 0
        case .afterRelease(let x): PythonVersion.compare(v, x, upTo: .release) > 0
        }
    }

    static func < (a: SpecifierCut, b: SpecifierCut) -> Bool { order(a, b) < 0 }

    static func == (a: SpecifierCut, b: SpecifierCut) -> Bool { order(a, b) == 0 }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .bottom: hasher.combine(0)
        case .before(let v): hasher.combine(1); hasher.combine(v)
        case .after(let v): hasher.combine(2); hasher.combine(v)
        case .afterRelease(let v): hasher.combine(3); hasher.combine(v.epoch); hasher.combine(Array(v.comparableRelease))
        case .top: hasher.combine(4)
        }
    }

    /// Three-way order of two cuts: -1, 0 or 1.
    private static func order(_ a: SpecifierCut, _ b: SpecifierCut) -> Int {
        switch (a, b) {
        case (.bottom, .bottom), (.top, .top): return 0
        case (.bottom, _), (_, .top): return -1
        case (_, .bottom), (.top, _): return 1
        case (.before(let x), .before(let y)), (.after(let x), .after(let y)):
            return PythonVersion.compare(x, y, upTo: .full)
        case (.before(let x), .after(let y)):
            return PythonVersion.compare(x, y, upTo: .full) <= 0 ? -1 : 1
        case (.after, .before):
            return -order(b, a)
        case (.afterRelease(let x), .afterRelease(let y)):
            return PythonVersion.compare(x, y, upTo: .release)
        case (.afterRelease(let x), .before(let y)), (.afterRelease(let x), .after(let y)):
            return PythonVersion.compare(y, x, upTo: .release) <= 0 ? 1 : -1
        case (.before, .afterRelease), (.after, .afterRelease):
            return -order(b, a)
        }
    }
}
