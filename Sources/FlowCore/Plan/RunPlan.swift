/// What a run will do, decided before anything runs: the validated pipeline with params
/// resolved, matrices expanded and steps ordered. The engine executes it; `--dry-run` and
/// `flow graph` print it; tests assert on it.
public struct RunPlan: Sendable {
    public var pipelineName: String
    public var file: String
    public var description: String?
    /// Parameter values after defaults, the profile and `--param`, in declaration order.
    public var params: [(name: String, value: ExpressionValue)]
    public var profile: String?
    public var env: [(name: String, value: Template)]
    /// Names of environment variables whose values are masked everywhere.
    public var secrets: [String]
    /// Params whose values are masked everywhere and never stored, in declaration order:
    /// declared `secret: true`, or feeding the `env:` value of a secret name.
    public var secretParams: [String] = []
    /// Secret values written in the file itself (defaults and profile values of secret params,
    /// literal `env:` values of secret names): masked from the run's first byte.
    public var fileSecrets: [String] = []
    public var maxParallel: Int
    /// The run's concurrency group, its name rendered with this run's params.
    public var concurrency: ConcurrencyGroup?
    /// Every step instance, each after all the steps it needs.
    public var steps: [PlannedStep]
    /// The image map (`images:` of the pipeline, then its profile, then `--image`): a name a
    /// step gives → the image used instead; values may use `${{ params.* }}` and `${{ env.* }}`.
    public var images: [(name: String, value: Template)] = []
    /// The `--image` overrides among them, as given (stored with the run for resume).
    public var imageOverrides: [(name: String, value: String)] = []
    /// Set when the plan was narrowed with `--only`: what was asked for (see `RunPlan+Selection`).
    public var selection: Selection? = nil
    /// The pipeline's `outputs:`, in declaration order, computed when the run ends.
    public var outputs: [(name: String, value: Template)] = []

    /// Steps run at most this many at once unless the pipeline or `--max-parallel` says otherwise.
    public static let defaultMaxParallel = 4

    public func step(_ id: String) -> PlannedStep? { steps.first { $0.id == id } }

    /// The plan's steps as a graph, indices matching `steps`.
    public var graph: StepGraph { StepGraph(ids: steps.map(\.id), needs: steps.map(\.needs)) }
}

/// Runs of one group across processes (`concurrency:`), with the group's name rendered.
public struct ConcurrencyGroup: Sendable, Hashable {
    public var name: String
    public var policy: Concurrency.Policy

    public init(name: String, policy: Concurrency.Policy) {
        self.name = name
        self.policy = policy
    }
}

/// One step instance of a plan (a matrix step contributes one per combination).
public struct PlannedStep: Sendable {
    public var id: String
    /// The id as written, before matrix expansion.
    public var baseID: String
    public var matrix: MatrixCombination?
    public var uses: String
    /// Instance ids this step waits for.
    public var needs: [String]
    /// `nil` means the default, `success()`.
    public var condition: Expression?
    public var inputs: [(name: String, value: PlanValue)]
    /// For step types that take a script (`shell`, so every `run:` step): the script, for bash and
    /// sh with expressions replaced by environment references, and its interpreter.
    public var script: PlannedScript?
    public var env: [(name: String, value: Template)]
    public var timeout: DurationValue?
    /// Bytes each attempt's log keeps (first and last half); nil keeps everything.
    public var logLimit: Int?
    public var retry: RetryPolicy
    public var continueOnError: Bool
    public var outputs: [String]
    public var workingDirectory: Template?
    /// `name:`, rendered (what people read); nil shows the id.
    public var name: String? = nil
    public var description: String? = nil
    /// Set on the one planned step of a matrix computed at run time: the run's scheduler fans it
    /// out into instances (`id[key=value,…]`) when it is reached, and it ends when they have.
    public var runtimeMatrix: RuntimeMatrix? = nil
    /// On such a step, a `name` that reads `matrix`: rendered for each instance when it is made;
    /// inside a sub-pipeline, a `name` with an expression: rendered when the run enters it.
    public var nameTemplate: Template? = nil
    /// The matrix this instance belongs to (`fail-fast`, `max-parallel`).
    public var matrixGroup: MatrixGroup? = nil
    /// Inside a sub-pipeline: the id of the step that runs it (the innermost one). Its
    /// expressions read that sub-pipeline's `params`, `env`, `pipeline` and `steps` (by their
    /// ids there, without the prefix).
    public var scope: String? = nil
    /// On a step that runs a sub-pipeline (`uses: ./pipelines/x.yml`): what it runs. Its steps
    /// follow it in the plan, those that need nothing there needing it; it is entered (its
    /// `with:` evaluated as the params) when it is reached, and ends when they have.
    public var call: PlannedCall? = nil
    /// `cache:`: the step is memoized.
    public var cache: PlannedCache? = nil

