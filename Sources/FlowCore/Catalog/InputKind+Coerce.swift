/// Why evaluated inputs do not fit a step type: the message names the input.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StepTypeSignature {
    /// The evaluated `with:` values made ready for the step type to decode: defaults filled in,
    /// values brought to their input's kind as GitHub Actions would (an expression that renders
    /// `"3"` for an integer input is 3; a number for a string input is its text), unknown keys and
    /// values that cannot fit refused with the input's name. Messages never show a value: it may
    /// be a secret that an expression produced.
    public func prepare(_ values: ExpressionValue) -> Result<ExpressionValue, InputProblem> {
        do {
            return .success(.object(try InputKind.coerceFields(inputs, values.objectEntries, path: nil, type: name, depth: 0)))
        } catch let problem as InputProblem {
            return .failure(problem)
        } catch {
            return .failure(InputProblem("\(error)"))
        }
    }
}

extension InputKind {
    func coerce(_ value: ExpressionValue, path: String, depth: Int) throws -> ExpressionValue {
        let what = "input `\(path)`"
        guard depth < 32 else { throw InputProblem("\(what) is nested too deeply") }
        switch (self, value) {
        case (.any, _):
            return value
        case (.string, .string), (.script, .string), (.path, .string):
            return value
        case (.string, .number), (.string, .bool), (.script, .number), (.path, .number):
            return .string(value.stringValue)
        case (.integer, .number(let n)) where n == n.rounded() && abs(n) < 1e15:
            return value
        case (.integer, .string(let s)):
            guard let n = Int(s.trimmingSpaces) else { throw mismatch(value, what) }
            return .number(Double(n))
        case (.number, .number):
            return value
        case (.number, .string(let s)):
            guard let n = Double(s.trimmingSpaces), n.isFinite else { throw mismatch(value, what) }
            return .number(n)
        case (.bool, .bool):
            return value
        case (.bool, .string(let s)) where s == "true" || s == "false":
            return .bool(s == "true")
        case (.duration, .string(let s)):
            if case .failure(let problem) = DurationValue.parse(s) { throw InputProblem(problem.message(for: what)) }
            return value
        case (.size, .number(let n)) where n == n.rounded() && n >= 0:
            return .string(ExpressionValue.number(n).stringValue)
        case (.size, .string(let s)):
            if case .failure(let problem) = ByteSize.parse(s) { throw InputProblem(problem.message(for: what)) }
            return value
        case (.choice(let options), _):
            let text = value.stringValue
            guard case .string = value.scalarOnly, options.contains(text) else {
                throw InputProblem(Messages.notOneOfAtRunTime(what, options))
            }
            return .string(text)
        case (.list(let element), .array(let items)):
            return .array(try items.enumerated().map { try element.coerce($1, path: "\(path)[\($0)]", depth: depth + 1) })
        case (.mapping(let kind), .object(let entries)):
            var result: [String: ExpressionValue] = [:]
            for (key, item) in entries where item != .null { result[key] = try kind.coerce(item, path: "\(path).\(key)", depth: depth + 1) }
            return .object(result)
        case (.object(let fields), .object(let entries)):
            return .object(try Self.coerceFields(fields, entries, path: path, type: nil, depth: depth))
        case (.object(let fields), .null):
            return .object(try Self.coerceFields(fields, [:], path: path, type: nil, depth: depth))
        case (.either(let kinds), _):
            for kind in kinds {
                if let fitted = try? kind.coerce(value, path: path, depth: depth) { return fitted }
            }
            throw mismatch(value, what)
        default:
            throw mismatch(value, what)
        }
    }

    /// The fields of an object: `path` is nil for a step's inputs themselves (then `type` names the step type).
    static func coerceFields(_ fields: [StepInput], _ entries: [String: ExpressionValue], path: String?, type: String?,
                             depth: Int) throws -> [String: ExpressionValue] {
        let what = path.map { "input `\($0)`" } ?? "the inputs of `\(type ?? "")`"
        for key in entries.keys.sorted() where !fields.contains(where: { $0.name == key }) {
            throw InputProblem(Messages.unknownKey(key, in: what))
        }
        var result: [String: ExpressionValue] = [:]
        for field in fields {
            let fieldPath = path.map { $0 + "." + field.name } ?? field.name
            if let given = entries[field.name], given != .null {
                result[field.name] = try field.kind.coerce(given, path: fieldPath, depth: depth + 1)
            } else if let text = field.defaultValue {
                result[field.name] = try field.kind.coerce(field.kind.defaultValue(text), path: fieldPath, depth: depth + 1)
            } else if field.required {
                throw InputProblem(Messages.missingKey(field.name, in: what))
            }
        }
        return result
    }

    /// A default written as text, as the value it stands for.
    func defaultValue(_ text: String) -> ExpressionValue {
        switch self {
        case .integer, .number: Double(text).map(ExpressionValue.number) ?? .string(text)
        case .bool: text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        case .list: text == "[]" ? .array([]) : .array([.string(text)])
        case .mapping, .object: .object([:])
        default: .string(text)
        }
    }

    func mismatch(_ value: ExpressionValue, _ what: String) -> InputProblem {
        InputProblem(Messages.inputWrongType(what, expected: phrase, found: value.kindDescription))
    }
}

extension ExpressionValue {
    /// The entries of an object; none for anything else.
    var objectEntries: [String: ExpressionValue] {
        if case .object(let entries) = self { return entries }
        return [:]
    }

    /// The value when it is a string, number or boolean; `.null` for lists and mappings.
    var scalarOnly: ExpressionValue {
        switch self {
        case .array, .object: .null
        case .number(let n): .string(ExpressionValue.number(n).stringValue)
        case .bool(let b): .string(b ? "true" : "false")
        default: self
        }
    }

    /// "a string", "a list", for messages.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string that does not fit"
        case .array: "a list"
        case .object: "a mapping"
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        let start = drop { $0 == " " }
        var end = start
        while end.last == " " { end = end.dropLast() }
        return end
    }
}
