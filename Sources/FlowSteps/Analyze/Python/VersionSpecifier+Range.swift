extension VersionSpecifier {
    /// Whether this is an `===` whose text no version prints as: it accepts only that string,
    /// which no interval can hold, so `SpecifierSet` compares such clauses as strings.
    var isOpaqueArbitrary: Bool {
        guard op == .arbitrary else { return false }
        guard let version else { return true }
        return version.description.lowercased() != versionText.lowercased()
    }

    /// The versions the clause accepts (pre-releases included), as intervals of the version order;
    /// it agrees with `matches(_:)` on every version.
    var range: SpecifierRange {
        guard let v = version, !isOpaqueArbitrary else { return .none }
        switch op {
        case .arbitrary:
            return SpecifierRange(.lowerBound(v), .after(v))
        case .equal:
            return equalRange(v)
        case .notEqual:
            return equalRange(v).complement
        case .compatible:
            return SpecifierRange(.lowerBound(v), .top).intersection(Self.prefixRange(epoch: v.epoch, release: v.release.dropLast()))
        case .greaterOrEqual:
            return SpecifierRange(.lowerBound(v), .top)
        case .lessOrEqual:
            return SpecifierRange(.bottom, .afterPublic(v))
        case .less:
            let below = SpecifierRange(.bottom, .lowerBound(v))
            guard !v.isPrerelease else { return below }
            // `<2.5` does not take 2.5's pre-releases: everything of release 2.5 below 2.5 itself.
            var firstOfRelease = v.baseVersion
            firstOfRelease.dev = 0
            return below.subtracting(SpecifierRange(.lowerBound(firstOfRelease), .lowerBound(v.baseVersion)))
        case .greater:
            let above = SpecifierRange(.afterPublic(v), .top)
            guard !v.isPostRelease else { return above }
            return above.subtracting(Self.postReleases(of: v))
        }
    }

    private func equalRange(_ v: PythonVersion) -> SpecifierRange {
        if isWildcard { return Self.prefixRange(epoch: v.epoch, release: v.release[...]) }
        if v.localSegments.isEmpty { return SpecifierRange(.lowerBound(v), .afterPublic(v)) }
        return SpecifierRange(.lowerBound(v), .after(v))
    }

    /// Every version whose release starts with `release` (`2.4` → from `2.4.dev0` up to, not
    /// including, `2.5.dev0`); every version when `release` is empty.
    static func prefixRange(epoch: Int, release: ArraySlice<Int>) -> SpecifierRange {
        guard let last = release.last else { return .all }
        let lower = PythonVersion(epoch: epoch, release: Array(release), dev: 0)
        var next = Array(release)
        next[next.count - 1] = min(last, PythonVersion.maximumComponent) + 1
        let upper = PythonVersion(epoch: epoch, release: next, dev: 0)
        return SpecifierRange(.lowerBound(lower), .lowerBound(upper))
    }

    /// The post-releases of `v`'s epoch, release and pre-release (`2.4.post0.dev0` up to above every
    /// `2.4.postN`), which `>2.4` must not accept.
    static func postReleases(of v: PythonVersion) -> SpecifierRange {
        let first = PythonVersion(epoch: v.epoch, release: v.release, pre: v.pre, post: 0, dev: 0)
        guard let pre = v.pre else { return SpecifierRange(.lowerBound(first), .afterRelease(v)) }
        let nextPre = PythonVersion(epoch: v.epoch, release: v.release, pre: (pre.kind, min(pre.number, PythonVersion.maximumComponent) + 1), dev: 0)
        return SpecifierRange(.lowerBound(first), .lowerBound(nextPre))
    }
}
