/// The functions an expression can call, with their arity. Names are matched case-insensitively.
/// `div`, `max` and `min` are flow's own (GitHub Actions has no arithmetic): the smallest piece
/// that lets a value be derived from a number (`max(1, div(params.batch-size, 2))`).
enum BuiltinFunction: String, CaseIterable, Sendable {
    case contains, startsWith, endsWith, format, join, toJSON, fromJSON, `case`
    case div, max, min
    case success, failure, always, cancelled

    /// The canonical spelling, as documented.
    var name: String { rawValue }

    var minimumArguments: Int {
        switch self {
        case .contains, .startsWith, .endsWith, .div, .max, .min: 2
        case .format, .join, .toJSON, .fromJSON: 1
        case .case: 3
        case .success, .failure, .always, .cancelled: 0
        }
    }

    /// `nil` when any number of further arguments is allowed.
    var maximumArguments: Int? {
        switch self {
        case .contains, .startsWith, .endsWith, .join, .div: 2
        case .format, .max, .min, .case: nil
        case .toJSON, .fromJSON: 1
        case .success, .failure, .always, .cancelled: 0
        }
    }

    /// Whether this is one of the job-status functions that turn off the implicit `success() &&` of a condition.
    var isStatusFunction: Bool {
        switch self {
        case .success, .failure, .always, .cancelled: true
        default: false
        }
    }

    static func named(_ name: String) -> BuiltinFunction? {
        let lowered = name.lowercased()
        return allCases.first { $0.name.lowercased() == lowered }
    }

    /// A message for a call with `count` arguments, or `nil` when the count is allowed.
    func arityProblem(_ count: Int) -> String? {
        if self == .case, count >= minimumArguments, count % 2 == 0 {
            return "`case` takes pairs of a predicate and a value, then a default: an odd number of arguments, but \(count) were given"
        }
        if count >= minimumArguments, count <= maximumArguments ?? .max { return nil }
        let expected: String
        switch (minimumArguments, maximumArguments) {
        case (0, 0): expected = "takes no arguments"
        case (let min, nil): expected = "takes at least \(BuiltinFunction.arguments(min))"
        case (let min, let max?) where min == max: expected = "takes \(BuiltinFunction.arguments(min))"
        case (let min, let max?): expected = "takes \(min) or \(BuiltinFunction.arguments(max))"
        }
        let given = count == 0 ? "none were given" : count == 1 ? "1 was given" : "\(count) were given"
        return "`\(name)` \(expected), but \(given)"
    }

    private static func arguments(_ count: Int) -> String { count == 1 ? "1 argument" : "\(count) arguments" }

    /// The message for a call of a function that does not exist, suggesting the closest real one
    /// (flow's one spelling rule, ``Spelling``).
    static func unknownFunctionMessage(_ name: String) -> String {
        if let closest = Spelling.closest(to: name, among: allCases.map(\.name)) {
            return "unknown function `\(name)`; did you mean `\(closest)`?"
        }
        return "unknown function `\(name)`; the functions are "
            + allCases.map { "`\($0.name)`" }.joined(separator: ", ")
    }
}
