/// A pip command-line option: its long name, short letter, and whether it takes a value.
struct PipOption: Sendable, Hashable {
    var long: String
    var short: Character?
    var takesValue: Bool

    init(_ long: String, _ short: Character? = nil, value: Bool) {
        self.long = long
        self.short = short
        self.takesValue = value
    }
}

/// A set of options and how to read one option word (`--index-url=x`, `--index-url x`, `-i x`,
/// `-ix`, and unambiguous prefixes of long names as Python's optparse allows: `--extra-index`).
struct PipOptionTable: Sendable {
    let options: [PipOption]

    /// What an option word turned out to be.
    enum Match: Equatable {
        case option(PipOption, inlineValue: String?, inlineValueOffset: Int?)
        case unknown(String)
        case ambiguous(String, [String])
    }

    /// Reads one word that starts with `-`. `inlineValueOffset` is the byte offset of an inline
    /// value within the word.
    func match(_ word: String) -> Match {
        let bytes = Array(word.utf8)
        if word.hasPrefix("--") {
            let equals = bytes.firstIndex(of: UInt8(ascii: "="))
            let name = String(decoding: bytes[..<(equals ?? bytes.count)], as: UTF8.self)
            let inline = equals.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
            let option: PipOption
            if let exact = options.first(where: { $0.long == name }) {
                option = exact
            } else {
                let candidates = name.count > 2 ? options.filter { $0.long.hasPrefix(name) } : []
                if candidates.count > 1 { return .ambiguous(name, candidates.map(\.long)) }
                guard let only = candidates.first else { return .unknown(name) }
                option = only
            }
            return .option(option, inlineValue: inline, inlineValueOffset: equals.map { $0 + 1 })
        }
        guard bytes.count >= 2, let letter = word.dropFirst().first,
              let option = options.first(where: { $0.short == letter }) else {
            return .unknown(String(word.prefix(2)))
        }
        let letterEnd = 1 + String(letter).utf8.count
        if option.takesValue, bytes.count > letterEnd {
            return .option(option, inlineValue: String(decoding: bytes[letterEnd...], as: UTF8.self), inlineValueOffset: letterEnd)
        }
        guard bytes.count == letterEnd else { return .unknown(word) }
        return .option(option, inlineValue: nil, inlineValueOffset: nil)
    }

    /// The options a requirements file may hold on a line of their own.
    static let requirementsFileLine = PipOptionTable(options: [
        PipOption("--requirement", "r", value: true),
        PipOption("--constraint", "c", value: true),
        PipOption("--editable", "e", value: true),
        PipOption("--index-url", "i", value: true),
        PipOption("--extra-index-url", value: true),
        PipOption("--no-index", value: false),
        PipOption("--find-links", "f", value: true),
        PipOption("--pre", value: false),
        PipOption("--prefer-binary", value: false),
        PipOption("--only-binary", value: true),
        PipOption("--no-binary", value: true),
        PipOption("--require-hashes", value: false),
        PipOption("--trusted-host", value: true),
        PipOption("--use-feature", value: true),
    ] + perRequirement.options)

    /// The options that may follow a requirement on its line.
    static let perRequirement = PipOptionTable(options: [
        PipOption("--hash", value: true),
        PipOption("--config-settings", "C", value: true),
        PipOption("--global-option", value: true),
    ])
}
