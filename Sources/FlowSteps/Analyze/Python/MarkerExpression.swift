/// A PEP 508 environment marker (`python_version >= "3.9" and sys_platform == "linux"`) as a tree,
/// evaluated against an environment with three-valued logic (nil = unknown).
public indirect enum MarkerExpression: Sendable, Hashable, CustomStringConvertible {
    /// A side of a comparison: an environment variable or a quoted string.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case variable(String)
        case literal(String)

        /// The normalized text.
        public var description: String {
            switch self {
            case .variable(let name): name
            case .literal(let text): text.contains("\"") ? "'\(text)'" : "\"\(text)\""
            }
        }
    }

    /// The marker operators: PEP 440's comparisons, `in`, `not in`.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case compatible = "~="
        case arbitrary = "==="
        case equal = "=="
        case notEqual = "!="
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case less = "<"
        case greater = ">"
        case isIn = "in"
        case notIn = "not in"
    }

    case comparison(Value, Operator, Value)
    /// Every operand holds (`and`).
    case all([MarkerExpression])
    /// Some operand holds (`or`).
    case any([MarkerExpression])

    /// The environment variables PEP 508 defines (the legacy dotted names map onto them).
    public static let variables: Set<String> = [
        "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
        "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
        "implementation_name", "implementation_version", "extra", "extras", "dependency_groups",
    ]

    static let legacyVariables: [String: String] = [
        "os.name": "os_name", "sys.platform": "sys_platform", "platform.version": "platform_version",
        "platform.machine": "platform_machine", "platform.python_implementation": "platform_python_implementation",
        "python_implementation": "platform_python_implementation",
    ]

    /// The normalized text.
    public var description: String {
        switch self {
        case .comparison(let left, let op, let right): "\(left) \(op.rawValue) \(right)"
        case .all(let operands): operands.map { $0.parenthesized(inside: "and") }.joined(separator: " and ")
        case .any(let operands): operands.map { $0.parenthesized(inside: "or") }.joined(separator: " or ")
        }
    }

    private func parenthesized(inside: String) -> String {
        switch self {
        case .comparison: description
        case .all where inside == "or": description
        default: "(\(description))"
        }
    }

    /// Evaluates the marker: true or false, or nil when it depends on a variable `environment`
    /// does not hold (`false and unknown` is false, `true or unknown` is true).
    public func evaluate(environment: [String: String]) -> Bool? {
        switch self {
        case .comparison(let left, let op, let right):
            return Self.compare(left, op, right, environment: environment)
        case .all(let operands):
            var result: Bool? = true
            for operand in operands {
                switch operand.evaluate(environment: environment) {
                case false?: return false
                case nil: result = nil
                case true?: break
                }
            }
            return result
        case .any(let operands):
            var result: Bool? = false
            for operand in operands {
                switch operand.evaluate(environment: environment) {
                case true?: return true
                case nil: result = nil
                case false?: break
                }
            }
            return result
        }
    }

    private static func compare(_ left: Value, _ op: Operator, _ right: Value, environment: [String: String]) -> Bool? {
        let isExtra = left == .variable("extra") || right == .variable("extra")
        guard var lhs = resolve(left, environment), var rhs = resolve(right, environment) else { return nil }
        if isExtra {
            lhs = Requirement.normalize(lhs)
            rhs = Requirement.normalize(rhs)
        }
        switch op {
        case .isIn: return rhs.contains(lhs)
        case .notIn: return !rhs.contains(lhs)
        default: break
        }
        if let version = PythonVersion.parse(lhs), case .success(let clause) = VersionSpecifier.parse(op.rawValue + rhs) {
            return clause.contains(version, prereleases: true)
        }
        switch op {
        case .equal, .arbitrary: return lhs == rhs
        case .notEqual: return lhs != rhs
        case .less: return lhs < rhs
        case .lessOrEqual: return lhs <= rhs
        case .greater: return lhs > rhs
        case .greaterOrEqual: return lhs >= rhs
        case .compatible, .isIn, .notIn: return nil
        }
    }

    private static func resolve(_ value: Value, _ environment: [String: String]) -> String? {
        switch value {
        case .literal(let text): text
        case .variable(let name): environment[name]
        }
    }
}
