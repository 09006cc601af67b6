import FlowCore

/// The `with:` of an `autofix-retry` step; its fields are the step's schema.
public struct AutofixRetryInput: StepInputSchema {
    public var attempts: Int
    public var step: WrappedStep
    public var writeBack: Bool
    public var fixes: [AutofixFixID]?
    public var analyze: Bool
    public var context: InputPath?
    public var dockerfile: InputPath?
    public var contextLimit: ByteSize

    enum CodingKeys: String, CodingKey {
        case attempts, step, writeBack = "write-back", fixes, analyze, context, dockerfile, contextLimit = "context-limit"
    }

    public static let help: [String: InputHelp] = [
        "attempts": InputHelp("rounds at most: each round runs the wrapped step once, on the copy with the fixes so far", default: "3"),
        "step": InputHelp("the wrapped step: `{ uses: TYPE, with: { … } }`; its `context`/`dockerfile` inputs are pointed at the copy"),
        "write-back": InputHelp("after a successful round, apply the fixes to the user's own files too", default: "false"),
        "fixes": InputHelp("the fixes autofix may apply (default: all): " + AutofixFixID.allCases.map(\.rawValue).joined(separator: ", ")),
        "analyze": InputHelp("before round 1, apply the machine-applicable fixes of `analyze` findings that cause build failures (torch-triple, cuda-index, apt-no-update, pep668)", default: "true"),
        "context": InputHelp("the build context that is copied (default: the wrapped step's `context`, else `.`)"),
        "dockerfile": InputHelp("the Dockerfile (default: the wrapped step's `dockerfile`, else `<context>/Dockerfile`)"),
        "context-limit": InputHelp("the most the copy of the build context may hold (files excluded by .dockerignore and .git are not copied)", default: "256MiB"),
    ]
}

/// `step:` of `autofix-retry`: the wrapped step's type and its inputs.
public struct WrappedStep: Decodable, Sendable {
    public var uses: String
    public var with: WrappedInputs?
}

/// The wrapped step's `with:`, kept as the JSON-like value `runStep` takes; validated against
/// the wrapped type's signature when the step runs.
public struct WrappedInputs: InputValue, Sendable {
    public var values: [String: ExpressionValue]

    public init(_ values: [String: ExpressionValue]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        guard case .object(let values) = try AnyJSON(from: decoder).value else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "`with` must be a mapping"))
        }
        self.values = values
    }

    public static var inputKind: InputKind { .mapping(.any) }
    public static var placeholder: WrappedInputs { WrappedInputs([:]) }
}

/// Any JSON value decoded as an ``ExpressionValue``.
struct AnyJSON: Decodable {
    var value: ExpressionValue

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: ExpressionValue] = [:]
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(AnyJSON.self, forKey: key).value }
            value = .object(object)
        } else if var list = try? decoder.unkeyedContainer() {
            var array: [ExpressionValue] = []
            while !list.isAtEnd { array.append(try list.decode(AnyJSON.self).value) }
            value = .array(array)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { value = .null }
            else if let b = try? single.decode(Bool.self) { value = .bool(b) }
            else if let n = try? single.decode(Double.self) { value = .number(n) }
            else { value = .string(try single.decode(String.self)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// The fixes autofix knows, by id (the catalogue's `fix` and the `fixes:` input name them).
public enum AutofixFixID: String, InputChoice, Codable, Sendable, Hashable {
    case extraIndexURL = "extra-index-url"
    case repinDomainLibraries = "repin-domain-libraries"
    case breakSystemPackages = "break-system-packages"
    case aptGetUpdate = "apt-get-update"
    case installSystemLibrary = "install-system-library"
}
