import Foundation

/// A dotted version of a stack component (torch, torchvision, CUDA, Python, glibc, an OS), as far as
/// the knowledge tables need one: numeric release components, an optional pre-release part
/// (`2.4.0a0`) and an optional local part (`+cu121`, `+3bcc3cd.nv24.07`). Ordering compares the
/// release (zero-padded), then pre-releases before the release; the local part never orders.
public struct StackVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `[2, 4, 1]` for `2.4.1`.
    public var release: [Int]
    /// `a0` in `2.4.0a0`, `rc1` in `2.5.0rc1`, `dev20240101` in `2.6.0.dev20240101`.
    public var preRelease: String?
    /// What follows `+`: `cu121`, `cpu`, `3bcc3cd.nv24.07`.
    public var local: String?
    /// The text as written.
    public var text: String

    /// The longest text `parse` looks at; anything longer is not a version.
    static let maximumLength = 128

    /// Creates a version from its release components.
    public init(_ release: [Int], preRelease: String? = nil, local: String? = nil) {
        self.release = release
        self.preRelease = preRelease
        self.local = local
        var text = release.map(String.init).joined(separator: ".")
        if let preRelease { text += preRelease }
        if let local { text += "+" + local }
        self.text = text
    }

    /// Parses `2.4.1`, `v2.4`, `2.4.0a0+3bcc3cd`, `2.4.1+cu121`, `12.4.1`, `3.12`; nil for anything
    /// that does not start with a number.
    public static func parse(_ text: String) -> StackVersion? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maximumLength else { return nil }
        var body = Substring(trimmed)
        if body.first == "v" || body.first == "V" { body = body.dropFirst() }
        var local: String?
        if let plus = body.firstIndex(of: "+") {
            let suffix = body[body.index(after: plus)...]
            guard !suffix.isEmpty else { return nil }
            local = String(suffix)
            body = body[..<plus]
        }
        var release: [Int] = []
        var index = body.startIndex
        while index < body.endIndex {
            var digits = ""
            while index < body.endIndex, let digit = body[index].wholeNumberValue, body[index].isASCII {
                digits.append(Character(String(digit)))
                index = body.index(after: index)
                if digits.count > 9 { return nil }
            }
            guard let number = Int(digits) else { break }
            release.append(number)
            guard index < body.endIndex, body[index] == "." else { break }
            let next = body.index(after: index)
            guard next < body.endIndex, body[next].isASCII, body[next].isNumber else { break }
            index = next
        }
        guard !release.isEmpty else { return nil }
        var rest = body[index...]
        if rest.first == "." || rest.first == "-" || rest.first == "_" { rest = rest.dropFirst() }
        let preRelease = rest.isEmpty ? nil : String(rest)
        if let preRelease, !preRelease.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }) {
            return nil
        }
        var version = StackVersion(release, preRelease: preRelease, local: local)
        version.text = trimmed
        return version
    }

    /// The first component (`2` of `2.4.1`).
    public var major: Int { release.first ?? 0 }
    /// The second component, 0 when absent.
    public var minor: Int { release.count > 1 ? release[1] : 0 }
    /// The third component, when written.
    public var patch: Int? { release.count > 2 ? release[2] : nil }

    /// `2.4` for `2.4.1+cu121`: the release line.
    public var line: StackVersion { StackVersion([major, minor]) }
    /// The version without its local part (`2.4.1` for `2.4.1+cu121`).
    public var publicVersion: StackVersion { StackVersion(release, preRelease: preRelease) }
    /// Major and minor as text (`3.12`).
    public var majorMinor: String { "\(major).\(minor)" }
    /// Whether both name the same major.minor.
    public func sameLine(as other: StackVersion) -> Bool { major == other.major && minor == other.minor }

    public var description: String { text }

    public static func == (a: StackVersion, b: StackVersion) -> Bool {
        compareRelease(a.release, b.release) == 0 && a.preRelease == b.preRelease && a.local == b.local
    }

    public func hash(into hasher: inout Hasher) {
        var trimmed = release
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
        hasher.combine(preRelease)
        hasher.combine(local)
    }

    public static func < (a: StackVersion, b: StackVersion) -> Bool {
        let order = compareRelease(a.release, b.release)
        if order != 0 { return order < 0 }
        switch (a.preRelease, b.preRelease) {
        case (nil, nil): return false
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?): return x.compare(y, options: .numeric) == .orderedAscending
        }
    }

    /// Release comparison, shorter lists padded with zeros: -1, 0 or 1.
    static func compareRelease(_ a: [Int], _ b: [Int]) -> Int {
        let count = max(a.count, b.count)
        for index in 0..<count {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
