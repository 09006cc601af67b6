/// What validation knows about a step type: its inputs and outputs. Built-in types and the
/// user's `steps/<name>/step.yml` types register here the same way.
public struct StepTypeSignature: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var inputs: [StepInput]
    /// Outputs the type always declares. A `run:` step declares its own under `outputs:`.
    public var outputs: [String]
    /// True for `shell`, whose outputs are whatever the step's `outputs:` declares.
    public var outputsDeclaredByStep: Bool
    /// True for types defined under `steps/`, false for built-ins.
    public var isUserDefined: Bool

    public init(name: String, summary: String, inputs: [StepInput] = [], outputs: [String] = [],
                outputsDeclaredByStep: Bool = false, isUserDefined: Bool = false) {
        self.name = name
        self.summary = summary
        self.inputs = inputs
        self.outputs = outputs
        self.outputsDeclaredByStep = outputsDeclaredByStep
        self.isUserDefined = isUserDefined
    }

    public func input(_ name: String) -> StepInput? { inputs.first { $0.name == name } }
}

/// One declared input of a step type.
public struct StepInput: Sendable, Hashable {
    /// The shape of value an input takes; checked for literal values at validation time.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case string, number, bool, list, mapping, any
    }

    public var name: String
    public var description: String
    public var kind: Kind
    public var required: Bool
    public var defaultValue: String?
    /// Masked in logs and never stored; reaches the step through the environment only.
    public var secret: Bool

    public init(_ name: String, _ description: String = "", kind: Kind = .string, required: Bool = false,
                defaultValue: String? = nil, secret: Bool = false) {
        self.name = name
        self.description = description
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.secret = secret
    }
}

/// The registry validation consults: step type name → signature.
public struct StepCatalog: Sendable {
    public private(set) var types: [String: StepTypeSignature] = [:]

    public init() {}

    /// The catalog every pipeline starts from: the built-in types.
    public static var builtins: StepCatalog {
        var catalog = StepCatalog()
        BuiltinStepTypes.register(into: &catalog)
        return catalog
    }

    public mutating func register(_ signature: StepTypeSignature) {
        types[signature.name] = signature
    }

    public subscript(name: String) -> StepTypeSignature? { types[name] }

    public var names: [String] { types.keys.sorted() }
}

/// The one registration point for step types built into flow. Later step types add their
/// signature here (each from its own module's `register(into:)`).
public enum BuiltinStepTypes {
    public static let shell = StepTypeSignature(
        name: "shell",
        summary: "Runs a script with `bash -eo pipefail` (or `shell:`); outputs are `key=value` lines written to $FLOW_OUTPUT",
        inputs: [
            StepInput("script", "the script to run", required: true),
            StepInput("shell", "the interpreter: bash (default), sh, or a command line such as `python3 {0}`", defaultValue: "bash"),
        ],
        outputsDeclaredByStep: true)

    public static func register(into catalog: inout StepCatalog) {
        catalog.register(shell)
    }
}
