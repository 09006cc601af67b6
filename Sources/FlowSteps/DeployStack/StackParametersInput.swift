import Foundation
import FlowCore
import FlowEngine

/// `parameters:` of `deploy-stack`: a mapping of parameter names to values, or a JSON/YAML file
/// holding either the AWS CLI's list (`[{ParameterKey, ParameterValue}]`, `UsePreviousValue`
/// allowed) or a flat mapping.
public enum StackParametersInput: InputValue, Sendable, Hashable {
    case values([String: String])
    case file(InputPath)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let path = try? container.decode(String.self) {
            self = .file(InputPath(path))
        } else {
            self = .values(try container.decode([String: String].self))
        }
    }

    public static var inputKind: InputKind { .either([.mapping(.string), .path(mustExist: false)]) }
    public static var placeholder: StackParametersInput { .values([:]) }

    /// The parameters, in a stable order (a mapping's keys sorted, a file's as written).
    public func load(workingDirectory: String) throws -> [TemplateCheck.GivenParameter] {
        switch self {
        case .values(let values):
            return values.keys.sorted().map { TemplateCheck.GivenParameter(key: $0, value: values[$0]) }
        case .file(let path):
            let full = path.path.hasPrefix("/") ? path.path : workingDirectory + "/" + path.path
            let bytes: [UInt8]
            do {
                bytes = try UntrustedFile.read(full, limit: 1 << 20, links: .follow)
            } catch {
                throw StepError("input `parameters`: cannot read \(path.path): \(error)", kind: .terminal)
            }
            let (parameters, diagnostics) = Self.parse(bytes, file: path.path)
            if diagnostics.hasErrors {
                throw StepError("input `parameters`: " + DiagnosticRenderer(color: false).text(diagnostics), kind: .terminal)
            }
            return parameters
        }
    }

    /// Reads a parameters file; values are never quoted in a diagnostic (they may be secrets).
    public static func parse(_ bytes: [UInt8], file: String) -> ([TemplateCheck.GivenParameter], [Diagnostic]) {
        let input = bytes.map { $0 == 0x09 ? 0x20 : $0 }
        let (root, composed) = YAMLComposer.compose(input, file: file, limits: YAMLLimits(maxBytes: 1 << 20))
        var diagnostics = composed.filter { $0.severity == .error }
        guard let root else { return ([], diagnostics) }
        var result: [TemplateCheck.GivenParameter] = []
        switch root.content {
        case .sequence(let items):
            for item in items {
                guard item.mapping != nil, let key = item["ParameterKey"]?.scalar?.value, !key.isEmpty else {
                    diagnostics.append(.error(item.location, "each entry needs `ParameterKey` and `ParameterValue` (or `UsePreviousValue: true`)"))
                    continue
                }
                for pair in item.mapping ?? [] where !["ParameterKey", "ParameterValue", "UsePreviousValue", "ResolvedValue"].contains(pair.keyText) {
                    diagnostics.append(.error(pair.key.location, "unknown key `\(pair.keyText)` in a parameter entry; the keys are `ParameterKey`, `ParameterValue`, `UsePreviousValue`"))
                }
                let usePrevious = item["UsePreviousValue"]?.scalar.map { ["true", "True", "TRUE"].contains($0.value) } ?? false
                if let value = item["ParameterValue"] {
                    guard let text = text(value) else {
                        diagnostics.append(.error(value.location, "the value of `\(key)` must be a string, a number, a boolean or a list of them"))
                        continue
                    }
                    result.append(.init(key: key, value: text, location: item.location))
                } else if usePrevious {
                    result.append(.init(key: key, value: nil, location: item.location))
                } else {
                    diagnostics.append(.error(item.location, "parameter `\(key)` has neither `ParameterValue` nor `UsePreviousValue: true`"))
                }
            }
        case .mapping(let pairs):
            for pair in pairs {
                guard let text = text(pair.value) else {
                    diagnostics.append(.error(pair.value.location, "the value of `\(pair.keyText)` must be a string, a number, a boolean or a list of them"))
                    continue
                }
                result.append(.init(key: pair.keyText, value: text, location: pair.key.location))
            }
        case .scalar:
            diagnostics.append(.error(root.location, "a parameters file holds a list of `{ParameterKey, ParameterValue}` or a mapping of names to values; this is \(root.kindDescription)"))
        }
        let seen = Dictionary(grouping: result, by: \.key)
        for (key, entries) in seen where entries.count > 1 {
            diagnostics.append(.error(entries[1].location ?? root.location, "parameter `\(key)` is given twice"))
        }
        return (result, diagnostics)
    }

    /// A scalar's text (`8080`, `true`), a list's items joined with commas (a `CommaDelimitedList`).
    static func text(_ node: YAMLNode) -> String? {
        if let scalar = node.scalar { return scalar.value }
        if let items = node.sequence, items.allSatisfy({ $0.scalar != nil }) { return items.map { $0.scalar!.value }.joined(separator: ",") }
        return nil
    }
}