    /// The id this step has in its sub-pipeline (without the prefix), or its id.
    public var localID: String { scope.map { String(id.dropFirst($0.count + 1)) } ?? id }
}

/// A memoized step's `cache:` (``StepCache``), ready: its key's values as templates, its
/// patterns and paths as written.
public struct PlannedCache: Sendable {
    public enum KeyPart: Sendable {
        case value(Template)
        case files([String])
    }

    public var key: [KeyPart]
    public var paths: [String]

    public init(key: [KeyPart], paths: [String]) {
        self.key = key
        self.paths = paths
    }
}

/// What a sub-pipeline step runs: the pipeline's params (filled from the step's `with:`, then
/// their defaults), its `env:` (over flow's own environment, not the caller's `env:`, as a
/// GitHub reusable workflow), its secret names and params, and its `outputs:` (the step's).
public struct PlannedCall: Sendable {
    public var file: String
    public var pipelineName: String
    public var params: [ParamDefinition]
    public var env: [(name: String, value: Template)]
    public var secrets: [String]
    public var secretParams: [String]
    public var outputs: [(name: String, value: Template)]

    public init(file: String, pipelineName: String, params: [ParamDefinition], env: [(name: String, value: Template)],
                secrets: [String], secretParams: [String], outputs: [(name: String, value: Template)]) {
        self.file = file
        self.pipelineName = pipelineName
        self.params = params
        self.env = env
        self.secrets = secrets
        self.secretParams = secretParams
        self.outputs = outputs
    }
}

/// A step's script, ready: which inputs receive it, the text with expressions replaced by
/// `FLOW_EXPR_n` references (whose values arrive in the environment), and the interpreter.
public struct PlannedScript: Sendable {
    public var inputs: StepTypeSignature.ScriptInputs
    public var substitution: ShellSubstitution
    public var interpreter: String
    /// Whether the step wrote `shell:`; when it did not, the interpreter input is left unset
    /// (bash, and a one-command script may be started without it: ``SimpleCommand``).
    public var interpreterWritten: Bool

    public init(inputs: StepTypeSignature.ScriptInputs, substitution: ShellSubstitution, interpreter: String, interpreterWritten: Bool = true) {
        self.inputs = inputs
        self.substitution = substitution
        self.interpreter = interpreter
        self.interpreterWritten = interpreterWritten
    }
}

/// An input value with its strings parsed as templates, ready to be evaluated at run time.
public indirect enum PlanValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(Template)
    case list([PlanValue])
    case mapping([(key: String, value: PlanValue)])
}

extension PlanValue {
    /// The value with its templates evaluated in `context`.
    public func evaluate(in context: EvaluationContext) throws -> ExpressionValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let template): return try template.evaluate(in: context)
        case .list(let items): return .array(try items.map { try $0.evaluate(in: context) })
        case .mapping(let pairs):
            var object: [String: ExpressionValue] = [:]
            for (key, v) in pairs { object[key] = try v.evaluate(in: context) }
            return .object(object)
        }
    }
}
