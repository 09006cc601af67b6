/// Plans compare as values: resume and `flow resume --reload` say which steps of a run changed
/// by comparing its planned steps (``PlanDifference``), every field that decides what a step
/// does or how it is shown, not a fingerprint of a few of them. Lists of named pairs (inputs,
/// env) compare in order, as they were written.

extension PlannedStep: Equatable {
    public static func == (a: PlannedStep, b: PlannedStep) -> Bool {
        a.id == b.id && a.baseID == b.baseID && a.matrix == b.matrix && a.uses == b.uses && a.needs == b.needs
            && a.condition == b.condition && pairsEqual(a.inputs, b.inputs) && a.script == b.script
            && pairsEqual(a.env, b.env) && a.timeout == b.timeout && a.logLimit == b.logLimit && a.retry == b.retry
            && a.continueOnError == b.continueOnError && a.outputs == b.outputs && a.workingDirectory == b.workingDirectory
            && a.name == b.name && a.description == b.description && a.runtimeMatrix == b.runtimeMatrix
            && a.nameTemplate == b.nameTemplate && a.matrixGroup == b.matrixGroup && a.scope == b.scope
            && a.call == b.call && a.cache == b.cache
    }
}

/// Two lists of `(name, value)` pairs, equal in order.
func pairsEqual<V: Equatable>(_ a: [(name: String, value: V)], _ b: [(name: String, value: V)]) -> Bool {
    a.elementsEqual(b) { $0.name == $1.name && $0.value == $1.value }
}

extension PlannedScript: Equatable {
    public static func == (a: PlannedScript, b: PlannedScript) -> Bool {
        a.inputs == b.inputs && a.substitution == b.substitution && a.interpreter == b.interpreter
            && a.interpreterWritten == b.interpreterWritten
    }
}

extension PlannedCache: Equatable {
    public static func == (a: PlannedCache, b: PlannedCache) -> Bool {
        a.paths == b.paths && a.key.elementsEqual(b.key) { x, y in
            switch (x, y) {
            case (.value(let l), .value(let r)): l == r
            case (.files(let l), .files(let r)): l == r
            default: false
            }
        }
    }
}

extension PlannedCall: Equatable {
    public static func == (a: PlannedCall, b: PlannedCall) -> Bool {
        func param(_ p: ParamDefinition) -> [String] {
            [p.name.value, p.kind.value.rawValue, p.defaultValue?.scalar?.value ?? "", String(p.secret)] + p.options.map(\.value)
        }
        return a.file == b.file && a.pipelineName == b.pipelineName && a.params.map(param) == b.params.map(param)
            && pairsEqual(a.env, b.env) && a.secrets == b.secrets && a.secretParams == b.secretParams
            && pairsEqual(a.outputs, b.outputs)
    }
}

extension PlanValue: Equatable {
    public static func == (a: PlanValue, b: PlanValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let l), .bool(let r)): l == r
        case (.number(let l), .number(let r)): l == r
        case (.string(let l), .string(let r)): l == r
        case (.list(let l), .list(let r)): l == r
        case (.mapping(let l), .mapping(let r)): l.elementsEqual(r) { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

extension RuntimeMatrix: Equatable {
    public static func == (a: RuntimeMatrix, b: RuntimeMatrix) -> Bool {
        func axis(_ x: Axis, _ y: Axis) -> Bool {
            switch (x, y) {
            case (.values(let l), .values(let r)): l == r
            case (.expression(let l), .expression(let r)): l == r
            default: false
            }
        }
        func combos(_ l: [[(name: String, value: String)]], _ r: [[(name: String, value: String)]]) -> Bool {
            l.elementsEqual(r) { pairsEqual($0, $1) }
        }
        return a.axes.elementsEqual(b.axes) { $0.name == $1.name && axis($0.axis, $1.axis) } && a.whole == b.whole
            && combos(a.exclude, b.exclude) && combos(a.include, b.include)
    }
}
