import FlowCore

/// The `with:` of a `smoke-test` step; its fields are the step's schema.
public struct SmokeTestInput: StepInputSchema {
    public var image: String
    public var level: SmokeLevel
    public var requirements: InputPaths?
    public var dockerfile: InputPath?
    public var context: InputPath?
    public var importNames: [String: ImportNameOverride]?
    public var gpu: GPUExpectation
    public var imports: [String]?
    public var script: String?
    public var scriptArgs: [String]?
    public var scriptTimeout: DurationValue
    public var checkTimeout: DurationValue
    public var python: String
    public var engine: EngineChoice
    public var junit: InputPath?
    public var json: InputPath?

    enum CodingKeys: String, CodingKey {
        case image, level, requirements, dockerfile, context, importNames = "import-names", gpu, imports, script,
             scriptArgs = "script-args", scriptTimeout = "script-timeout", checkTimeout = "check-timeout", python,
             engine, junit, json
    }

    public static let help: [String: InputHelp] = [
        "image": InputHelp("the image to test (a `build` step's `image` output); the run's `images:` map applies"),
        "level": InputHelp("`quick`: Python, imports, versions; `standard`: + torch, CUDA, gloo, `imports`; `full`: + `script`", default: "quick"),
        "requirements": InputHelp("requirements files whose top-level requirements must import at their pinned versions"),
        "dockerfile": InputHelp("read the requirements the Dockerfile copies and `pip install`s instead (when `requirements` is not given)"),
        "context": InputHelp("the build context of `dockerfile` (default: its folder)"),
        "import-names": InputHelp("distribution → module to import (`PyYAML: yaml`), a list of modules, or `false` to skip its import check"),
        "gpu": InputHelp("`required`: fail unless torch sees a GPU; `optional`: use one when there; `none`: do not check CUDA", default: "optional"),
        "imports": InputHelp("modules of the training code to import (`standard` and `full`), from the image's working directory"),
        "script": InputHelp("`full`: a Python script run in the image: a workspace path (mounted read-only), or an absolute path in the image"),
        "script-args": InputHelp("arguments for `script`"),
        "script-timeout": InputHelp("how long `script` may run", default: "10m"),
        "check-timeout": InputHelp("how long one check of the runner may take", default: "5m"),
        "python": InputHelp("the Python to run in the image", default: "python3"),
        "engine": InputHelp("`auto` (the first usable of docker, podman, buildah) or one by name", default: "auto"),
        "junit": InputHelp("also write the JUnit XML report to this file (always kept as the artifact `smoke-test.xml`)"),
        "json": InputHelp("also write the JSON report to this file (always kept as the artifact `smoke-test.json`)"),
    ]
}

/// How much a smoke test checks; each level adds to the one before.
public enum SmokeLevel: String, Sendable, Hashable, CaseIterable, Codable, Comparable, InputChoice {
    case quick, standard, full

    public static func < (a: SmokeLevel, b: SmokeLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What the image expects of a GPU (`gpu:`).
public enum GPUExpectation: String, Sendable, Hashable, CaseIterable, Codable, InputChoice {
    case optional, required, none
}

/// One `import-names:` value: a module, a list of modules, or `false` (no import check).
public struct ImportNameOverride: InputValue, Sendable, Hashable {
    /// Empty means: skip the import check of this distribution.
    public var modules: [String]

    public init(_ modules: [String]) { self.modules = modules }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            guard !flag else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "`true` is not a module name; give a module, a list of modules, or `false` to skip")
            }
            modules = []
        } else if let one = try? container.decode(String.self) {
            // `false` arrives as text once the engine has coerced the value to the string kind.
            modules = one == "false" ? [] : [one]
        } else {
            modules = try container.decode([String].self)
        }
    }

    public static var inputKind: InputKind { .either([.string, .list(.string)]) }
    public static var placeholder: ImportNameOverride { ImportNameOverride([]) }
}
