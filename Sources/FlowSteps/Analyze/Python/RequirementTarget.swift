/// How pip reads the text of one requirement: a PEP 508 requirement, or a URL, path or VCS URL
/// whose name comes from `#egg=` or the archive's file name. Shared by requirements files and
/// `pip install` words.
enum RequirementTarget {
    /// What requirement text is.
    enum Form: Equatable {
        case pep508
        case location(RequirementsEntry.Kind)
    }

    static let vcsPrefixes = ["git+", "hg+", "svn+", "bzr+"]
    static let urlPrefixes = ["http://", "https://", "file:", "ftp://"]

    /// Classifies requirement text the way pip does: `name @ url` and plain names are PEP 508;
    /// a VCS or URL scheme, or a path-looking head (`.`, `/`, `~`, a `/` before any `;`, an
    /// archive suffix) is a location.
    static func form(of bytes: ArraySlice<UInt8>) -> Form {
        if isNameThenAt(bytes) { return .pep508 }
        let lower = String(decoding: bytes.prefix(64), as: UTF8.self).lowercased()
        if vcsPrefixes.contains(where: lower.hasPrefix) { return .location(.vcs) }
        if urlPrefixes.contains(where: lower.hasPrefix) { return .location(.url) }
        let head = bytes.prefix { $0 != UInt8(ascii: ";") }
        guard let first = head.first else { return .pep508 }
        if first == UInt8(ascii: ".") || first == UInt8(ascii: "/") || first == UInt8(ascii: "~")
            || head.contains(UInt8(ascii: "/")) || head.contains(UInt8(ascii: "\\")) {
            return .location(.path)
        }
        var trimmed = head[...]
        while let last = trimmed.last, PEP508Bytes.isSpace(last) { trimmed = trimmed.dropLast() }
        let headText = String(decoding: trimmed.suffix(16), as: UTF8.self).lowercased()
        if headText.hasSuffix(".whl") || PythonArchiveName.sourceExtensions.contains(where: headText.hasSuffix) {
            return .location(.path)
        }
        return .pep508
    }

    /// `name`, optional `[extras]`, then `@`: PEP 508's URL form.
    private static func isNameThenAt(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex, PEP508Bytes.isNameCharacter(bytes[index]) { index += 1 }
        guard index > bytes.startIndex else { return false }
        while index < bytes.endIndex, PEP508Bytes.isSpace(bytes[index]) { index += 1 }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") {
            while index < bytes.endIndex, bytes[index] != UInt8(ascii: "]") { index += 1 }
            guard index < bytes.endIndex else { return false }
            index += 1
            while index < bytes.endIndex, PEP508Bytes.isSpace(bytes[index]) { index += 1 }
        }
        return index < bytes.endIndex && bytes[index] == UInt8(ascii: "@")
    }

    /// A location with an optional marker (`https://…/x.whl ; python_version < "3.12"`): pip
    /// splits URLs at `"; "` and paths at `;`.
    struct Location {
        var range: Range<Int>
        var markerRange: Range<Int>?
    }

    /// Splits location text (the whole of `bytes`) into the location and its marker.
    static func splitLocation(_ bytes: [UInt8], kind: RequirementsEntry.Kind) -> Location {
        var end = bytes.count
        var markerStart: Int?
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ";"), kind == .path || (index + 1 < bytes.count && PEP508Bytes.isSpace(bytes[index + 1])) {
                end = index
                markerStart = index + 1
                break
            }
            index += 1
        }
        while end > 0, PEP508Bytes.isSpace(bytes[end - 1]) { end -= 1 }
        return Location(range: 0..<end, markerRange: markerStart.map { $0..<bytes.count })
    }

    /// The requirement a location stands for, when its name is known (`#egg=` or an archive file
    /// name; an archive's version becomes `==V`); `locate` maps byte ranges of `bytes` to spans.
    static func requirement(location bytes: [UInt8], kind: RequirementsEntry.Kind,
                            locate: (Range<Int>) -> SourceSpan) -> Result<(location: String, requirement: Requirement?), PythonSyntaxError> {
        let split = splitLocation(bytes, kind: kind)
        let locationText = String(decoding: bytes[split.range], as: UTF8.self)
        var marker: MarkerExpression?
        if let markerRange = split.markerRange {
            switch MarkerExpression.parse(String(decoding: bytes[markerRange], as: UTF8.self)) {
            case .success(let parsed): marker = parsed
            case .failure(let error): return .failure(error.shifted(by: markerRange.lowerBound))
            }
        }
        guard let archive = PythonArchiveName.identify(Array(bytes[split.range])) else {
            return .success((locationText, nil))
        }
        var specifiers = SpecifierSet()
        if let version = archive.version, kind != .vcs {
            specifiers = SpecifierSet([VersionSpecifier(.equal, version)])
        }
        let requirement = Requirement(
            name: archive.name, specifiers: specifiers, url: locationText, marker: marker, text: locationText,
            span: locate(split.range), nameSpan: locate(archive.nameRange))
        return .success((locationText, requirement))
    }
}
