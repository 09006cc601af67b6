/// The versions between two cuts.
struct SpecifierInterval: Sendable, Hashable {
    var lower: SpecifierCut
    var upper: SpecifierCut

    var isEmpty: Bool { lower >= upper }

    func contains(_ v: PythonVersion) -> Bool { lower.isBelow(v) && !upper.isBelow(v) }
}

/// A set of versions as a union of disjoint intervals in ascending order: what a specifier, or
/// several together, accept. Intersection, union and complement are exact.
struct SpecifierRange: Sendable, Hashable {
    /// Sorted, non-empty, neither overlapping nor touching.
    private(set) var intervals: [SpecifierInterval]

    static let all = SpecifierRange(normalizing: [SpecifierInterval(lower: .bottom, upper: .top)])
    static let none = SpecifierRange(normalizing: [])

    init(normalizing intervals: [SpecifierInterval]) {
        let sorted = intervals.filter { !$0.isEmpty }.sorted { $0.lower < $1.lower }
        var merged: [SpecifierInterval] = []
        for interval in sorted {
            if let last = merged.last, interval.lower <= last.upper {
                merged[merged.count - 1].upper = max(last.upper, interval.upper)
            } else {
                merged.append(interval)
            }
        }
        self.intervals = merged
    }

    /// From `lower` up to `upper`.
    init(_ lower: SpecifierCut, _ upper: SpecifierCut) {
        self.intervals = lower < upper ? [SpecifierInterval(lower: lower, upper: upper)] : []
    }

    private init(sortedDisjoint intervals: [SpecifierInterval]) {
        self.intervals = intervals
    }

    var isEmpty: Bool { intervals.isEmpty }

    func contains(_ v: PythonVersion) -> Bool { intervals.contains { $0.contains(v) } }

    /// The versions in both ranges.
    func intersection(_ other: SpecifierRange) -> SpecifierRange {
        // Both lists are sorted and disjoint: walk them together; the pieces come out sorted,
        // disjoint and not touching (two pieces touching would mean one input touching itself).
        var pieces: [SpecifierInterval] = []
        var i = 0
        var j = 0
        while i < intervals.count && j < other.intervals.count {
            let a = intervals[i]
            let b = other.intervals[j]
            let piece = SpecifierInterval(lower: max(a.lower, b.lower), upper: min(a.upper, b.upper))
            if !piece.isEmpty { pieces.append(piece) }
            if a.upper < b.upper { i += 1 } else { j += 1 }
        }
        return SpecifierRange(sortedDisjoint: pieces)
    }

    /// The versions in either range.
    func union(_ other: SpecifierRange) -> SpecifierRange {
        SpecifierRange(normalizing: intervals + other.intervals)
    }

    /// The versions not in this range.
    var complement: SpecifierRange {
        var pieces: [SpecifierInterval] = []
        var lower = SpecifierCut.bottom
        for interval in intervals {
            pieces.append(SpecifierInterval(lower: lower, upper: interval.lower))
            lower = interval.upper
        }
        pieces.append(SpecifierInterval(lower: lower, upper: .top))
        return SpecifierRange(sortedDisjoint: pieces.filter { !$0.isEmpty })
    }

    /// The versions in this range and not in `other`.
    func subtracting(_ other: SpecifierRange) -> SpecifierRange {
        intersection(other.complement)
    }
}
