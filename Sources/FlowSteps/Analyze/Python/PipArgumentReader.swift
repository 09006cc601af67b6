/// Reads the options of a `pip install` (and `uv pip install`) command line into a
/// `PipInstallCommand`.
struct PipArgumentReader {
    let words: [PipWord]

    /// The options of `pip install` and pip's general options (and `uv pip install`'s own).
    static let table = PipOptionTable(options: [
        PipOption("--requirement", "r", value: true), PipOption("--constraint", "c", value: true),
        PipOption("--editable", "e", value: true), PipOption("--index-url", "i", value: true),
        PipOption("--extra-index-url", value: true), PipOption("--no-index", value: false),
        PipOption("--find-links", "f", value: true), PipOption("--target", "t", value: true),
        PipOption("--prefix", value: true), PipOption("--root", value: true), PipOption("--src", value: true),
        PipOption("--platform", value: true), PipOption("--python-version", value: true),
        PipOption("--implementation", value: true), PipOption("--abi", value: true),
        PipOption("--upgrade-strategy", value: true), PipOption("--only-binary", value: true),
        PipOption("--no-binary", value: true), PipOption("--trusted-host", value: true),
        PipOption("--config-settings", "C", value: true), PipOption("--global-option", value: true),
        PipOption("--progress-bar", value: true), PipOption("--report", value: true),
        PipOption("--use-feature", value: true), PipOption("--use-deprecated", value: true),
        PipOption("--cache-dir", value: true), PipOption("--log", value: true), PipOption("--proxy", value: true),
        PipOption("--retries", value: true), PipOption("--timeout", value: true),
        PipOption("--exists-action", value: true), PipOption("--cert", value: true),
        PipOption("--client-cert", value: true), PipOption("--root-user-action", value: true),
        PipOption("--python", "p", value: true), PipOption("--keyring-provider", value: true),
        PipOption("--index", value: true), PipOption("--default-index", value: true),
        PipOption("--index-strategy", value: true), PipOption("--torch-backend", value: true),
        PipOption("--resolution", value: true), PipOption("--prerelease", value: true),
        PipOption("--upgrade-package", "P", value: true),
        PipOption("--no-cache-dir", value: false), PipOption("--no-cache", "n", value: false),
        PipOption("--break-system-packages", value: false), PipOption("--user", value: false),
        PipOption("--pre", value: false), PipOption("--upgrade", "U", value: false),
        PipOption("--no-deps", value: false), PipOption("--force-reinstall", value: false),
        PipOption("--ignore-installed", "I", value: false), PipOption("--require-hashes", value: false),
        PipOption("--prefer-binary", value: false), PipOption("--no-build-isolation", value: false),
        PipOption("--no-compile", value: false), PipOption("--compile", value: false),
        PipOption("--no-warn-script-location", value: false), PipOption("--no-warn-conflicts", value: false),
        PipOption("--disable-pip-version-check", value: false), PipOption("--isolated", value: false),
        PipOption("--dry-run", value: false), PipOption("--no-clean", value: false),
        PipOption("--ignore-requires-python", value: false), PipOption("--check-build-dependencies", value: false),
        PipOption("--no-input", value: false), PipOption("--quiet", "q", value: false),
        PipOption("--verbose", "v", value: false), PipOption("--system", value: false),
        PipOption("--no-color", value: false), PipOption("--use-pep517", value: false),
        PipOption("--no-use-pep517", value: false), PipOption("--no-python-version-warning", value: false),
    ])

    /// Reads the option word at `index` (and its value word) into `command`; returns the index
    /// of the next word. An unknown option is kept in `unknownOptions` and read as a flag.
    func read(at index: Int, into command: inout PipInstallCommand) -> Int {
        let word = words[index]
        switch Self.table.match(word.text) {
        case .option(let option, let inline, _):
            var next = index + 1
            var value: PipWord?
            if option.takesValue {
                if let inline {
                    value = PipWord(text: inline, span: valueSpan(of: word, inlineLength: inline.utf8.count), raw: nil)
                } else if next < words.count {
                    value = words[next]
                    next += 1
                }
            }
            apply(option.long, value: value, to: &command)
            return next
        case .unknown, .ambiguous:
            // Bundled short flags: `-qq`, `-Uq`.
            let letters = word.text.dropFirst()
            if !word.text.hasPrefix("--"), !letters.isEmpty, letters.allSatisfy({ "qvUI".contains($0) }) {
                if letters.contains("U") { command.upgrade = true }
            } else {
                command.unknownOptions.append(word)
            }
            return index + 1
        }
    }

    /// The span of an inline value (`--index-url=x`), which ends the word when the word is written as is.
    private func valueSpan(of word: PipWord, inlineLength: Int) -> SourceSpan {
        guard word.span.length == word.text.utf8.count, inlineLength <= word.span.length else { return word.span }
        let skipped = word.text.utf8.count - inlineLength
        let columns = word.text.utf8.prefix(skipped).reduce(0) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return SourceSpan(file: word.span.file, line: word.span.line, column: word.span.column + columns,
                          offset: word.span.offset + skipped, length: inlineLength)
    }

    private func apply(_ name: String, value: PipWord?, to command: inout PipInstallCommand) {
        switch name {
        case "--requirement": if let value { command.requirementFiles.append(value) }
        case "--constraint": if let value { command.constraintFiles.append(value) }
        case "--editable": if let value { command.addPackage(value, editable: true) }
        case "--index-url", "--default-index": if let value { command.indexURL = value }
        case "--extra-index-url", "--index": if let value { command.extraIndexURLs.append(value) }
        case "--find-links": if let value { command.findLinks.append(value) }
        case "--cache-dir": command.cacheDirectory = value
        case "--target": command.target = value
        case "--prefix": command.prefix = value
        case "--no-index": command.noIndex = true
        case "--no-cache-dir": command.noCacheDir = true
        case "--no-cache": command.noCacheDir = true  // uv's flag; for pip an abbreviation of `--no-cache-dir`
        case "--break-system-packages": command.breakSystemPackages = true
        case "--user": command.user = true
        case "--pre": command.pre = true
        case "--upgrade": command.upgrade = true
        case "--no-deps": command.noDeps = true
        case "--system": command.system = true
        default: break
        }
    }
}
