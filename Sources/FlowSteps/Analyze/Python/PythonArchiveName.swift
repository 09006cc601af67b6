/// What a URL or path says about the distribution it points at: the name from `#egg=name`, or the
/// name and version from a wheel or sdist file name (`torch-2.4.1%2Bcu121-cp311-cp311-linux_x86_64.whl`
/// → torch 2.4.1+cu121).
struct PythonArchiveName: Sendable, Hashable {
    var name: String
    /// Where the name is written in the location text (bytes).
    var nameRange: Range<Int>
    var version: PythonVersion?

    static let sourceExtensions = [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar"]

    /// Identifies the distribution of a URL or path, nil when neither an `egg` fragment nor the
    /// file name tells.
    static func identify(_ bytes: [UInt8]) -> PythonArchiveName? {
        let hash = bytes.firstIndex(of: UInt8(ascii: "#"))
        if let hash, let egg = eggFragment(bytes, from: hash + 1) { return egg }
        let pathEnd = min(hash ?? bytes.count, bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count)
        var baseStart = pathEnd
        while baseStart > 0, bytes[baseStart - 1] != UInt8(ascii: "/"), bytes[baseStart - 1] != UInt8(ascii: "\\") { baseStart -= 1 }
        guard pathEnd - baseStart <= 1024 else { return nil }
        let base = Array(bytes[baseStart..<pathEnd])
        let lower = String(decoding: base, as: UTF8.self).lowercased()
        if lower.hasSuffix(".whl") {
            let parts = base.dropLast(4).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
            guard parts.count == 5 || parts.count == 6, let name = validName(Array(parts[0])) else { return nil }
            let version = PythonVersion.parse(percentDecoded(Array(parts[1])))
            return PythonArchiveName(name: name, nameRange: baseStart..<(baseStart + parts[0].count), version: version)
        }
        guard let ext = sourceExtensions.first(where: { lower.hasSuffix($0) }) else { return nil }
        let stem = Array(base.dropLast(ext.utf8.count))
        var dash = stem.count
        while dash > 0 {
            dash -= 1
            guard stem[dash] == UInt8(ascii: "-") else { continue }
            if let version = PythonVersion.parse(percentDecoded(Array(stem[(dash + 1)...]))), let name = validName(Array(stem[..<dash])) {
                return PythonArchiveName(name: name, nameRange: baseStart..<(baseStart + dash), version: version)
            }
        }
        return nil
    }

    /// `egg=name` among the `&`-separated fragment parameters starting at `start`.
    private static func eggFragment(_ bytes: [UInt8], from start: Int) -> PythonArchiveName? {
        var position = start
        while position < bytes.count {
            let end = bytes[position...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            let parameter = bytes[position..<end]
            if parameter.starts(with: "egg=".utf8) {
                let valueStart = position + 4
                guard let name = validName(Array(bytes[valueStart..<end])) else { return nil }
                return PythonArchiveName(name: name, nameRange: valueStart..<end, version: nil)
            }
            position = end + 1
        }
        return nil
    }

    /// The text when it is a PEP 508 name (letters, digits, `-_.`, starting and ending alphanumeric).
    static func validName(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first, let last = bytes.last, PEP508Bytes.isLetterOrDigit(first), PEP508Bytes.isLetterOrDigit(last),
              bytes.allSatisfy(PEP508Bytes.isNameCharacter) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `%2B` → `+` (invalid escapes stay as written).
    static func percentDecoded(_ bytes: [UInt8]) -> String {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
