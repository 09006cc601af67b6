/// A parsed Dockerfile: its directives, instructions, stages with their resolved base images and
/// variables, and the parse problems found on the way (rule `dockerfile-syntax`).
public struct Dockerfile: Sendable {
    /// The text with its line tables (every span points into it).
    public let source: SourceText
    public var file: String { source.file }
    /// `# syntax=…`, `# escape=…`, `# check=…` at the top.
    public var directives: [ParserDirective]
    /// `\` unless `# escape=` set the backtick.
    public var escapeCharacter: Character
    /// Every instruction in order (ONBUILD triggers are inside their ONBUILD).
    public var instructions: [Instruction]
    public var stages: [Stage]
    /// The ARGs declared before the first FROM, as written.
    public var globalArgs: [KeyValue]
    /// Parse problems, located, severity `error`, rule `dockerfile-syntax`.
    public var findings: [Finding]
    /// The build arguments the caller gave (`--build-arg`).
    public var buildArgs: [String: String]
    /// The global ARG values FROM lines see (build arguments first, then defaults).
    public var globalArgValues: [String: String]
    /// The first stage with each lower-cased name.
    var stageIndexByName: [String: Int]
    /// How many stages `stageChain` follows at most.
    public static let maximumStageChain = 64

    /// The stage `--target` names (by index), when one is chosen.
    public var target: Int?

    /// The stage that is built: the `--target` stage, else the last one (what a plain
    /// `docker build` produces).
    public var targetStage: Stage? {
        if let target, stages.indices.contains(target) { return stages[target] }
        return stages.last
    }

    /// The stage with this name (stage names are case-insensitive).
    public func stage(named name: String) -> Stage? {
        guard let index = stageIndexByName[name.lowercased()], stages.indices.contains(index) else { return nil }
        return stages[index]
    }

    /// The instructions of a stage, FROM first.
    public func instructions(in stage: Int) -> [Instruction] {
        guard stages.indices.contains(stage) else { return [] }
        return stages[stage].instructionIndices.compactMap { instructions.indices.contains($0) ? instructions[$0] : nil }
    }

    /// The stage and the stages it is built `FROM`, nearest first (`hpto`, then `base`), at most
    /// `maximumStageChain` long.
    public func stageChain(from stage: Int) -> [Int] {
        var chain: [Int] = []
        var current: Int? = stage
        // A stage can only be built FROM an earlier one, so the indices fall and the walk ends.
        while let index = current, stages.indices.contains(index), chain.count < Self.maximumStageChain,
              chain.last.map({ index < $0 }) ?? true {
            chain.append(index)
            current = stages[index].baseStage
        }
        return chain
    }

    /// The first stage in the chain whose base is an external image (not another stage).
    public func externalBase(of stage: Int) -> Stage? {
        guard let last = stageChain(from: stage).last else { return nil }
        return stages[last]
    }

    /// Substitutes variables in `text` as Docker would at the end of `stage` (nil: the global scope
    /// FROM lines see).
    public func expand(_ text: String, in stage: Int?) -> Expansion {
        let values = variables(in: stage, before: nil)
        return VariableExpander.expand(text, escape: escapeByte) { values[$0] }
    }

    /// Substitutes variables in `text` as Docker would for the instruction at `instruction`
    /// (only the ARG and ENV before it count).
    public func expand(_ text: String, before instruction: Int) -> Expansion {
        let stage = instructions.indices.contains(instruction) ? instructions[instruction].stage : nil
        let values = variables(in: stage, before: instruction)
        return VariableExpander.expand(text, escape: escapeByte) { values[$0] }
    }

    /// The values of the variables in scope: ENV over ARG, at the stage's end or before an instruction.
    public func variables(in stage: Int?, before instruction: Int?) -> [String: String] {
        guard let stage, stages.indices.contains(stage) else { return globalArgValues }
        return stages[stage].scope(before: instruction).values
    }

    var escapeByte: UInt8 { escapeCharacter == "`" ? DockerfileASCII.backtick : DockerfileASCII.backslash }
}

/// A parser directive at the top of the file.
public struct ParserDirective: Sendable, Hashable {
    /// Lower-cased (`syntax`, `escape`, `check`).
    public var name: String
    public var value: String
    public var span: SourceSpan
}

/// One build stage: `FROM image [AS name]` and the instructions up to the next FROM.
public struct Stage: Sendable {
    public var index: Int
    /// The `AS` name as written.
    public var name: String?
    public var nameSpan: SourceSpan?
    /// The FROM instruction's index in `Dockerfile.instructions`.
    public var fromIndex: Int
    /// The indices of the stage's instructions, FROM first.
    public var instructionIndices: [Int]
    /// The image FROM names, global ARGs and build arguments substituted (a stage name when
    /// `baseStage` is set; empty when FROM has no image).
    public var baseImage: String
    /// The image word as written, with its span.
    public var baseImageWord: ShellWord?
    /// The earlier stage this one is built FROM, if any.
    public var baseStage: Int?
    /// FROM's `--platform`.
    public var platform: InstructionFlag?
    /// ENV values inherited from `baseStage`.
    var inheritedEnvironment: [String: String]
    /// ARG and ENV in order, to answer what is in scope before any instruction.
    var definitions: [VariableDefinition]
    /// What is in scope at the stage's end.
    var endScope: VariableScope

    /// ENV values at the end of the stage, inherited ones included.
    public var environment: [String: String] { endScope.env }
    /// ARG values declared in the stage (build argument, default, or global value), at its end;
    /// an ARG with no value anywhere is absent.
    public var argumentValues: [String: String] { endScope.args }
    /// Names declared with ARG in the stage (with or without a value).
    public var declaredArguments: Set<String> { Set(definitions.filter { !$0.isEnv }.map(\.name)) }

    /// What is in scope before the instruction at `instruction` (nil: the stage's end).
    func scope(before instruction: Int?) -> VariableScope {
        guard let instruction else { return endScope }
        var scope = VariableScope(env: inheritedEnvironment, args: [:])
        for definition in definitions {
            if definition.instruction >= instruction { break }
            scope.apply(definition)
        }
        return scope
    }
}

/// One ARG or ENV definition inside a stage.
struct VariableDefinition: Sendable {
    var instruction: Int
    var name: String
    var value: String?
    var isEnv: Bool
}

/// The variables a stage has at one point: ENV values win over ARG values.
struct VariableScope: Sendable {
    var env: [String: String]
    var args: [String: String]

    mutating func apply(_ definition: VariableDefinition) {
        if definition.isEnv {
            env[definition.name] = definition.value ?? ""
        } else if let value = definition.value {
            args[definition.name] = value
        } else {
            args.removeValue(forKey: definition.name)
        }
    }

    func lookup(_ name: String) -> String? { env[name] ?? args[name] }

    var values: [String: String] { args.merging(env) { _, env in env } }
}
