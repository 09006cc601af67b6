/// A length of time written as `500ms`, `30s`, `5m`, `1h30m` or `2d`, kept in milliseconds.
public struct DurationValue: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func seconds(_ s: Int64) -> DurationValue { DurationValue(milliseconds: s * 1000) }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public static func < (a: DurationValue, b: DurationValue) -> Bool { a.milliseconds < b.milliseconds }

    /// Parses `<number><unit>` pieces (units `ms`, `s`, `m`, `h`, `d`); returns an error message on failure.
    public static func parse(_ text: String) -> Result<DurationValue, DurationError> {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var rest = Substring(text).drop { $0 == " " || $0 == "\t" }
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        guard !rest.isEmpty else { return .failure(.empty) }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let number = Double(digits) else { return .failure(.malformed(text)) }
            rest = rest.dropFirst(digits.count).drop { $0 == " " || $0 == "\t" }
            let unitText = rest.prefix { $0.isLetter }
            guard let (_, factor) = units.first(where: { $0.0 == unitText }) else {
                if !unitText.isEmpty { return .failure(.unknownUnit(String(unitText), number: String(digits))) }
                return .failure(rest.isEmpty ? .missingUnit(text) : .malformed(text))
            }
            rest = rest.dropFirst(unitText.count)
            let ms = number * Double(factor)
            guard ms.isFinite, ms < 1e15 else { return .failure(.tooLarge(text)) }
            total += Int64(ms.rounded())
            guard total < 1_000_000_000_000_000 else { return .failure(.tooLarge(text)) }
        }
        return .success(DurationValue(milliseconds: total))
    }

    /// The shortest exact spelling: `1h30m`, `250ms`, `0s`.
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds
        var out = ""
        for (unit, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= factor {
                out += "\(rest / factor)\(unit)"
                rest %= factor
            }
        }
        return out
    }
}

/// Why a duration did not parse.
public enum DurationError: Error, Hashable, Sendable {
    case empty, malformed(String), missingUnit(String), unknownUnit(String, number: String), tooLarge(String)

    /// The message for the value of `what` (`` `timeout` ``, "input `within`").
    public func message(for what: String) -> String {
        switch self {
        case .empty: return Messages.durationEmpty(what)
        case .malformed(let t): return Messages.durationMalformed(what, t)
        case .missingUnit(let t): return Messages.durationMissingUnit(what, t)
        case .unknownUnit(let u, let number): return Messages.durationUnknownUnit(what, u, number: number)
        case .tooLarge(let t): return Messages.durationTooLarge(what, t)
        }
    }
}
