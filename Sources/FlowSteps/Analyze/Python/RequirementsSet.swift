/// Requirements files as pip reads them together: the roots and every file they include with
/// `-r` (requirements) and `-c` (constraints), with include problems as findings.
public struct RequirementsSet: Sendable {
    /// One file read, and how it was reached.
    public struct LoadedFile: Sendable {
        /// The normalized path `read` was given.
        public var path: String
        /// Reached through `-c` (its requirements only constrain versions).
        public var isConstraints: Bool
        public var file: RequirementsFile
        /// The `-r`/`-c` line that included it; nil for a root.
        public var includedFrom: RequirementsInclude?
    }

    /// One entry in the order pip meets it (an included file's entries at its `-r` line).
    public struct Item: Sendable {
        public var entry: RequirementsEntry
        public var path: String
        public var isConstraint: Bool
    }

    public var files: [LoadedFile] = []
    /// Every requirement and constraint, in pip's order.
    public var items: [Item] = []
    /// `requirements-include` findings and every file's own findings.
    public var findings: [Finding] = []

    /// The requirements (not constraints), in pip's order.
    public var requirements: [Item] { items.filter { !$0.isConstraint } }
    /// The constraints, in pip's order.
    public var constraints: [Item] { items.filter(\.isConstraint) }

    /// Reads `roots` and what they include (relative to the including file's directory, `a/../b`
    /// normalized). A `-r` inside a constraints file includes requirements, as in pip. A cycle, an
    /// unreadable file and the depth and count limits are `requirements-include` findings at the
    /// `-r`/`-c` line (an unreadable root at its line 1).
    public static func load(roots: [String], read: (String) -> String?, environment: [String: String] = [:],
                            maximumDepth: Int = 16, maximumFiles: Int = 64) -> RequirementsSet {
        var loader = Loader(environment: environment, maximumDepth: maximumDepth, maximumFiles: maximumFiles)
        for root in roots {
            loader.visit(path: normalize(root), isConstraints: false, from: nil, stack: [], read: read)
        }
        return loader.set
    }

    /// `dir/../x/./y` → `x/y`; `..` above a relative start is kept, above `/` dropped.
    public static func normalize(_ path: String) -> String {
        if path.contains("://") { return path }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The path `include` names, relative to the file `includingPath`.
    public static func resolve(_ include: String, from includingPath: String) -> String {
        if include.hasPrefix("/") || include.contains("://") { return normalize(include) }
        guard let slash = includingPath.lastIndex(of: "/") else { return normalize(include) }
        return normalize(String(includingPath[...slash]) + include)
    }

    private struct Loader {
        let environment: [String: String]
        let maximumDepth: Int
        let maximumFiles: Int
        var set = RequirementsSet()
        var seen: Set<String> = []

        init(environment: [String: String], maximumDepth: Int, maximumFiles: Int) {
            self.environment = environment
            self.maximumDepth = maximumDepth
            self.maximumFiles = maximumFiles
        }

        mutating func visit(path: String, isConstraints: Bool, from include: RequirementsInclude?, stack: [String], read: (String) -> String?) {
            if let cycleStart = stack.firstIndex(of: path), let include {
                let chain = (stack[cycleStart...] + [path]).joined(separator: " → ")
                report("`\(include.kind.rawValue) \(include.path)` closes an include cycle: \(chain)", include.span)
                return
            }
            let key = (isConstraints ? "c:" : "r:") + path
            guard !seen.contains(key) else { return }
            if let include {
                guard stack.count < maximumDepth else {
                    report("includes nest deeper than \(maximumDepth) files; `\(include.path)` is not read", include.span)
                    return
                }
                guard set.files.count < maximumFiles else {
                    report("more than \(maximumFiles) requirements files; `\(include.path)` is not read", include.span)
                    return
                }
            }
            guard let text = read(path) else {
                let span = include?.span ?? SourceSpan(file: path, line: 1, column: 1, offset: 0, length: 0)
                report("cannot read `\(path)`" + (include.map { " (included with `\($0.kind.rawValue) \($0.path)`)" } ?? ""), span)
                return
            }
            seen.insert(key)
            let file = RequirementsFile.parse(text, file: path, environment: environment)
            set.files.append(LoadedFile(path: path, isConstraints: isConstraints, file: file, includedFrom: include))
            set.findings += file.findings
            var includes = file.includes[...]
            for entry in file.entries {
                while let next = includes.first, next.lineSpan.offset < entry.lineSpan.offset {
                    follow(next, from: path, stack: stack + [path], read: read)
                    includes = includes.dropFirst()
                }
                set.items.append(Item(entry: entry, path: path, isConstraint: isConstraints))
            }
            for next in includes { follow(next, from: path, stack: stack + [path], read: read) }
        }

        mutating func follow(_ include: RequirementsInclude, from path: String, stack: [String], read: (String) -> String?) {
            let target = RequirementsSet.resolve(include.path, from: path)
            visit(path: target, isConstraints: include.kind == .constraints, from: include, stack: stack, read: read)
        }

        mutating func report(_ message: String, _ span: SourceSpan) {
            set.findings.append(Finding(rule: PythonRules.includeRule, severity: .error, span: span, message: message))
        }
    }
}
