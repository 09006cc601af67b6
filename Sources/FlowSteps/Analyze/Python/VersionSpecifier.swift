/// One PEP 440 version clause: an operator and a version (`>=2.4`, `==2.4.*`, `~=2.4.0`, `===foo`).
public struct VersionSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operators of PEP 440.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case compatible = "~="
        case equal = "=="
        case notEqual = "!="
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case less = "<"
        case greater = ">"
        case arbitrary = "==="
    }

    public var op: Operator
    /// The version, nil only for an `===` whose text is not a PEP 440 version.
    public var version: PythonVersion?
    /// `==2.4.*` / `!=2.4.*`: a prefix match on the release numbers.
    public var isWildcard: Bool
    /// The version text as written after the operator (`2.4.*`, `2.4.1+cu121`).
    public var versionText: String

    /// The clause in normalized form (`==2.4.1+cu121`, `>=1.0rc1`, `===weird-1`).
    public var description: String {
        guard op != .arbitrary, let version else { return op.rawValue + versionText }
        return op.rawValue + version.description + (isWildcard ? ".*" : "")
    }

    /// Whether the clause names a pre-release, which lets the clause accept pre-releases
    /// (every operator but `!=`).
    public var mentionsPrerelease: Bool {
        op != .notEqual && version?.isPrerelease == true
    }

    /// Whether `v` satisfies the clause as PEP 440 says. Pre-releases are accepted only when
    /// `prereleases` is true or the clause itself names a pre-release.
    public func contains(_ v: PythonVersion, prereleases: Bool = false) -> Bool {
        if v.isPrerelease && !prereleases && !mentionsPrerelease { return false }
        return matches(v)
    }

    /// The clause's test, pre-release policy aside.
    func matches(_ v: PythonVersion) -> Bool {
        guard let spec = version else { return false }
        switch op {
        case .arbitrary:
            return v.description.lowercased() == versionText.lowercased()
        case .equal:
            return isEqual(v, spec)
        case .notEqual:
            return !isEqual(v, spec)
        case .compatible:
            return PythonVersion.compare(v, spec, upTo: .publicVersion) >= 0
                && Self.hasPrefix(v, epoch: spec.epoch, release: spec.release.dropLast())
        case .greaterOrEqual:
            return PythonVersion.compare(v, spec, upTo: .publicVersion) >= 0
        case .lessOrEqual:
            return PythonVersion.compare(v, spec, upTo: .publicVersion) <= 0
        case .less:
            guard PythonVersion.compare(v, spec, upTo: .publicVersion) < 0 else { return false }
            return spec.isPrerelease || !Self.isPrereleaseOfRelease(v, of: spec)
        case .greater:
            guard PythonVersion.compare(v, spec, upTo: .publicVersion) > 0 else { return false }
            return spec.isPostRelease || !Self.isPostReleaseOf(v, of: spec)
        }
    }

    /// `==` semantics: a prefix match for a wildcard; the public versions for a public clause
    /// (candidates' local labels ignored); public version and local label for a local clause.
    private func isEqual(_ v: PythonVersion, _ spec: PythonVersion) -> Bool {
        if isWildcard { return Self.hasPrefix(v, epoch: spec.epoch, release: spec.release[...]) }
        return PythonVersion.compare(v, spec, upTo: spec.localSegments.isEmpty ? .publicVersion : .full) == 0
    }

    /// Whether `v`'s release, padded with zeros, starts with `release` (and the epochs match).
    static func hasPrefix(_ v: PythonVersion, epoch: Int, release: ArraySlice<Int>) -> Bool {
        guard v.epoch == epoch else { return false }
        for (index, number) in release.enumerated() {
            let candidate = index < v.release.count ? v.release[index] : 0
            if candidate != number { return false }
        }
        return true
    }

    /// A pre-release of `spec`'s release for `<`: same epoch and release, and sorting below the
    /// final release (a pre-release segment, or a dev segment without a post segment).
    /// `1.0.post1.dev0` is a dev release of a post-release, not a pre-release of `1.0`, so `<1.0.post2` accepts it.
    static func isPrereleaseOfRelease(_ v: PythonVersion, of spec: PythonVersion) -> Bool {
        PythonVersion.compare(v, spec, upTo: .release) == 0
            && PythonVersion.compare(v, spec.baseVersion, upTo: .publicVersion) < 0
    }

    /// A post-release of `spec` for `>`: same epoch, release and pre-release, with a post segment.
    static func isPostReleaseOf(_ v: PythonVersion, of spec: PythonVersion) -> Bool {
        guard v.post != nil, PythonVersion.compare(v, spec, upTo: .release) == 0 else { return false }
        return v.pre?.kind == spec.pre?.kind && v.pre?.number == spec.pre?.number
    }

    /// Equal as PEP 440 compares them.
    public static func == (a: VersionSpecifier, b: VersionSpecifier) -> Bool {
        a.op == b.op && a.isWildcard == b.isWildcard && a.version == b.version
            && (a.op != .arbitrary || a.versionText.lowercased() == b.versionText.lowercased())
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(op)
        hasher.combine(isWildcard)
        hasher.combine(version)
    }
}
