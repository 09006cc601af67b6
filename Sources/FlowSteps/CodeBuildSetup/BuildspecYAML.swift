/// Scalars written the way CodeBuild's YAML reader takes them as the strings they are: plain
/// when that is safe, else single-quoted. A plain item holding `: ` or ` #`, starting with an
/// indicator, or reading as a boolean, null or number would come back as a mapping, a comment
/// or another type (CodeBuild then fails the build with `YAML_FILE_ERROR`).
enum BuildspecYAML {
    static func scalar(_ text: String) -> String {
        plainIsSafe(text) ? text : "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func plainIsSafe(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first == " " || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") || text.contains(where: { $0.isNewline || $0 == "\t" }) { return false }
        if text.contains(where: { !$0.isASCII }) { return false }
        let lower = text.lowercased()
        if ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"].contains(lower) { return false }
        if Double(text) != nil || Int(text) != nil || lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix(".") { return false }
        return true
    }

    /// A word for bash: as it is when it has only safe characters, else single-quoted.
    static func shellWord(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,")
        if !text.isEmpty && text.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
