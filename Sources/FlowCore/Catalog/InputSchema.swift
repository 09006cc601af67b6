/// A step type's typed input. Its `Decodable` fields *are* the schema `with:` is checked
/// against: ``InputSchema/fields(of:)`` reads the names, kinds and which are optional from the
/// type itself (by decoding it once with a recording decoder); `help` adds only what a type
/// cannot say — a description, a default, whether a value is secret or a path must exist.
///
/// A non-optional field with a default is filled from the default before decoding, so the
/// step's code reads `input.failOn`, not `input.failOn ?? .error`: the default is written once.
public protocol StepInputSchema: Decodable, Sendable {
    /// Per field (by its key as written in `with:`).
    static var help: [String: InputHelp] { get }
}

/// What a field's type cannot say about it.
public struct InputHelp: Sendable, Hashable {
    public var description: String
    /// As YAML text: `Dockerfile`, `error`, `5m`, `true`.
    public var defaultValue: String?
    public var secret: Bool
    /// For a path: validation checks that a literal value exists.
    public var mustExist: Bool

    public init(_ description: String, default defaultValue: String? = nil, secret: Bool = false, mustExist: Bool = false) {
        self.description = description
        self.defaultValue = defaultValue
        self.secret = secret
        self.mustExist = mustExist
    }
}

/// A field type with a kind of its own (an enum of words, a duration, a path). `placeholder` is
/// any valid value; the schema reader returns it while it records the field.
public protocol InputValue: Decodable {
    static var inputKind: InputKind { get }
    static var placeholder: Self { get }
}

/// An enum of words as an input: `fail-on: error`. Its cases are the choices.
public protocol InputChoice: InputValue, CaseIterable, RawRepresentable, Sendable where RawValue == String {}

extension InputChoice {
    public static var inputKind: InputKind { .choice(allCases.map(\.rawValue)) }
    public static var placeholder: Self {
        guard let first = allCases.first else { preconditionFailure("\(Self.self) has no cases") }
        return first
    }
}

/// A path as an input: relative paths start at the step's working directory.
public struct InputPath: InputValue, Sendable, Hashable, CustomStringConvertible {
    public var path: String

    public init(_ path: String) { self.path = path }

    public init(from decoder: any Decoder) throws {
        path = try decoder.singleValueContainer().decode(String.self)
    }

    public static var inputKind: InputKind { .path(mustExist: false) }
    public static var placeholder: InputPath { InputPath(".") }
    public var description: String { path }
}

/// One path or a list of them: `requirements: requirements.txt` or `requirements: [a.txt, b.txt]`.
public struct InputPaths: InputValue, Sendable, Hashable {
    public var paths: [InputPath]

    public init(_ paths: [InputPath]) { self.paths = paths }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            paths = [InputPath(one)]
        } else {
            paths = try container.decode([InputPath].self)
        }
    }

    public static var inputKind: InputKind { .either([.list(.path(mustExist: false)), .path(mustExist: false)]) }
    public static var placeholder: InputPaths { InputPaths([]) }
}

extension DurationValue: InputValue, Decodable {
    public static var inputKind: InputKind { .duration }
    public static var placeholder: DurationValue { DurationValue(milliseconds: 0) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch DurationValue.parse(text) {
        case .success(let value): self = value
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.message(for: "the value"))
        }
    }
}

extension ByteSize: InputValue, Decodable {
    public static var inputKind: InputKind { .size }
    public static var placeholder: ByteSize { ByteSize(bytes: 0) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch ByteSize.parse(text) {
        case .success(let value): self = value
        case .failure(let problem):
            throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.message(for: "the value"))
        }
    }
}

/// Reading a schema from a type.
public enum InputSchema {
    /// The inputs of `type`, in declaration order.
    public static func fields<T: StepInputSchema>(of type: T.Type) -> [StepInput] {
        guard case .object(let fields)? = try? SchemaProbe.kindAndValue(T.self, depth: 0).kind else { return [] }
        return fields
    }

