extension PythonVersion {
    /// Parses any spelling PEP 440 normalizes: surrounding whitespace, a leading `v`, any case,
    /// `-`/`_`/`.` separators, `alpha`/`beta`/`c`/`pre`/`preview`, `rev`/`r`/`-N` post-releases,
    /// implicit numbers (`1.0a` = `1.0a0`); nil when the text is not a version.
    public init?(_ text: String) {
        guard let version = PythonVersion.parse(text) else { return nil }
        self = version
    }

    /// Parses a version (see `init?(_:)`).
    public static func parse(_ text: String) -> PythonVersion? {
        guard text.utf8.count <= 512 else { return nil }
        var scanner = PythonVersionScanner(Array(text.lowercased().utf8))
        return scanner.version()
    }
}

/// The hand-written scanner behind `PythonVersion.parse`: each optional part either matches and
/// advances or leaves the position where it was.
struct PythonVersionScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func version() -> PythonVersion? {
        skipWhitespace()
        if peek() == UInt8(ascii: "v") { position += 1 }
        guard var first = number() else { return nil }
        var epoch = 0
        if peek() == UInt8(ascii: "!") {
            position += 1
            epoch = first
            guard let releaseStart = number() else { return nil }
            first = releaseStart
        }
        var release = [first]
        while peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            position += 1
            guard let next = number(), release.count < 64 else { return nil }
            release.append(next)
        }
        let pre = preRelease()
        let post = postRelease()
        let dev = developmentalRelease()
        var local: [PythonVersion.LocalSegment] = []
        if peek() == UInt8(ascii: "+") {
            position += 1
            guard let segments = localLabel() else { return nil }
            local = segments
        }
        skipWhitespace()
        guard position == bytes.count else { return nil }
        return PythonVersion(epoch: epoch, release: release, pre: pre, post: post, dev: dev, localSegments: local)
    }

    // MARK: Parts

    private mutating func preRelease() -> (kind: PythonVersion.PreReleaseKind, number: Int)? {
        let start = position
        skipSeparator()
        let labels: [(String, PythonVersion.PreReleaseKind)] = [
            ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta),
            ("preview", .releaseCandidate), ("pre", .releaseCandidate), ("rc", .releaseCandidate), ("c", .releaseCandidate),
        ]
        guard let kind = matchLabel(labels) else {
            position = start
            return nil
        }
        return (kind, implicitNumber())
    }

    private mutating func postRelease() -> Int? {
        let start = position
        if peek() == UInt8(ascii: "-"), isDigit(peek(1)) {
            position += 1
            if let n = number() { return n }
            position = start
            return nil
        }
        skipSeparator()
        guard matchLabel([("post", ()), ("rev", ()), ("r", ())]) != nil else {
            position = start
            return nil
        }
        return implicitNumber()
    }

    private mutating func developmentalRelease() -> Int? {
        let start = position
        skipSeparator()
        guard matchLabel([("dev", ())]) != nil else {
            position = start
            return nil
        }
        return implicitNumber()
    }

    private mutating func localLabel() -> [PythonVersion.LocalSegment]? {
        var segments: [PythonVersion.LocalSegment] = []
        while true {
            let start = position
            while let byte = peek(), isDigit(byte) || isLetter(byte) { position += 1 }
            guard position > start, segments.count < 64 else { return nil }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            if bytes[start..<position].allSatisfy({ isDigit($0) }) {
                guard let n = Self.integer(bytes[start..<position]) else { return nil }
                segments.append(.number(n))
            } else {
                segments.append(.text(text))
            }
            guard let byte = peek(), isSeparator(byte), let next = peek(1), isDigit(next) || isLetter(next) else { break }
            position += 1
        }
        return segments
    }

    // MARK: Pieces

    /// The first label of `labels` (longer spellings are listed before their prefixes) found here.
    private mutating func matchLabel<T>(_ labels: [(String, T)]) -> T? {
        for (label, value) in labels {
            let utf8 = Array(label.utf8)
            let end = position + utf8.count
            guard end <= bytes.count, Array(bytes[position..<end]) == utf8 else { continue }
            position = end
            return value
        }
        return nil
    }

    /// The number after a pre/post/dev label, with an optional separator; 0 when there is none.
    private mutating func implicitNumber() -> Int {
        let start = position
        if let byte = peek(), isSeparator(byte), isDigit(peek(1)) { position += 1 }
        if let n = number() { return n }
        position = start
        return 0
    }

    private mutating func number() -> Int? {
        let start = position
        while let byte = peek(), isDigit(byte) { position += 1 }
        guard position > start, let n = Self.integer(bytes[start..<position]) else {
            position = start
            return nil
        }
        return n
    }

    /// Decimal digits as an integer, nil when it exceeds `PythonVersion.maximumComponent`.
    static func integer(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            let next = Int(digit - UInt8(ascii: "0"))
            guard value <= (PythonVersion.maximumComponent - next) / 10 else { return nil }
            value = value * 10 + next
        }
        return value
    }

    private mutating func skipSeparator() {
        if let byte = peek(), isSeparator(byte) { position += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        position + ahead < bytes.count ? bytes[position + ahead] : nil
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
