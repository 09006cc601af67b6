/// A name and its value, in order where order matters (image overrides, a pipeline's outputs,
/// a matrix combination's values). Stored as the two-element JSON list `[name, value]`.
public struct NamedValue: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        var list = try decoder.unkeyedContainer()
        name = try list.decode(String.self)
        value = try list.decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var list = encoder.unkeyedContainer()
        try list.encode(name)
        try list.encode(value)
    }
}

extension MatrixCombination: Codable {
    /// A combination is stored as its values in order: `[["python", "3.11"], ["cuda", "12.4"]]`.
    public init(from decoder: any Decoder) throws {
        self.init(try [NamedValue](from: decoder).map { ($0.name, $0.value) })
    }

    public func encode(to encoder: any Encoder) throws {
        try values.map { NamedValue(name: $0.name, value: $0.value) }.encode(to: encoder)
    }
}
