/// Plain hints for libyaml's messages, from the usual causes: a tab, an unquoted `: ` inside a
/// value, a value that starts with a YAML indicator (`!`, `*`, `&`, `{`, `[`), or a line
/// indented differently from the keys it belongs with. Pure functions of the source text.
enum YAMLHints {
    /// The hint for a syntax error whose problem is at `problem` and whose enclosing construct
    /// starts at `context` (both 0-based line and column), or nil when no cause is recognised.
    static func hint(problem text: String, at problem: (line: Int, column: Int), context: (line: Int, column: Int)?,
                     lines: [Substring]) -> String? {
        func line(_ n: Int) -> Substring { n >= 0 && n < lines.count ? lines[n] : "" }
        let here = line(problem.line)
        // A tab where indentation is read: on the problem line or the line before it.
        for n in [problem.line, problem.line - 1] where leadingWhitespace(line(n)).contains("\t") {
            return "line \(n + 1) is indented with a tab; YAML indents with spaces only: replace the tab with spaces"
        }
        if here.dropFirst(problem.column).first == "\t" {
            return "a tab here; YAML indents with spaces only: replace the tab with spaces"
        }
        if text == "mapping values are not allowed in this context", let value = value(of: here), value.contains(": ") {
            return "an unquoted `: ` inside a value starts a mapping in YAML; quote the whole value (`key: \"…: …\"`) "
                + "or write it as a block (`key: |`, the text on the lines below, indented)"
        }
        if let context, text.hasPrefix("did not find expected") || text.hasPrefix("could not find expected") {
            let indent = leadingWhitespace(here).count
            let keysIndent = leadingWhitespace(line(context.line)).count
            if indent != keysIndent, !here.allSatisfy(\.isWhitespace) {
                return "line \(problem.line + 1) is indented \(spaces(indent)), but the keys of the mapping it continues "
                    + "(line \(context.line + 1)) are indented \(spaces(keysIndent)); keys of one mapping line up, "
                    + "and a nested mapping goes under a key that ends with `:`"
            }
        }
        if let value = value(of: here) ?? context.flatMap({ value(of: line($0.line)) }),
           let indicator = indicatorHint(value),
           // An inline list or mapping is meant when the error is inside it; text after one ends it early.
           !(value.first == "{" || value.first == "[") || text == "did not find expected key" {
            return indicator
        }
        return nil
    }

    /// The note for a value that starts with a YAML indicator, when it may have been meant as text.
    static func indicatorHint(_ value: Substring) -> String? {
        guard let first = value.first else { return nil }
        let what: String
        switch first {
        case "!": what = "a tag"
        case "*": what = "an alias (a reference to an `&anchor`)"
        case "&": what = "an anchor"
        case "{": what = "an inline mapping"
        case "[": what = "an inline list"
        default: return nil
        }
        return "a value that starts with `\(first)` is \(what) in YAML; if it is text, quote the whole value: '\(value.replacingOccurrences(of: "'", with: "''"))'"
    }

    /// The value after `key: ` or `- ` on a line, when it has one.
    static func value(of line: Substring) -> Substring? {
        var rest = line.drop { $0 == " " }
        if rest.hasPrefix("- ") { rest = rest.dropFirst(2).drop { $0 == " " } }
        if let quoteEnd = keyEnd(rest) { rest = rest[quoteEnd...].dropFirst(2).drop { $0 == " " } } else if !rest.hasPrefix("- ") && line.contains(": ") {
            return nil
        }
        let value = rest.prefix { $0 != "\r" }
        return value.isEmpty ? nil : value
    }

    /// Where the first `: ` of a plain key is (nil when the line has none before a quote or `#`).
    private static func keyEnd(_ text: Substring) -> Substring.Index? {
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" || c == "'" || c == "#" { return nil }
            if c == ":", text.index(after: i) < text.endIndex, text[text.index(after: i)] == " " { return i }
            i = text.index(after: i)
        }
        return nil
    }

    private static func leadingWhitespace(_ line: Substring) -> Substring { line.prefix { $0 == " " || $0 == "\t" } }

    private static func spaces(_ n: Int) -> String { n == 1 ? "1 space" : "\(n) spaces" }
}
