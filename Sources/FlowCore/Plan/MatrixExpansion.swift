/// One combination of a matrix: axis values in the order the axes were written, then any
/// keys `include` added.
public struct MatrixCombination: Sendable, Hashable {
    public var values: [(name: String, value: String)]

    public init(_ values: [(name: String, value: String)]) { self.values = values }

    public subscript(name: String) -> String? { values.first { $0.name == name }?.value }

    /// The id of this instance of step `base`: `build[python=3.11,cuda=12.4]`.
    public func stepID(base: String) -> String {
        base + "[" + values.map { "\($0.name)=\($0.value)" }.joined(separator: ",") + "]"
    }

    public static func == (a: MatrixCombination, b: MatrixCombination) -> Bool {
        a.values.elementsEqual(b.values) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for (n, v) in values { hasher.combine(n); hasher.combine(v) }
    }
}

extension Matrix {
    /// The combinations, GitHub Actions style: the cross product of the axes in the order
    /// written (last axis varying fastest), minus `exclude` entries (all of whose keys match),
    /// then each `include` entry either extends every combination its axis keys match or, when
    /// it matches none, is added as a combination of its own.
    public func combinations() -> [MatrixCombination] {
        Self.combinations(axes: axes.map { ($0.name.value, $0.values.map(\.value)) }, exclude: exclude,
                          include: include.map { $0.map { ($0.name.value, $0.value) } })
    }

    /// The cross product of `axes` minus `exclude`, then `include`, as GitHub Actions computes a
    /// matrix (for one known when the file is read, or one computed at run time).
    public static func combinations(axes: [(name: String, values: [String])], exclude: [[(name: String, value: String)]],
                                    include: [[(name: String, value: String)]]) -> [MatrixCombination] {
        var result: [[(name: String, value: String)]] = [[]]
        for axis in axes {
            result = result.flatMap { partial in axis.values.map { partial + [(axis.name, $0)] } }
        }
        if axes.isEmpty { result = [] }
        result.removeAll { combo in
            exclude.contains { entry in entry.allSatisfy { key in combo.contains { $0.name == key.name && $0.value == key.value } } }
        }
        let axisNames = Set(axes.map(\.name))
        for entry in include {
            let axisPart = entry.filter { axisNames.contains($0.name) }
            let extra = entry.filter { !axisNames.contains($0.name) }
            var matched = false
            if !axisPart.isEmpty {
                for i in result.indices where axisPart.allSatisfy({ key in result[i].contains { $0.name == key.name && $0.value == key.value } }) {
                    matched = true
                    for e in extra {
                        if let j = result[i].firstIndex(where: { $0.name == e.name }) { result[i][j].value = e.value } else { result[i].append((e.name, e.value)) }
                    }
                }
            }
            if !matched { result.append(entry) }
        }
        return result.map(MatrixCombination.init)
    }

    /// Every key a step instance can read as `matrix.<key>` (``anyKey`` when the whole matrix
    /// comes from an expression: its keys are known only at run time).
    public var keys: Set<String> {
        if whole != nil { return [Self.anyKey] }
        return Set(axes.map(\.name.value)).union(include.flatMap { $0.map(\.name.value) })
    }

    /// Stands for any key in ``keys``.
    public static let anyKey = "*"
}
