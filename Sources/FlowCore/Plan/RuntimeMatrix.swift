/// A matrix whose combinations are known only when the run reaches its step: an axis's values
/// (`item: ${{ fromJSON(steps.X.outputs.Y) }}`) or the whole matrix
/// (`matrix: ${{ fromJSON(steps.X.outputs.M) }}`, a mapping of lists with `include`/`exclude`)
/// from an expression over the outputs of steps it needs. Computed by the run's scheduler.
public struct RuntimeMatrix: Sendable {
    public enum Axis: Sendable {
        case values([String])
        case expression(Expression)
    }

    public var axes: [(name: String, axis: Axis)] = []
    public var whole: Expression?
    public var exclude: [[(name: String, value: String)]] = []
    public var include: [[(name: String, value: String)]] = []

    /// GitHub's bound on one matrix: a step fans out to at most this many instances.
    public static let maxCombinations = 256

    public init(axes: [(name: String, axis: Axis)] = [], whole: Expression? = nil,
                exclude: [[(name: String, value: String)]] = [], include: [[(name: String, value: String)]] = []) {
        self.axes = axes
        self.whole = whole
        self.exclude = exclude
        self.include = include
    }

    public struct Problem: Error, Sendable {
        public var message: String
    }

    /// The combinations for the values `context` holds now, or why there are none to run.
    public func combinations(in context: EvaluationContext, step: String) throws(Problem) -> [MatrixCombination] {
        var axisValues: [(name: String, values: [String])] = []
        var exclude = self.exclude
        var include = self.include
        if let whole {
            guard case .object(let members) = try Self.evaluate(whole, context) else {
                throw Problem(message: "the matrix expression gives \(try Self.kind(whole, context)); it must give a mapping of lists, e.g. `fromJSON('{\"os\": [\"linux\"]}')`")
            }
            for key in members.keys.sorted() {
                switch key {
                case "include": include += try Self.entries(members[key]!, "include")
                case "exclude": exclude += try Self.entries(members[key]!, "exclude")
                default: axisValues.append((key, try Self.list(members[key]!, "matrix axis `\(key)`")))
                }
            }
        }
        for (name, axis) in axes {
            switch axis {
            case .values(let values): axisValues.append((name, values))
            case .expression(let expression):
                axisValues.append((name, try Self.list(try Self.evaluate(expression, context), "matrix axis `\(name)`")))
            }
        }
        let combinations = Matrix.combinations(axes: axisValues, exclude: exclude, include: include)
        guard !combinations.isEmpty else { throw Problem(message: "the matrix has no combinations: there is nothing to run") }
        guard combinations.count <= Self.maxCombinations else {
            throw Problem(message: "the matrix has \(combinations.count) combinations; a matrix runs at most \(Self.maxCombinations)")
        }
        var seen = Set<String>()
        for combination in combinations where !seen.insert(combination.stepID(base: step)).inserted {
            throw Problem(message: "the matrix gives `\(combination.stepID(base: step))` twice; its combinations must differ")
        }
        return combinations
    }

    private static func evaluate(_ expression: Expression, _ context: EvaluationContext) throws(Problem) -> ExpressionValue {
        do {
            return try expression.evaluate(in: context)
        } catch {
            throw Problem(message: "the matrix could not be computed: \(error.message)")
        }
    }

    private static func kind(_ expression: Expression, _ context: EvaluationContext) throws(Problem) -> String {
        switch try evaluate(expression, context) {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "text (use `fromJSON` to read JSON text)"
        case .array: "a list"
        case .object: "a mapping"
        }
    }

    /// A list of scalars, as the values of one axis.
    private static func list(_ value: ExpressionValue, _ what: String) throws(Problem) -> [String] {
        guard case .array(let items) = value else {
            let found = if case .string = value { "text (use `fromJSON` to read JSON text)" } else { "not a list" }
            throw Problem(message: "\(what) is \(found); it must be a list of values")
        }
        var values: [String] = []
        for item in items { values.append(try scalar(item, what)) }
        return values
    }

    /// `include`/`exclude`: a list of mappings of scalars.
    private static func entries(_ value: ExpressionValue, _ what: String) throws(Problem) -> [[(name: String, value: String)]] {
        guard case .array(let items) = value else { throw Problem(message: "`\(what)` of the matrix must be a list of mappings") }
        var result: [[(name: String, value: String)]] = []
        for item in items {
            guard case .object(let members) = item else { throw Problem(message: "each entry of `\(what)` must be a mapping") }
            var entry: [(name: String, value: String)] = []
            for key in members.keys.sorted() { entry.append((key, try scalar(members[key]!, "`\(key)` in `\(what)`"))) }
            result.append(entry)
        }
        return result
    }

    /// A matrix value: a string, number or boolean, written as text; it reaches the step's id,
    /// its environment and its log folder's name, so it holds no NUL.
    private static func scalar(_ value: ExpressionValue, _ what: String) throws(Problem) -> String {
        switch value {
        case .string(let s) where s.contains("\0"): throw Problem(message: "a value of \(what) holds a NUL character")
        case .string, .number, .bool: return value.stringValue
        case .null: throw Problem(message: "a value of \(what) is null; values are strings, numbers or booleans")
        case .array, .object: throw Problem(message: "a value of \(what) is a list or mapping; values are strings, numbers or booleans")
        }
    }
}

/// The instances of one matrix step, for what applies to them together: `fail-fast` stops the
/// others when one fails; `max-parallel` bounds how many run at once.
public struct MatrixGroup: Sendable, Hashable {
    public var base: String
    public var failFast: Bool
    public var maxParallel: Int?

    public init(base: String, failFast: Bool, maxParallel: Int?) {
        self.base = base
        self.failFast = failFast
        self.maxParallel = maxParallel
    }
}
