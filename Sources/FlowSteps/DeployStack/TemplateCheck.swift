import Foundation
import FlowCore

/// The checks `deploy-stack` makes on a template and the parameters given to it before any call
/// to CloudFormation, each problem located: `Ref`s and `GetAtt`s to names the template does not
/// declare, parameters without a value and without a default, parameters the template does not
/// declare, values outside `AllowedValues`, and a body too large to send inline.
public enum TemplateCheck {
    /// One given parameter and, when it came from a file, where.
    public struct GivenParameter: Sendable, Hashable {
        public var key: String
        /// nil: "use the previous value".
        public var value: String?
        public var location: SourceLocation?

        public init(key: String, value: String?, location: SourceLocation? = nil) {
            self.key = key
            self.value = value
            self.location = location
        }
    }

    /// `inputLocation` stands for the step's `parameters` input where a parameter has no place
    /// in a file. `stackExists`: a parameter may then keep its previous value.
    public static func check(_ template: StackTemplate, given: [GivenParameter], inputLocation: SourceLocation,
                             bodySize: Int, stackExists: Bool = false) -> [Diagnostic] {
        var diagnostics = references(template)
        let declared = Set(template.parameters.map(\.name))
        for parameter in given where !declared.contains(parameter.key) {
            let names = template.parameters.map { "`\($0.name)`" }.joined(separator: ", ")
            var notes: [Diagnostic.Note] = []
            if let near = Suggestion.closest(to: parameter.key, among: declared) {
                notes.append(.init("did you mean `\(near)`?"))
            }
            diagnostics.append(.error(parameter.location ?? inputLocation,
                                      "parameter `\(parameter.key)` is not declared by the template \(template.file) (its parameters: \(names.isEmpty ? "none" : names))",
                                      notes: notes))
        }
        let givenKeys = Dictionary(given.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for parameter in template.parameters {
            if let value = givenKeys[parameter.name] {
                if let text = value.value, !parameter.allowedValues.isEmpty, !parameter.allowedValues.contains(text) {
                    // The value is not shown: it may be a secret.
                    diagnostics.append(.error(value.location ?? inputLocation,
                                              "the value of parameter `\(parameter.name)` is not one of its AllowedValues (\(parameter.allowedValues.map { "`\($0)`" }.joined(separator: ", ")))",
                                              notes: [.init("declared here", at: parameter.location)]))
                }
                if value.value == nil && !stackExists {
                    diagnostics.append(.error(value.location ?? inputLocation,
                                              "parameter `\(parameter.name)` asks for its previous value, but the stack does not exist yet"))
                }
            } else if parameter.defaultValue == nil {
                diagnostics.append(.error(parameter.location,
                                          "parameter `\(parameter.name)` has no `Default` and no value; give it under the step's `parameters`"))
            }
        }
        if bodySize > StackTemplate.bodyLimit {
            diagnostics.append(.error(SourceLocation(file: template.file, line: 1, column: 1),
                                      "the template is \(bodySize) bytes; CloudFormation takes at most \(StackTemplate.bodyLimit) bytes inline: upload it to S3 and give its `https://` or `s3://` URL as `template`"))
        }
        return diagnostics
    }

    /// `Ref`, `!Ref`, `Fn::GetAtt` and `!GetAtt` that name nothing the template declares.
    static func references(_ template: StackTemplate) -> [Diagnostic] {
        let parameters = Set(template.parameters.map(\.name))
        let resources = Set(template.resources.keys)
        var diagnostics: [Diagnostic] = []
        func checkRef(_ name: String, at location: SourceLocation) {
            guard !name.hasPrefix("AWS::"), !parameters.contains(name), !resources.contains(name) else { return }
            diagnostics.append(.error(location, "`Ref` to `\(name)`, which is neither a parameter nor a resource of the template",
                                      notes: Suggestion.closest(to: name, among: parameters.union(resources)).map { [.init("did you mean `\($0)`?")] } ?? []))
        }
        func checkGetAtt(_ resource: String, at location: SourceLocation) {
            guard !resources.contains(resource) else { return }
            diagnostics.append(.error(location, "`GetAtt` of `\(resource)`, which is not a resource of the template",
                                      notes: Suggestion.closest(to: resource, among: resources).map { [.init("did you mean `\($0)`?")] } ?? []))
        }
        func walk(_ node: YAMLNode, depth: Int) {
            guard depth < 64 else { return }
            switch node.content {
            case .scalar(let scalar):
                if scalar.tag == "!Ref" { checkRef(scalar.value, at: node.location) }
                if scalar.tag == "!GetAtt", let resource = scalar.value.split(separator: ".").first { checkGetAtt(String(resource), at: node.location) }
            case .sequence(let items):
                items.forEach { walk($0, depth: depth + 1) }
            case .mapping(let pairs):
                if pairs.count == 1, let pair = pairs.first {
                    if pair.keyText == "Ref", let name = pair.value.scalar?.value { checkRef(name, at: pair.value.location) }
                    if pair.keyText == "Fn::GetAtt" {
                        if let first = pair.value.sequence?.first?.scalar?.value { checkGetAtt(first, at: pair.value.location) }
                        if let text = pair.value.scalar?.value, let resource = text.split(separator: ".").first { checkGetAtt(String(resource), at: pair.value.location) }
                    }
                }
                for pair in pairs { walk(pair.value, depth: depth + 1) }
            }
        }
        // Parameters and Conditions hold no references to check here; Resources and Outputs do.
        for section in ["Resources", "Outputs"] {
            if let node = template.root[section] { walk(node, depth: 0) }
        }
        // A tagged list (`!GetAtt [Bucket, Arn]`) keeps no tag in flow's YAML nodes: not checked.
        return diagnostics
    }
}

/// The closest name, for "did you mean" notes: flow's one spelling rule (``Spelling``), over the
/// names in sorted order so that a tie always gives the same answer.
enum Suggestion {
    static func closest(to word: String, among names: Set<String>) -> String? {
        Spelling.closest(to: word, among: names.sorted())
    }
}
