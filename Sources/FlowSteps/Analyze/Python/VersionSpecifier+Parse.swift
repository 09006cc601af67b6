/// Why a specifier or requirement did not parse, and where: `offset`/`length` count UTF-8 bytes
/// from the start of the text that was parsed.
public struct PythonSyntaxError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int
    public var length: Int

    /// Makes a value from its parts.
    public init(_ message: String, offset: Int, length: Int) {
        self.message = message
        self.offset = offset
        self.length = length
    }

    /// The same error moved `by` bytes later (when the text was a slice of a larger one).
    func shifted(by delta: Int) -> PythonSyntaxError {
        PythonSyntaxError(message, offset: offset + delta, length: length)
    }
}

extension VersionSpecifier {
    /// Makes a clause from its parts (no validation: use `parse` for text).
    public init(_ op: Operator, _ version: PythonVersion, wildcard: Bool = false) {
        self.op = op
        self.version = version
        self.isWildcard = wildcard
        self.versionText = version.description + (wildcard ? ".*" : "")
    }

    /// Parses one clause (`>= 2.4`, `==2.4.*`, `~=2.4.0`) with PEP 440's rules: wildcards and local
    /// labels only with `==`/`!=`, `~=` needs two release numbers, `===` takes any text.
    public static func parse(_ text: String) -> Result<VersionSpecifier, PythonSyntaxError> {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, PEP508Bytes.isSpace(bytes[start]) { start += 1 }
        while end > start, PEP508Bytes.isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return .failure(PythonSyntaxError("expected a version clause such as `>=2.4`", offset: 0, length: bytes.count)) }
        let operators = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]
        guard let symbol = operators.first(where: { bytes[start...].starts(with: $0.utf8) }),
              let op = Operator(rawValue: symbol) else {
            return .failure(PythonSyntaxError("expected a comparison operator (`==`, `>=`, `~=`, …) before the version", offset: start, length: end - start))
        }
        var versionStart = start + symbol.utf8.count
        while versionStart < end, PEP508Bytes.isSpace(bytes[versionStart]) { versionStart += 1 }
        let versionText = String(decoding: bytes[versionStart..<end], as: UTF8.self)
        let versionLength = end - versionStart
        guard versionStart < end else {
            return .failure(PythonSyntaxError("`\(symbol)` needs a version", offset: start, length: end - start))
        }
        if let space = bytes[versionStart..<end].firstIndex(where: PEP508Bytes.isSpace) {
            return .failure(PythonSyntaxError("`\(versionText)` is not a version (a comma must separate clauses)", offset: space, length: end - space))
        }
        func failure(_ message: String) -> Result<VersionSpecifier, PythonSyntaxError> {
            .failure(PythonSyntaxError(message, offset: versionStart, length: versionLength))
        }
        if op == .arbitrary {
            return .success(VersionSpecifier(op: op, version: PythonVersion.parse(versionText), isWildcard: false, versionText: versionText))
        }
        var wildcard = false
        var plain = versionText
        if versionText.hasSuffix(".*") {
            guard op == .equal || op == .notEqual else { return failure("`.*` is allowed only with `==` and `!=`") }
            wildcard = true
            plain = String(versionText.dropLast(2))
        }
        guard let version = PythonVersion.parse(plain) else {
            return failure("`\(versionText)` is not a PEP 440 version")
        }
        if wildcard, version.pre != nil || version.post != nil || version.dev != nil || version.local != nil {
            return failure("`.*` may follow only the release numbers (`==2.4.*`), not `\(plain)`")
        }
        if version.local != nil, op != .equal, op != .notEqual {
            return failure("a local version (`+\(version.local ?? "")`) is allowed only with `==`, `!=` and `===`")
        }
        if op == .compatible, version.release.count < 2 {
            return failure("`~=` needs at least two release numbers (`~=\(version.description).0`), got `\(versionText)`")
        }
        return .success(VersionSpecifier(op: op, version: version, isWildcard: wildcard, versionText: versionText))
    }
}
