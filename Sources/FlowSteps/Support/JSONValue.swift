import Foundation
import FlowCore

/// A JSON value with its type kept (a number is not a string, `true` is not `1`): what a
/// health check's `expect.json` compares and reads from a response body, and what
/// `remediate` takes an inline alarm event as.
public enum JSONValue: Sendable, Hashable, InputValue, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public static var inputKind: InputKind { .any }
    public static var placeholder: JSONValue { .null }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// The value of a JSON document, or nil when `data` is not JSON.
    static func parse(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value as the expression language holds it.
    var expressionValue: ExpressionValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.expressionValue))
        case .object(let entries): .object(entries.mapValues(\.expressionValue))
        }
    }

    /// "a number", "a string", for messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Compact JSON text (keys sorted), clipped to 120 characters.
    public var description: String {
        let text = json
        return text.count <= 120 ? text : String(text.prefix(120)) + "…"
    }

    var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return ExpressionValue.number(n).stringValue
        case .string(let s):
            let data = (try? JSONEncoder().encode(s)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let entries):
            return "{" + entries.keys.sorted().map { JSONValue.string($0).json + ":" + entries[$0]!.json }.joined(separator: ",") + "}"
        }
    }
}
