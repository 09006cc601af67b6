import Foundation

/// A path into a JSON document: keys joined by dots, list indexes in brackets, and keys that hold
/// dots or brackets quoted in brackets: `status`, `data.items[0].id`, `[0].name`, `meta["build.sha"]`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public let segments: [Segment]
    public let description: String

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        description = text
        var segments: [Segment] = []
        var rest = Substring(text)
        func fail(_ why: String) -> Problem {
            Problem(description: "path `\(text)`: \(why); write keys joined by dots and indexes in brackets, as `data.items[0].id`")
        }
        guard !rest.isEmpty else { throw fail("it is empty") }
        var expectKey = true
        while !rest.isEmpty {
            if rest.first == "[" {
                rest.removeFirst()
                if rest.first == "\"" {
                    rest.removeFirst()
                    guard let close = rest.firstIndex(of: "\"") else { throw fail("a quoted key is not closed") }
                    segments.append(.key(String(rest[..<close])))
                    rest = rest[rest.index(after: close)...]
                    guard rest.first == "]" else { throw fail("`]` must follow a quoted key") }
                } else {
                    let digits = rest.prefix { $0.isASCII && $0.isNumber }
                    guard !digits.isEmpty, let index = Int(digits), rest.dropFirst(digits.count).first == "]" else {
                        throw fail("an index in brackets must be a number (`[0]`) or a quoted key (`[\"a.b\"]`)")
                    }
                    segments.append(.index(index))
                    rest = rest.dropFirst(digits.count)
                }
                rest.removeFirst()   // ]
                expectKey = false
            } else if rest.first == "." {
                guard !segments.isEmpty, !expectKey else { throw fail("a key is missing before a dot") }
                rest.removeFirst()
                expectKey = true
                guard let next = rest.first, next != "." else { throw fail("a key is missing after a dot") }
            } else {
                guard expectKey else { throw fail("a dot must come between `]` and a key") }
                let key = rest.prefix { $0 != "." && $0 != "[" }
                segments.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
                expectKey = false
            }
        }
        self.segments = segments
    }

    /// The value at this path, or why there is none (naming the part of the path that failed).
    public func value(in document: JSONValue) -> Result<JSONValue, Problem> {
        var current = document
        var walked = ""
        for segment in segments {
            let here = walked
            switch segment {
            case .key(let key):
                walked += walked.isEmpty ? Self.keyText(key, first: true) : Self.keyText(key, first: false)
                guard case .object(let entries) = current else {
                    return .failure(Problem(description: "\(here.isEmpty ? "the body" : "`\(here)`") is \(current.kind), not an object, so it has no key `\(key)`"))
                }
                guard let next = entries[key] else {
                    return .failure(Problem(description: "\(here.isEmpty ? "the body" : "`\(here)`") has no key `\(key)`"))
                }
                current = next
            case .index(let index):
                walked += "[\(index)]"
                guard case .array(let items) = current else {
                    return .failure(Problem(description: "\(here.isEmpty ? "the body" : "`\(here)`") is \(current.kind), not a list, so it has no element [\(index)]"))
                }
                guard index < items.count else {
                    return .failure(Problem(description: "\(here.isEmpty ? "the body" : "`\(here)`") has \(items.count) element\(items.count == 1 ? "" : "s"), no [\(index)]"))
                }
                current = items[index]
            }
        }
        return .success(current)
    }

    static func keyText(_ key: String, first: Bool) -> String {
        if key.contains(".") || key.contains("[") || key.isEmpty { return "[\"\(key)\"]" }
        return first ? key : "." + key
    }
}
