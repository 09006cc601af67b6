import Foundation
import FlowCore

/// A CloudFormation template as `deploy-stack` reads it before any call: YAML (with the
/// short-form tags `!Ref`, `!Sub`, `!GetAtt`, …) or JSON, through flow's located YAML loader, so
/// every problem has `file:line:column`. Only what the checks need is kept: the declared
/// parameters and the resources' names, with their locations.
public struct StackTemplate: Sendable {
    /// One entry of `Parameters`.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var type: String
        public var defaultValue: String?
        public var noEcho: Bool
        public var allowedValues: [String]
        public var location: SourceLocation
    }

    public var file: String
    public var root: YAMLNode
    public var parameters: [Parameter]
    /// Resource logical id → where it is declared.
    public var resources: [String: SourceLocation]
    /// Condition names.
    public var conditions: Set<String>

    /// CloudFormation's short-form intrinsic function tags.
    public static let tags: Set<String> = [
        "!Ref", "!Sub", "!GetAtt", "!Join", "!If", "!Equals", "!Select", "!Split", "!FindInMap", "!Base64", "!Cidr",
        "!ImportValue", "!GetAZs", "!And", "!Or", "!Not", "!Condition", "!Transform", "!ToJsonString", "!Length",
        "!ForEach", "!Rain::Embed",
    ]

    /// Largest `TemplateBody` CloudFormation takes; bigger templates go through S3.
    public static let bodyLimit = 51_200

    /// Reads `bytes` (the template file `file`); nil with the problems when it is unusable.
    public static func parse(_ bytes: [UInt8], file: String) -> (template: StackTemplate?, diagnostics: [Diagnostic]) {
        var input = bytes
        let isJSON = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
        if isJSON {
            // JSON is YAML, but for tabs: YAML allows none where JSON indents with them. A tab for a
            // space keeps every line and column where it was.
            input = bytes.map { $0 == 0x09 ? 0x20 : $0 }
        }
        let (root, composed) = YAMLComposer.compose(input, file: file, limits: YAMLLimits(maxBytes: 1 << 20), localTags: tags)
        var diagnostics = composed.filter { $0.severity == .error }.map { diagnostic -> Diagnostic in
            var d = diagnostic
            if d.message.hasPrefix("unsupported YAML tag") {
                d.message = d.message.replacingOccurrences(of: "; remove it", with: "") + "; CloudFormation's short forms are "
                    + tags.filter { !$0.contains("::") }.sorted().map { "`\($0)`" }.joined(separator: ", ")
            }
            return d
        }
        guard let root else { return (nil, diagnostics) }
        guard let top = root.mapping else {
            diagnostics.append(.error(root.location, "a CloudFormation template is a mapping with `Resources`; this is \(root.kindDescription)"))
            return (nil, diagnostics)
        }
        var template = StackTemplate(file: file, root: root, parameters: [], resources: [:], conditions: [])
        let known: Set<String> = ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
                                  "Conditions", "Transform", "Resources", "Outputs"]
        for pair in top where !known.contains(pair.keyText) {
            diagnostics.append(.error(pair.key.location, "unknown top-level section `\(pair.keyText)` of a CloudFormation template; the sections are "
                + known.sorted().map { "`\($0)`" }.joined(separator: ", ")))
        }
        if let resources = root["Resources"] {
            if let pairs = resources.mapping, !pairs.isEmpty {
                for pair in pairs {
                    template.resources[pair.keyText] = pair.key.location
                    if pair.value.mapping == nil || pair.value["Type"]?.scalar == nil {
                        diagnostics.append(.error(pair.value.location, "resource `\(pair.keyText)` needs a `Type` (such as `AWS::S3::Bucket`)"))
                    }
                }
            } else {
                diagnostics.append(.error(resources.location, "`Resources` must be a mapping of at least one resource"))
            }
        } else {
            diagnostics.append(.error(root.location, "the template has no `Resources` section; CloudFormation needs at least one resource"))
        }
        if let conditions = root["Conditions"]?.mapping {
            template.conditions = Set(conditions.map(\.keyText))
        }
        if let parameters = root["Parameters"] {
            guard let pairs = parameters.mapping else {
                diagnostics.append(.error(parameters.location, "`Parameters` must be a mapping of parameter names to their declarations"))
                return (template, diagnostics)
            }
            for pair in pairs {
                let declaration = pair.value
                guard declaration.mapping != nil else {
                    diagnostics.append(.error(declaration.location, "parameter `\(pair.keyText)` must be a mapping with at least `Type`"))
                    continue
                }
                guard let type = declaration["Type"]?.scalar?.value else {
                    diagnostics.append(.error(declaration.location, "parameter `\(pair.keyText)` needs a `Type` (`String`, `Number`, `CommaDelimitedList`, `AWS::SSM::Parameter::Value<String>`, …)"))
                    continue
                }
                let noEcho = declaration["NoEcho"]?.scalar.map { ["true", "True", "TRUE"].contains($0.value) } ?? false
                let allowed = declaration["AllowedValues"]?.sequence?.compactMap { $0.scalar?.value } ?? []
                template.parameters.append(Parameter(name: pair.keyText, type: type, defaultValue: declaration["Default"].map(scalarText),
                                                     noEcho: noEcho, allowedValues: allowed, location: pair.key.location))
            }
        }
        return (template, diagnostics)
    }

    /// A scalar's text, a list's items joined by commas (how CloudFormation takes a list value).
    static func scalarText(_ node: YAMLNode) -> String {
        if let scalar = node.scalar { return scalar.value }
        if let items = node.sequence { return items.compactMap { $0.scalar?.value }.joined(separator: ",") }
        return ""
    }

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }
}
