import Foundation
/// What validation and `flow steps` know about a step type: its inputs (the schema `with:` is
/// checked against) and its outputs. Built-in types derive it from their typed input
/// (``StepInputSchema``); the user's `steps/<name>/step.yml` types declare it in YAML.
public struct StepTypeSignature: Sendable, Hashable {
    /// Which output names a step of this type has.
    public enum Outputs: Sendable, Hashable {
        /// Always these names.
        case fixed([StepOutput])
        /// Whatever the step's own `outputs:` key declares (`shell`).
        case declaredByStep
        /// These names, and others known only at run time (a stack's Outputs, a wrapped step's
        /// outputs); validation accepts a reference to any name.
        case openEnded([StepOutput], because: String)
    }

    /// The input that holds a script and the input that names its interpreter: the script's
    /// expressions become environment variables, never text (see ``ShellSubstitution``).
    public struct ScriptInputs: Sendable, Hashable {
        public var script: String
        public var interpreter: String

        public init(script: String, interpreter: String) {
            self.script = script
            self.interpreter = interpreter
        }
    }

    public var name: String
    public var summary: String
    public var inputs: [StepInput]
    public var outputs: Outputs
    public var script: ScriptInputs?
    /// A short pipeline step using this type, shown by `flow steps TYPE`.
    public var example: String?
    /// True for types defined under `steps/`, false for built-ins.
    public var isUserDefined: Bool
    /// Checks of the file a literal path input names (a `remediate` runbook), by input name:
    /// validation runs them with the path as written and the step's literal working directory.
    public var fileChecks: [String: InputFileCheck] = [:]

    public init(name: String, summary: String, inputs: [StepInput] = [], outputs: Outputs = .fixed([]),
                script: ScriptInputs? = nil, example: String? = nil, isUserDefined: Bool = false) {
        self.name = name
        self.summary = summary
        self.inputs = inputs
        self.outputs = outputs
        self.script = script
        self.example = example
        self.isUserDefined = isUserDefined
    }

    public func input(_ name: String) -> StepInput? { inputs.first { $0.name == name } }

    /// The output names known before the run.
    public var knownOutputs: [StepOutput] {
        switch outputs {
        case .fixed(let list), .openEnded(let list, _): list
        case .declaredByStep: []
        }
    }
}

/// A check of the contents of a file an input names, run by validation when the path is literal:
/// the file's own problems, located in that file. It reads the file, so it is handed in by the
/// step type (FlowCore stays free of the file system); equal to any other check, as a signature's
/// identity is its name and inputs.
public struct InputFileCheck: Sendable, Hashable {
    public let check: @Sendable (_ path: String, _ workingDirectory: String?) -> [Diagnostic]

    public init(_ check: @escaping @Sendable (_ path: String, _ workingDirectory: String?) -> [Diagnostic]) { self.check = check }

    public static func == (a: InputFileCheck, b: InputFileCheck) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

/// One output a step type declares.
public struct StepOutput: Sendable, Hashable {
    public var name: String
    public var description: String

    public init(_ name: String, _ description: String = "") {
        self.name = name
        self.description = description
    }
}

/// One declared input of a step type.
public struct StepInput: Sendable, Hashable {
    public var name: String
    public var description: String
    public var kind: InputKind
    /// Must be given in `with:` (it has no default).
    public var required: Bool
    /// The value used when `with:` does not give one, as YAML text (`Dockerfile`, `error`, `5m`).
    public var defaultValue: String?
    /// Masked in logs and never stored; reaches the step through the environment only.
    public var secret: Bool

    public init(_ name: String, _ description: String = "", kind: InputKind = .string, required: Bool = false,
                defaultValue: String? = nil, secret: Bool = false) {
        self.name = name
        self.description = description
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.secret = secret
    }
}

/// The registry validation consults: step type name → signature. The engine's `StepRegistry`
/// fills it; FlowCore holds no list of its own.
///
/// A signature may be registered as a way to make it, made on first use and kept: reading a
/// built-in type's input schema decodes its `Input` once with a recording decoder, and doing
/// that for every built-in at every start was a fifth of a one-step run's time. A run reads
/// the signatures of the types its pipeline uses; `flow steps` reads them all.
public struct StepCatalog: Sendable {
    private var entries: [String: Entry] = [:]

    /// A signature, or how to make it once.
    private final class Entry: @unchecked Sendable {
        private let lock = NSLock()
        private var made: StepTypeSignature?
        private let make: @Sendable () -> StepTypeSignature

        init(_ make: @escaping @Sendable () -> StepTypeSignature) { self.make = make }

        var signature: StepTypeSignature {
            lock.lock()
            defer { lock.unlock() }
            if let made { return made }
            let signature = make()
            made = signature
            return signature
        }
    }

    public init() {}

    public mutating func register(_ signature: StepTypeSignature) {
        entries[signature.name] = Entry { signature }
    }

    /// Registers type `name`, its signature made by `make` when first asked for.
    public mutating func register(name: String, _ make: @escaping @Sendable () -> StepTypeSignature) {
        entries[name] = Entry(make)
    }

    public subscript(name: String) -> StepTypeSignature? { entries[name]?.signature }

    /// Every signature (each made now if it was not yet).
    public var types: [String: StepTypeSignature] { entries.mapValues(\.signature) }

    public var names: [String] { entries.keys.sorted() }
}
