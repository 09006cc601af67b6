import Foundation

/// One profile as the shared files give it: its settings (keys in lower case) and, for each,
/// the file and line it came from, so a problem can be pointed at without quoting the value.
public struct AWSProfile: Sendable, Equatable {
    /// One `key = value` line.
    public struct Setting: Sendable, Equatable {
        public var value: String
        public var file: String
        public var line: Int

        public init(value: String, file: String, line: Int) {
            self.value = value
            self.file = file
            self.line = line
        }

        /// `file:line`, for messages.
        public var location: String { "\(file):\(line)" }
    }

    public var name: String
    public var settings: [String: Setting]

    public init(name: String, settings: [String: Setting] = [:]) {
        self.name = name
        self.settings = settings
    }

    /// The value of `key` (any case), or nil.
    public subscript(key: String) -> String? { settings[key.lowercased()]?.value }

    public func setting(_ key: String) -> Setting? { settings[key.lowercased()] }
}

/// A malformed line in `~/.aws/config` or `~/.aws/credentials`. Says where and what is
/// wrong, never what the line holds (it may be a secret).
public struct AWSConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem is the file as a whole (unreadable, not UTF-8).
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// One parsed shared file: `~/.aws/credentials` (sections `[name]`) or `~/.aws/config`
/// (sections `[default]` and `[profile name]`; other sections such as `[sso-session x]`
/// and `[services x]` are read and set aside).
///
/// The format, as the AWS SDKs share it: `#` and `;` start a comment line; a `#` or `;`
/// after whitespace ends a value (`region = eu-west-1 # Ireland`); keys are case-insensitive;
/// an indented line continues the setting above it (nested `s3 =` blocks); a section that
/// appears twice is merged, the later value winning; in the config file `[profile default]`
/// wins over `[default]`.
public struct AWSProfileFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case config
        case credentials
    }

    public var kind: Kind
    /// The path as messages show it (`~/.aws/config` when under `HOME`).
    public var path: String
    public var profiles: [String: AWSProfile]

    /// Parses `text`; `path` is only used in messages and in each setting's location.
    public init(parsing text: String, path: String, kind: Kind) throws(AWSConfigFileError) {
        self.kind = kind
        self.path = path
        // Sections by where they are stored: a profile's name, except `[profile default]`
        // which is kept apart until the end (it wins over `[default]`).
        var sections: [String: AWSProfile] = [:]
        // The current section's storage key; `.some(nil)` for a section that is not a profile
        // (its lines are still checked), nil before the first header.
        var current: String?? = nil
        var lastKey: String?

        func fail(_ line: Int, _ message: String) -> AWSConfigFileError {
            AWSConfigFileError(file: path, line: line, message: message)
        }

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            var line = Substring(raw)
            if index == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }

            if let first = line.first, first == " " || first == "\t" {
                // A continuation of the setting above (or a nested `key = value` under it).
                guard let section = current else { throw fail(number, "an indented line before any [section]") }
                guard let key = lastKey else { throw fail(number, "an indented line with no setting above it to continue") }
                if let storage = section, let existing = sections[storage]?.settings[key] {
                    sections[storage]?.settings[key]?.value = Self.joined(existing.value, Self.withoutComment(trimmed))
                }
                continue
            }

            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw fail(number, "a section header without its closing `]`")
                }
                let rest = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";") else {
                    throw fail(number, "text after a section header's `]`")
                }
                let header = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                guard !header.isEmpty else { throw fail(number, "an empty section name `[]`") }
                lastKey = nil
                let name = Self.profileName(header: header, kind: kind)
                let storage = (kind == .config && name == "default" && header != "default") ? Self.explicitDefault : name
                current = .some(storage)
                if let storage, sections[storage] == nil {
                    sections[storage] = AWSProfile(name: name ?? storage)
                }
                continue
            }

            guard let equals = trimmed.firstIndex(of: "=") else {
                throw fail(number, "expected `key = value`, a `[section]` or a comment")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { throw fail(number, "a setting without a key (`= value`)") }
            guard let section = current else {
                throw fail(number, "setting `\(Self.printable(key))` comes before any [section]")
            }
            let value = Self.withoutComment(trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            lastKey = key
            if let storage = section {
                sections[storage]?.settings[key] = AWSProfile.Setting(value: value, file: path, line: number)
            }
        }
        if let explicit = sections.removeValue(forKey: Self.explicitDefault) {
            sections["default"] = explicit
        }
        profiles = sections
    }

    /// Where `[profile default]` is kept while parsing (a name no header can produce).
    static let explicitDefault = "[profile default]"

    /// The profile a header names, or nil for a section that is not a profile.
    static func profileName(header: String, kind: Kind) -> String? {
        switch kind {
        case .credentials:
            return header
        case .config:
            if header == "default" { return "default" }
            let words = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count == 2, words[0] == "profile" else { return nil }
            return String(words[1])
        }
    }

    /// The value up to a `#` or `;` that follows whitespace.
    static func withoutComment(_ value: String) -> String {
        var previous: Character = " "
        for index in value.indices {
            let c = value[index]
            if (c == "#" || c == ";") && index != value.startIndex && (previous == " " || previous == "\t") {
                return value[..<index].trimmingCharacters(in: .whitespaces)
            }
            previous = c
        }
        return value
    }

    static func joined(_ value: String, _ continuation: String) -> String {
        value.isEmpty ? continuation : value + "\n" + continuation
    }

    /// A key as it may appear in a message: short, printable.
    static func printable(_ key: String) -> String {
        let clipped = key.prefix(40)
        return clipped.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
            ? String(clipped) : "…"
    }
}
