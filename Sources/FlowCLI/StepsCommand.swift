import ArgumentParser
import FlowCore
import FlowEngine

/// `flow steps [TYPE]`: the registered step types; with a name, every input (kind, default,
/// required, choices) and output of that type, and an example.
struct StepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "steps", abstract: "List the step types (built-in and under steps/), or describe one.")

    @Argument(help: "Describe one step type: its inputs, outputs and an example.") var type: String?
    @Option(name: .customLong("steps-dir"), help: ArgumentHelp("Where user step types live.", valueName: "dir")) var stepsDirectory = "steps"

    func run() throws {
        let (registry, problems) = Launching.source(stepsDirectory: stepsDirectory).registry()
        Launching.report(problems)
        guard let type else {
            let names = registry.catalog.names
            let width = names.map(\.count).max() ?? 0
            for name in names {
                guard let s = registry.catalog[name] else { continue }
                let origin = s.isUserDefined ? " (steps/\(name))" : ""
                print(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + s.summary + origin)
            }
            print("\n`flow steps TYPE` shows a type's inputs, outputs and an example.")
            return
        }
        guard let signature = registry.catalog[type] else {
            let note = Spelling.closest(to: type, among: registry.catalog.names).map { "; did you mean `\($0)`?" } ?? "; `flow steps` lists them"
            throw CLIError("no step type `\(type)`" + note)
        }
        print(SignatureText.describe(signature), terminator: "")
    }
}

/// A step type's signature as `flow steps TYPE` prints it.
enum SignatureText {
    static func describe(_ s: StepTypeSignature) -> String {
        var out = "\(s.name)\(s.isUserDefined ? " (steps/\(s.name)/step.yml)" : ""): \(s.summary)\n\ninputs:\n"
        if s.inputs.isEmpty { out += "  (none)\n" }
        out += fields(s.inputs, indent: "  ")
        out += "\noutputs:\n"
        switch s.outputs {
        case .fixed(let outputs):
            if outputs.isEmpty { out += "  (none)\n" }
            for o in outputs { out += "  \(o.name)" + (o.description.isEmpty ? "" : "  \(o.description)") + "\n" }
        case .declaredByStep:
            out += "  those the step declares under `outputs:` and writes to $FLOW_OUTPUT\n"
        case .openEnded(let outputs, let because):
            for o in outputs { out += "  \(o.name)" + (o.description.isEmpty ? "" : "  \(o.description)") + "\n" }
            out += "  … and others known only at run time: \(because)\n"
        }
        if let example = s.example {
            out += "\nexample:\n" + example.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    static func fields(_ inputs: [StepInput], indent: String) -> String {
        var out = ""
        for input in inputs {
            var facts = [input.kind.shortNameForListing]
            if input.required { facts.append("required") }
            if let d = input.defaultValue { facts.append("default: " + (d.isEmpty ? "\"\"" : d)) }
            if input.secret { facts.append("secret") }
            if case .path(mustExist: true) = input.kind { facts.append("must exist") }
            out += "\(indent)\(input.name)  (\(facts.joined(separator: ", ")))\n"
            if !input.description.isEmpty { out += "\(indent)    \(input.description)\n" }
            if case .choice(let options) = input.kind { out += "\(indent)    one of: \(options.joined(separator: ", "))\n" }
            if let nested = input.kind.nestedFields {
                let kinds = Set(nested.map(\.kind))
                if nested.count > 8, kinds.count == 1, let kind = kinds.first {
                    // A long list of keys of one kind (analyze's rule ids): one line each.
                    out += "\(indent)    keys (each \(kind.shortName)):\n"
                    let width = nested.map(\.name.count).max() ?? 0
                    for field in nested {
                        out += "\(indent)      " + field.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + field.description + "\n"
                    }
                } else {
                    out += fields(nested, indent: indent + "    ")
                }
            }
        }
        return out
    }
}

extension InputKind {
    /// Choices are listed on a line of their own; here only the word `choice`.
    var shortNameForListing: String {
        if case .choice = self { return "choice" }
        return shortName
    }

    /// The fields of an object kind, also inside a list or mapping.
    var nestedFields: [StepInput]? {
        switch self {
        case .object(let fields): fields
        case .list(let element), .mapping(let element): element.nestedFields
        default: nil
        }
    }
}