    /// `help` keys that name no field: a misspelt key in a step type's own code (a test checks
    /// every built-in has none).
    public static func unmatchedHelp<T: StepInputSchema>(of type: T.Type) -> [String] {
        let names = Set(fields(of: type).map(\.name))
        return T.help.keys.filter { !names.contains($0) }.sorted()
    }
}

/// Collections the probe reaches through their element type.
protocol ProbedCollection {
    static func probe(depth: Int) throws -> (kind: InputKind, value: Any)
}

extension Array: ProbedCollection where Element: Decodable {
    static func probe(depth: Int) throws -> (kind: InputKind, value: Any) {
        let (kind, element) = try SchemaProbe.kindAndValue(Element.self, depth: depth + 1)
        return (.list(kind), [element])
    }
}

extension Dictionary: ProbedCollection where Key == String, Value: Decodable {
    static func probe(depth: Int) throws -> (kind: InputKind, value: Any) {
        let (kind, _) = try SchemaProbe.kindAndValue(Value.self, depth: depth + 1)
        return (.mapping(kind), [String: Value]())
    }
}

/// The recording decoder: decodes a type once, answering every field with a placeholder and
/// noting its name, kind and whether it is optional.
enum SchemaProbe {
    struct Unsupported: Error {}

    final class Recorder {
        var fields: [(name: String, kind: InputKind, optional: Bool)] = []
    }

    static func kindAndValue<T: Decodable>(_ type: T.Type, depth: Int) throws -> (kind: InputKind, value: T) {
        guard depth < 16 else { throw Unsupported() }
        func cast(_ value: Any) throws -> T {
            guard let typed = value as? T else { throw Unsupported() }
            return typed
        }
        switch type {
        case is String.Type: return (.string, try cast(""))
        case is Bool.Type: return (.bool, try cast(false))
        case is Int.Type: return (.integer, try cast(0))
        case is Double.Type: return (.number, try cast(0.0))
        default: break
        }
        if let value = type as? any InputValue.Type { return (value.inputKind, try cast(value.placeholder)) }
        if let collection = type as? any ProbedCollection.Type {
            let (kind, value) = try collection.probe(depth: depth)
            return (kind, try cast(value))
        }
        let recorder = Recorder()
        let value = try T(from: ProbeDecoder(recorder: recorder, depth: depth))
        let help = (type as? any StepInputSchema.Type)?.help ?? [:]
        let fields = recorder.fields.map { field -> StepInput in
            let h = help[field.name]
            var kind = field.kind
            if case .path = kind, h?.mustExist == true { kind = .path(mustExist: true) }
            return StepInput(field.name, h?.description ?? "", kind: kind,
                             required: !field.optional && h?.defaultValue == nil,
                             defaultValue: h?.defaultValue, secret: h?.secret ?? false)
        }
        return (.object(fields), value)
    }

    struct ProbeDecoder: Decoder {
        let recorder: Recorder
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed<Key>(recorder: recorder, depth: depth))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw Unsupported() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { throw Unsupported() }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        let depth: Int
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        func record<T: Decodable>(_ type: T.Type, _ key: Key, optional: Bool) throws -> T {
            let (kind, value) = try SchemaProbe.kindAndValue(type, depth: depth + 1)
            recorder.fields.append((key.stringValue, kind, optional))
            return value
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try record(type, key, optional: false) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try record(type, key, optional: true) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try record(type, key, optional: false) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try record(type, key, optional: true) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try record(type, key, optional: false) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try record(type, key, optional: true) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try record(type, key, optional: false) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try record(type, key, optional: true) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try record(type, key, optional: false) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try record(type, key, optional: true) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw Unsupported()
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw Unsupported() }
        func superDecoder() throws -> any Decoder { throw Unsupported() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw Unsupported() }
    }
}
