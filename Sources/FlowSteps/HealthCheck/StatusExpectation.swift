import FlowCore

/// `expect.status`: a status, a list of them, or ranges (`200-299`, also as list entries).
/// Kept as written; ``ranges()`` reads it (a bad entry is the step's terminal error, naming it).
public struct StatusExpectation: InputValue, Sendable, Hashable, CustomStringConvertible {
    public var entries: [String]

    public init(_ entries: [String]) { self.entries = entries }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            entries = [one]
        } else if let number = try? container.decode(Int.self) {
            entries = [String(number)]
        } else if let list = try? container.decode([String].self) {
            entries = list
        } else {
            entries = try container.decode([Int].self).map(String.init)
        }
    }

    public static var inputKind: InputKind { .either([.list(.string), .string]) }
    public static var placeholder: StatusExpectation { StatusExpectation([]) }

    /// The default: any 2xx.
    public static let success = StatusExpectation(["200-299"])

    /// The accepted statuses as ranges; a problem naming the entry that is not a status or range.
    public func ranges() -> Result<[ClosedRange<Int>], JSONPath.Problem> {
        var ranges: [ClosedRange<Int>] = []
        for entry in entries {
            let text = entry.trimmingCharacters(in: .whitespaces)
            let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.compactMap { Int($0) }
            guard numbers.count == parts.count, (1...2).contains(numbers.count), numbers.allSatisfy({ (100...599).contains($0) }),
                  numbers.first! <= numbers.last! else {
                return .failure(JSONPath.Problem(description: "input `expect.status`: `\(entry)` is not a status or a range; write `200`, `[200, 204]` or `200-299`"))
            }
            ranges.append(numbers.first!...numbers.last!)
        }
        if ranges.isEmpty {
            return .failure(JSONPath.Problem(description: "input `expect.status` is an empty list; give at least one status or range"))
        }
        return .success(ranges)
    }

    public var description: String { entries.count == 1 ? entries[0] : "[" + entries.joined(separator: ", ") + "]" }
}

/// `expect.header.<name>`: the value the header must have, or text it must contain.
public struct HeaderExpectation: InputValue, Sendable, Hashable {
    public var equals: String?
    public var contains: String?

    public init(equals: String? = nil, contains: String? = nil) {
        self.equals = equals
        self.contains = contains
    }

    private struct Object: Decodable {
        var equals: String?
        var contains: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(String.self) {
            equals = value
        } else {
            let object = try container.decode(Object.self)
            equals = object.equals
            contains = object.contains
        }
    }

    public static var inputKind: InputKind {
        .either([.object([StepInput("equals", "the exact value"), StepInput("contains", "text the value must contain")]), .string])
    }
    public static var placeholder: HeaderExpectation { HeaderExpectation() }
}
