/// The shape of value a step input takes. Validation checks every literal value of `with:`
/// against it, nested values included; the engine coerces evaluated values to it before the
/// step type decodes them.
public indirect enum InputKind: Sendable, Hashable {
    case string
    case integer
    case number
    case bool
    /// `30s`, `5m`, `1h30m` (a ``DurationValue``).
    case duration
    /// `512KiB`, `10MiB` or a number of bytes (a ``ByteSize``).
    case size
    /// A file or folder, relative to the step's working directory; `mustExist` is checked at
    /// validation time when the path is literal.
    case path(mustExist: Bool)
    /// One of these words.
    case choice([String])
    case list(InputKind)
    /// A mapping of any keys to values of one kind (`build-args`, `labels`).
    case mapping(InputKind)
    /// A mapping of named fields (a nested input).
    case object([StepInput])
    /// Any of these kinds (a list of files, or one file).
    case either([InputKind])
    /// A script whose `${{ }}` become environment variables (see ``StepTypeSignature/ScriptInputs``).
    case script
    case any

    /// The kind for `type:` in a user step type's `step.yml`.
    public static let userTypeNames: [String: InputKind] = [
        "string": .string, "number": .number, "integer": .integer, "bool": .bool,
        "list": .list(.any), "mapping": .mapping(.any), "duration": .duration, "any": .any,
    ]

    /// What a value of this kind looks like, for messages and `flow steps`: `a list of strings`.
    public var phrase: String {
        switch self {
        case .string, .script: "a string"
        case .integer: "an integer such as `3`"
        case .number: "a number such as `0.5`"
        case .bool: "`true` or `false`"
        case .duration: "a duration such as `30s`, `5m` or `1h30m`"
        case .size: "a size such as `512KiB` or `10MiB`"
        case .path: "a path"
        case .choice(let options): "one of " + options.map { "`\($0)`" }.joined(separator: ", ")
        case .list(let element): "a list of " + element.pluralPhrase
        case .mapping(let value): "a mapping of names to " + value.pluralPhrase
        case .object(let fields): "a mapping with keys " + fields.map { "`\($0.name)`" }.joined(separator: ", ")
        case .either(let kinds): kinds.map(\.phrase).joined(separator: " or ")
        case .any: "any value"
        }
    }

    /// A short name for `flow steps`: `string`, `list of path`, `error|warning|note|never`.
    public var shortName: String {
        switch self {
        case .string: "string"
        case .script: "script"
        case .integer: "integer"
        case .number: "number"
        case .bool: "bool"
        case .duration: "duration"
        case .size: "size"
        case .path: "path"
        case .choice(let options): options.joined(separator: "|")
        case .list(let element): "list of \(element.shortName)"
        case .mapping(let value): "mapping of \(value.shortName)"
        case .object: "mapping"
        case .either(let kinds): kinds.map(\.shortName).joined(separator: " or ")
        case .any: "any"
        }
    }

    var pluralPhrase: String {
        switch self {
        case .string, .script: "strings"
        case .integer: "integers"
        case .number: "numbers"
        case .bool: "booleans"
        case .duration: "durations"
        case .size: "sizes"
        case .path: "paths"
        case .choice(let options): options.map { "`\($0)`" }.joined(separator: "/") + " values"
        case .list: "lists"
        case .mapping, .object: "mappings"
        case .either, .any: "values"
        }
    }
}
