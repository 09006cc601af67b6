import Foundation
import FlowEngine

/// One check of a smoke test: a JUnit test case and an entry of the JSON report. All but the
/// `full` user script run in one container run through the runner, which reads them as data.
public struct SmokeCheck: Sendable, Hashable, Encodable {
    /// What the runner does for the check.
    public enum Kind: String, Sendable, Hashable, Codable {
        case python, `import`, version
        case torchImport = "torch-import", torchMatmul = "torch-matmul", torchCuda = "torch-cuda"
        case torchDistributed = "torch-distributed"
        /// The `full` level's user script: its own container run, not the runner's.
        case script
    }

    /// `c1`, `c2`, … in plan order.
    public var id: String
    /// The test case's name: `import yaml (PyYAML)`, `version numpy==1.26.4`.
    public var name: String
    /// The level that adds the check (its JUnit classname is `smoke-test.<level>`).
    public var level: SmokeLevel
    public var kind: Kind
    public var distribution: String?
    /// Modules to import; nil leaves them to the runner (the distribution's metadata).
    public var modules: [String]?
    /// Where `modules` came from (`given`, `table`), for the report.
    public var source: String?
    public var gpu: String?
    /// The requirement behind an import or version check (not sent to the runner).
    public var requirement: SmokeRequirement?

    enum CodingKeys: String, CodingKey { case id, name, kind, distribution, modules, source, gpu }

    public init(id: String = "", name: String, level: SmokeLevel, kind: Kind, distribution: String? = nil, modules: [String]? = nil,
                source: String? = nil, gpu: String? = nil, requirement: SmokeRequirement? = nil) {
        self.id = id
        self.name = name
        self.level = level
        self.kind = kind
        self.distribution = distribution
        self.modules = modules
        self.source = source
        self.gpu = gpu
        self.requirement = requirement
    }
}

/// The checks of a level, in the order they run, and the runner's spec (a JSON file).
public struct SmokePlan: Sendable {
    public var checks: [SmokeCheck]
    /// Requirements whose import check `import-names:` turned off.
    public var skippedImports: [String]

    /// Plans `level`'s checks. Module names from `import-names:` and `imports:` are checked to
    /// be dotted Python names: anything else is a terminal error naming the input.
    public static func make(level: SmokeLevel, requirements: [SmokeRequirement], importNames: [String: [String]],
                            gpu: GPUExpectation, imports: [String], script: String?) throws -> SmokePlan {
        for (distribution, modules) in importNames {
            for module in modules where !ImportNames.isModuleName(module) {
                throw StepError("import-names: `\(module)` (for \(distribution)) is not a Python module name such as `yaml` or `google.protobuf`", kind: .terminal)
            }
        }
        for module in imports where !ImportNames.isModuleName(module) || module.hasSuffix(".py") {
            throw StepError("imports: `\(module)` is not a Python module name such as `train` or `model.llama` (a module, not a file)", kind: .terminal)
        }
        var checks: [SmokeCheck] = [SmokeCheck(name: "python starts", level: .quick, kind: .python)]
        var skipped: [String] = []
        for requirement in requirements {
            let (modules, source) = ImportNames.modules(for: requirement.name, overrides: importNames)
            if source == .given && modules.isEmpty {
                skipped.append(requirement.name)
            } else {
                let shown = modules.isEmpty ? requirement.name : modules.joined(separator: ", ")
                checks.append(SmokeCheck(name: "import \(shown) (\(requirement.name))", level: .quick, kind: .import,
                                         distribution: requirement.name, modules: modules.isEmpty ? nil : modules,
                                         source: source.rawValue, requirement: requirement))
            }
            if !requirement.specifiers.isUnconstrained {
                checks.append(SmokeCheck(name: "version \(requirement.name)\(requirement.specifiers)", level: .quick, kind: .version,
                                         distribution: requirement.name, requirement: requirement))
            }
        }
        if level >= .standard {
            checks += [
                SmokeCheck(name: "torch imports", level: .standard, kind: .torchImport),
                SmokeCheck(name: "torch matmul on the CPU", level: .standard, kind: .torchMatmul),
                SmokeCheck(name: "torch CUDA (gpu: \(gpu.rawValue))", level: .standard, kind: .torchCuda, gpu: gpu.rawValue),
                SmokeCheck(name: "torch.distributed gloo process group", level: .standard, kind: .torchDistributed),
            ]
            for module in imports {
                checks.append(SmokeCheck(name: "import \(module) (training code)", level: .standard, kind: .import,
                                         modules: [module], source: "imports"))
            }
        }
        if level >= .full, let script {
            checks.append(SmokeCheck(name: "script \(script)", level: .full, kind: .script))
        }
        for index in checks.indices { checks[index].id = "c\(index + 1)" }
        return SmokePlan(checks: checks, skippedImports: skipped)
    }

    /// The checks the runner runs (all but the user script).
    public var runnerChecks: [SmokeCheck] { checks.filter { $0.kind != .script } }

    /// The runner's spec: the checks as data, and the time limit of one check.
    public func spec(checkTimeout: Int) throws -> [UInt8] {
        struct Spec: Encodable {
            var version = 1
            var checkTimeout: Int
            var checks: [SmokeCheck]
            enum CodingKeys: String, CodingKey { case version, checkTimeout = "check_timeout", checks }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(Spec(checkTimeout: checkTimeout, checks: runnerChecks)))
    }
}
