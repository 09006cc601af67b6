/// Prints diagnostics the way compilers do (`file:line:column: error: message`), optionally in
/// colour, or as a JSON array for tools.
public struct DiagnosticRenderer: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    /// One line per diagnostic and one per note, each ending in a newline.
    public func text(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            out += line(d.location, d.severity.rawValue, d.message)
            for note in d.notes { out += line(note.location ?? d.location, "note", note.message) }
        }
        return out
    }

    private func line(_ at: SourceLocation, _ label: String, _ message: String) -> String {
        let place = at.line > 0 ? "\(at.file):\(at.line):\(at.column):" : "\(at.file):"
        guard color else { return "\(place) \(label): \(message)\n" }
        let labelColor = ["error": "\u{1B}[1;31m", "warning": "\u{1B}[1;33m", "note": "\u{1B}[1;36m"][label] ?? ""
        return "\u{1B}[1m\(place)\u{1B}[0m \(labelColor)\(label):\u{1B}[0m \(message)\n"
    }

    /// `[{"file","line","column","severity","message","notes":[{"file","line","column","message"}]}]`.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        func location(_ at: SourceLocation) -> String {
            "\"file\":\(JSONText.quote(at.file)),\"line\":\(at.line),\"column\":\(at.column)"
        }
        let items = diagnostics.map { d in
            let notes = d.notes.map { "{\(location($0.location ?? d.location)),\"message\":\(JSONText.quote($0.message))}" }
            return "{\(location(d.location)),\"severity\":\"\(d.severity.rawValue)\",\"message\":\(JSONText.quote(d.message)),\"notes\":[\(notes.joined(separator: ","))]}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}

/// JSON string quoting (RFC 8259), without Foundation; shared by every JSON flow writes.
public enum JSONText {
    /// A JSON object of strings, keys sorted (the same bytes for equal maps).
    public static func object(_ object: [String: String]) -> String {
        "{" + object.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + quote($0.value) }.joined(separator: ",") + "}"
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
