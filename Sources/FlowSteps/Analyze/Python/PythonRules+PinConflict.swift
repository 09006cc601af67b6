/// One place a package's versions are constrained, for `pin-conflict`: a requirement and whether
/// it came from a requirements file, a constraints file or a `RUN pip install`.
public struct PinSite: Sendable, Hashable {
    /// Where a pin was written.
    public enum Origin: String, Sendable, Hashable {
        case requirementsFile = "requirements file"
        case constraintsFile = "constraints file"
        case pipInstall = "pip install"
    }

    public var requirement: Requirement
    public var origin: Origin

    /// Makes a value from its parts.
    public init(_ requirement: Requirement, origin: Origin) {
        self.requirement = requirement
        self.origin = origin
    }

    /// The named requirements and constraints of a set of files, in pip's order.
    public static func sites(from set: RequirementsSet) -> [PinSite] {
        set.items.compactMap { item in
            item.entry.requirement.map { PinSite($0, origin: item.isConstraint ? .constraintsFile : .requirementsFile) }
        }
    }

    /// The packages of one `pip install` whose requirement is known.
    public static func sites(from command: PipInstallCommand) -> [PinSite] {
        command.packages.compactMap { package in
            guard !package.isUnresolved else { return nil }
            return package.requirement.map { PinSite($0, origin: .pipInstall) }
        }
    }
}

extension PythonRules {
    /// Each package is compared with at most this many earlier sites.
    static let maximumEarlierSites = 64

    /// `pin-conflict`: a package whose versions are constrained in two places (or twice in one
    /// requirement) so that no version satisfies both. `sites` come in build order; the finding is
    /// at the later site and names the earlier one's `file:line`. A site whose marker is false
    /// in `environment` is skipped (an unknown marker counts).
    public static func pinConflicts(_ sites: [PinSite], environment: [String: String] = [:]) -> [Finding] {
        var findings: [Finding] = []
        var earlier: [String: [(site: PinSite, range: SpecifierRange?)]] = [:]
        for site in sites {
            let requirement = site.requirement
            if requirement.marker?.evaluate(environment: environment) == false { continue }
            let name = requirement.normalizedName
            // The interval form, computed once per site; nil when an opaque `===` needs the string comparison.
            let specifiers = requirement.specifiers
            let range = specifiers.specifiers.contains(where: \.isOpaqueArbitrary) ? nil : specifiers.range
            if range?.isEmpty ?? !specifiers.isSatisfiable, let clash = specifiers.selfClash {
                findings.append(Finding(rule: pinConflictRule, severity: .error, span: requirement.span, message:
                    "`\(requirement.text)` accepts no version of \(requirement.name): `\(clash.left)` and `\(clash.right)` exclude each other"))
                continue
            }
            for prior in (earlier[name] ?? []).prefix(maximumEarlierSites) {
                let disjoint: Bool
                if let range, let priorRange = prior.range {
                    disjoint = range.intersection(priorRange).isEmpty
                } else {
                    disjoint = !prior.site.requirement.specifiers.intersects(specifiers)
                }
                guard disjoint, let clash = prior.site.requirement.specifiers.clash(with: specifiers) else { continue }
                let earlierRequirement = prior.site.requirement
                let place = "\(earlierRequirement.span.file):\(earlierRequirement.span.line)"
                findings.append(Finding(rule: pinConflictRule, severity: .error, span: requirement.span, message:
                    "`\(requirement.text)` (\(site.origin.rawValue)) conflicts with `\(earlierRequirement.text)` at \(place) "
                    + "(\(prior.site.origin.rawValue)): no version of \(requirement.name) satisfies both "
                    + "(`\(clash.right)` against `\(clash.left)`); pip stops with ResolutionImpossible or replaces one with the other"))
                break
            }
            earlier[name, default: []].append((site, range))
        }
        return findings
    }
}
