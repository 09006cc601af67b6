/// A comma-separated list of version clauses that must all hold (`>=2.4,<2.5`); no clauses
/// accepts every version.
public struct SpecifierSet: Sendable, Hashable, CustomStringConvertible {
    /// At most this many clauses parse; more is an error, which bounds the interval arithmetic.
    public static let maximumClauses = 64

    public var specifiers: [VersionSpecifier]

    /// Makes a set from clauses.
    public init(_ specifiers: [VersionSpecifier] = []) {
        self.specifiers = specifiers
    }

    /// Parses `>=2.4, <2.5` (an empty text is the empty set, which accepts everything).
    public static func parse(_ text: String) -> Result<SpecifierSet, PythonSyntaxError> {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { !PEP508Bytes.isSpace($0) }) else { return .success(SpecifierSet()) }
        var clauses: [VersionSpecifier] = []
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
            let piece = String(decoding: bytes[start..<end], as: UTF8.self)
            switch VersionSpecifier.parse(piece) {
            case .success(let clause): clauses.append(clause)
            case .failure(let error): return .failure(error.shifted(by: start))
            }
            guard clauses.count <= maximumClauses else {
                return .failure(PythonSyntaxError("more than \(maximumClauses) version clauses", offset: start, length: end - start))
            }
            start = end + 1
        }
        return .success(SpecifierSet(clauses))
    }

    /// The clauses joined by commas, each normalized (`>=2.4,<2.5`).
    public var description: String { specifiers.map(\.description).joined(separator: ",") }

    /// Whether there is no clause at all (every version is accepted).
    public var isUnconstrained: Bool { specifiers.isEmpty }

    /// The version when the set is exactly one `==V` (not a wildcard) or `===V`.
    public var pinnedVersion: PythonVersion? {
        guard specifiers.count == 1, let only = specifiers.first, !only.isWildcard,
              only.op == .equal || (only.op == .arbitrary && !only.isOpaqueArbitrary) else { return nil }
        return only.version
    }

    /// Whether `v` satisfies every clause. Pre-releases are accepted when `prereleases` is true or
    /// a clause names one (`>=2.5.0rc1`).
    public func contains(_ v: PythonVersion, prereleases: Bool = false) -> Bool {
        let allowPrereleases = prereleases || specifiers.contains(where: \.mentionsPrerelease)
        if v.isPrerelease && !allowPrereleases { return false }
        return specifiers.allSatisfy { $0.matches(v) }
    }

    /// Whether some version (pre-releases included) satisfies both sets — computed over the
    /// version order, not by trying candidates: `>=2.4,<2.5` and `==2.5.0` do not intersect.
    public func intersects(_ other: SpecifierSet) -> Bool {
        Self.isSatisfiable(specifiers + other.specifiers)
    }

    /// Whether some version satisfies this set alone (`>=2,<1` does not).
    public var isSatisfiable: Bool { Self.isSatisfiable(specifiers) }

    /// The versions the set accepts, pre-releases included.
    var range: SpecifierRange {
        specifiers.reduce(SpecifierRange.all) { $0.intersection($1.range) }
    }

    /// Whether all `clauses` together accept some version or `===` string.
    static func isSatisfiable(_ clauses: [VersionSpecifier]) -> Bool {
        if let opaque = clauses.first(where: \.isOpaqueArbitrary) {
            let text = opaque.versionText.lowercased()
            return clauses.allSatisfy { $0.op == .arbitrary && $0.versionText.lowercased() == text }
        }
        var range = SpecifierRange.all
        for clause in clauses {
            range = range.intersection(clause.range)
            if range.isEmpty { return false }
        }
        return true
    }
}

/// The clauses that make two specifier sets (or one) accept no version, for a message:
/// `==2.5.0` and `<2.5`, or a whole set when no single clause is to blame.
public struct SpecifierClash: Sendable, Hashable {
    public var left: String
    public var right: String

    /// Makes a value from its parts.
    public init(left: String, right: String) {
        self.left = left
        self.right = right
    }
}

extension SpecifierSet {
    /// Why this set and `other` have no version in common — the first clause of each that cannot
    /// hold together, else one clause against the other whole set — or nil when they intersect.
    public func clash(with other: SpecifierSet) -> SpecifierClash? {
        guard !intersects(other) else { return nil }
        for a in specifiers {
            for b in other.specifiers where !Self.isSatisfiable([a, b]) {
                return SpecifierClash(left: a.description, right: b.description)
            }
        }
        for a in specifiers where !Self.isSatisfiable([a] + other.specifiers) {
            return SpecifierClash(left: a.description, right: other.description)
        }
        for b in other.specifiers where !Self.isSatisfiable(specifiers + [b]) {
            return SpecifierClash(left: description, right: b.description)
        }
        return SpecifierClash(left: description, right: other.description)
    }

    /// Why this set alone accepts no version (two of its own clauses that clash, else the whole
    /// set), or nil when it accepts some.
    public var selfClash: SpecifierClash? {
        guard specifiers.count > 1 || specifiers.first?.isOpaqueArbitrary == false, !isSatisfiable else { return nil }
        for (index, a) in specifiers.enumerated() {
            for b in specifiers[(index + 1)...] where !Self.isSatisfiable([a, b]) {
                return SpecifierClash(left: a.description, right: b.description)
            }
        }
        if let first = specifiers.first, specifiers.count == 1 {
            return SpecifierClash(left: first.description, right: first.description)
        }
        return SpecifierClash(left: description, right: description)
    }
}
