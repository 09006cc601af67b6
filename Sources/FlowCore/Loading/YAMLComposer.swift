import CYaml

/// Bounds on what a YAML input may cost. A file past any of them is rejected with its location
/// before the cost is paid.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Largest number of values after alias expansion (an alias bomb multiplies values, not bytes).
    public var maxNodes: Int
    /// Deepest nesting; enforced by libyaml itself (a process-wide setting), so it is fixed.
    public static let maxDepth = 64

    public init(maxBytes: Int = 10 << 20, maxNodes: Int = 1_000_000) {
        self.maxBytes = maxBytes
        self.maxNodes = maxNodes
    }
}

/// Turns YAML bytes into a located `YAMLNode` tree, straight from libyaml's event stream.
///
/// Why not `Yams.Parser`: its composer hashes every mapping key to find duplicates, so a key
/// that is an alias of an alias bomb costs the whole expansion, and it stops at the first
/// duplicate. Composing from events lets us count each alias's expanded size in O(1), report
/// every duplicate key at its own line, and keep a mark on every node.
public enum YAMLComposer {
    private static let nestLimit: Void = { yaml_set_max_nest_level(Int32(YAMLLimits.maxDepth)) }()

    /// Composes one document. Returns `nil` as the root when the input is unusable; the
    /// diagnostics then say why (they may also be non-empty when a root is returned).
    /// `localTags` are the `!Name` tags the caller's format defines (CloudFormation's `!Ref`,
    /// `!Sub`, …): they are kept on scalars (`YAMLScalar.tag` is `!Ref`) and accepted on
    /// collections; any other tag is still reported.
    public static func compose(_ bytes: [UInt8], file: String, limits: YAMLLimits = .init(),
                               localTags: Set<String> = []) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if bytes.count > limits.maxBytes {
            return (nil, [.error(start, Messages.fileTooLarge(bytes: bytes.count, limit: limits.maxBytes))])
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            let (offset, line, column) = firstInvalidUTF8(bytes)
            return (nil, [.error(SourceLocation(file: file, line: line, column: column),
                                 Messages.invalidUTF8(byte: bytes[offset]))])
        }
        _ = nestLimit
        var composer = Composer(file: file, limits: limits, localTags: localTags)
        bytes.withUnsafeBufferPointer { composer.run($0) }
        if composer.root == nil && !composer.diagnostics.hasErrors {
            composer.diagnostics.append(.error(start, Messages.emptyFile))
        }
        return (composer.fatal ? nil : composer.root, composer.diagnostics)
    }

    /// Byte offset, line and column (in scalars) of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (offset: Int, line: Int, column: Int) {
        var line = 1, column = 1, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0..<0x80: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (i, line, column)
            }
            guard i + length <= bytes.count,
                  String(validating: bytes[i..<i + length], as: UTF8.self) != nil
            else { return (i, line, column) }
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            i += length
        }
        return (max(0, bytes.count - 1), line, column)
    }
}

/// The event loop. A stack of open collections; each finished node is handed to its parent.
private struct Composer {
    let file: String
    let limits: YAMLLimits
    let localTags: Set<String>
    var diagnostics: [Diagnostic] = []
    var root: YAMLNode?
    /// Set when composing stopped early (a libyaml error, a bound crossed): no usable tree.
    var fatal = false

    private var stack: [Frame] = []
    private var buffer: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
    /// Byte offsets where each line starts; computed on the first block scalar only.
    private var lineStarts: [Int]?
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var totalNodes = 0
    private var documents = 0

    init(file: String, limits: YAMLLimits, localTags: Set<String>) {
        self.file = file
        self.limits = limits
        self.localTags = localTags
    }

    /// An open sequence or mapping. A class, so adding a child mutates it in place: a value
    /// type popped off the stack and pushed back would copy its children on every append.
    private final class Frame {
        let isMapping: Bool
        let location: SourceLocation
        let anchor: String?
        var size = 1
        var items: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        /// The key waiting for its value; `.rejected` when the key was not usable (value dropped).
        var pendingKey: PendingKey = .none
        var seen: [String: SourceLocation] = [:]
        /// `<<` merge sources, with the index in `pairs` where their keys go.
        var merges: [(index: Int, source: YAMLNode)] = []

        enum PendingKey { case none, key(YAMLNode), merge(SourceLocation), rejected }

        init(isMapping: Bool, location: SourceLocation, anchor: String?) {
            self.isMapping = isMapping
            self.location = location
            self.anchor = anchor
        }
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            fail(SourceLocation(file: file, line: 1, column: 1), Messages.yamlOutOfMemory)
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        var event = yaml_event_t()
        while !fatal {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportParserError(parser, buffer)
                return
            }
            defer { yaml_event_delete(&event) }
            if handle(event) { return }
        }
    }

    /// Handles one event; returns true at the end of the stream.
    private mutating func handle(_ event: yaml_event_t) -> Bool {
        let at = location(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { fail(at, Messages.multipleDocuments) }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            let style: YAMLScalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let tag = checkedTag(s.tag, at: at)
            let indent = style == .literal || style == .folded ? blockIndent(afterLine: Int(event.start_mark.line)) : nil
            let node = YAMLNode(.scalar(YAMLScalar(value, style: style, tag: tag, blockIndent: indent)), at: at)
            finish(node, size: 1, anchor: cString(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = cString(event.data.alias.anchor) ?? ""
            guard let (node, size) = anchors[name] else {
                fail(at, Messages.undefinedAlias(name))
                return false
            }
            // The expanded size is what every later walk pays; count it now.
            totalNodes += size
            if totalNodes > limits.maxNodes { fail(at, Messages.aliasExpansionTooLarge(limits.maxNodes)); return false }
            var copy = node
            copy.location = at
            finish(copy, size: size, anchor: nil, counted: true)
        case YAML_SEQUENCE_START_EVENT:
            _ = checkedTag(event.data.sequence_start.tag, at: at)
            stack.append(Frame(isMapping: false, location: at, anchor: cString(event.data.sequence_start.anchor)))
        case YAML_MAPPING_START_EVENT:
            _ = checkedTag(event.data.mapping_start.tag, at: at)
            stack.append(Frame(isMapping: true, location: at, anchor: cString(event.data.mapping_start.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return false }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(applyMerges(frame)) : .sequence(frame.items)
            finish(YAMLNode(content, at: frame.location), size: frame.size, anchor: frame.anchor, counted: true)
        default:
            break
        }
        return false
    }

    /// Hands a finished node to the open collection (or makes it the root).
    private mutating func finish(_ node: YAMLNode, size: Int, anchor: String?, counted: Bool = false) {
        if !counted {
            totalNodes += size
            if totalNodes > limits.maxNodes { fail(node.location, Messages.tooManyNodes(limits.maxNodes)); return }
        }
        if let anchor { anchors[anchor] = (node, size) }
        guard let top = stack.last else {
            root = node
            return
        }
        top.size += size
        if top.isMapping { addToMapping(top, node) } else { top.items.append(node) }
    }

    private mutating func addToMapping(_ frame: Frame, _ node: YAMLNode) {
        switch frame.pendingKey {
        case .none:
            guard let scalar = node.scalar else {
                diagnostics.append(.error(node.location, Messages.nonScalarKey(node.kindDescription)))
                frame.pendingKey = .rejected
                return
            }
            if scalar.value == "<<" && scalar.style == .plain && scalar.tag == nil {
                frame.pendingKey = .merge(node.location)
                return
            }
            if let first = frame.seen[scalar.value] {
                diagnostics.append(.error(node.location, Messages.duplicateKey(scalar.value),
                                          notes: [.init(Messages.firstDefinedHere, at: first)]))
                frame.pendingKey = .rejected
                return
            }
            frame.seen[scalar.value] = node.location
            frame.pendingKey = .key(node)
        case .key(let key):
            frame.pairs.append(YAMLNode.Pair(key: key, value: node))
            frame.pendingKey = .none
        case .merge(let at):
            let sources = node.sequence ?? [node]
            if sources.allSatisfy({ $0.mapping != nil }) {
                frame.merges.append(contentsOf: sources.map { (frame.pairs.count, $0) })
            } else {
                diagnostics.append(.error(at, Messages.badMergeValue))
            }
            frame.pendingKey = .none
        case .rejected:
            frame.pendingKey = .none
        }
    }

    /// `<<: *base` (or a list of them): keys of the merged mappings that this mapping does not
    /// set itself, earlier sources first, inserted where the `<<` stood.
    private func applyMerges(_ frame: Frame) -> [YAMLNode.Pair] {
        guard !frame.merges.isEmpty else { return frame.pairs }
        var taken = Set(frame.seen.keys)
        var inserts: [Int: [YAMLNode.Pair]] = [:]
        for (index, source) in frame.merges {
            for pair in source.mapping ?? [] where taken.insert(pair.keyText).inserted {
                inserts[index, default: []].append(pair)
            }
        }
        var result: [YAMLNode.Pair] = []
        for i in 0...frame.pairs.count {
            result.append(contentsOf: inserts[i] ?? [])
            if i < frame.pairs.count { result.append(frame.pairs[i]) }
        }
        return result
    }

    /// The short name of a standard tag (`str` for `tag:yaml.org,2002:str`), or `nil` for no tag;
    /// any other tag is reported and ignored.
    private mutating func checkedTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, at: SourceLocation) -> String? {
        guard let tag = cString(pointer), tag != "!" else { return nil }
        let prefix = "tag:yaml.org,2002:"
        if tag.hasPrefix(prefix) {
            let short = String(tag.dropFirst(prefix.count))
            if ["str", "int", "float", "bool", "null", "map", "seq"].contains(short) { return short }
        }
        if localTags.contains(tag) { return tag }
        diagnostics.append(.error(at, Messages.unsupportedTag(tag)))
        return nil
    }

    /// The indentation of the first non-blank line after the block scalar's header line.
    private mutating func blockIndent(afterLine headerLine: Int) -> Int {
        if lineStarts == nil {
            var starts = [0]
            for (i, b) in buffer.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
            lineStarts = starts
        }
        let starts = lineStarts!
        var line = headerLine + 1
        while line < starts.count {
            var i = starts[line], indent = 0
            while i < buffer.count, buffer[i] == UInt8(ascii: " ") { i += 1; indent += 1 }
            if i < buffer.count, buffer[i] != UInt8(ascii: "\n"), buffer[i] != UInt8(ascii: "\r") { return indent }
            line += 1
        }
        return 0
    }

    private func cString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private mutating func fail(_ at: SourceLocation, _ message: String) {
        diagnostics.append(.error(at, message))
        fatal = true
    }

    private mutating func reportParserError(_ parser: yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            let (line, column) = lineAndColumn(ofByte: Int(parser.problem_offset), in: buffer)
            fail(SourceLocation(file: file, line: line, column: column), Messages.yamlReader(problem))
            return
        }
        let at = location(parser.problem_mark)
        if problem.hasPrefix("Maximum nesting level") {
            fail(at, Messages.nestingTooDeep(YAMLLimits.maxDepth))
            return
        }
        let context = parser.context.map { String(cString: $0) }
        var notes: [Diagnostic.Note] = []
        if let context {
            notes.append(.init(context, at: location(parser.context_mark)))
        }
        let lines = String(decoding: buffer, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if let hint = YAMLHints.hint(problem: problem, at: (Int(parser.problem_mark.line), Int(parser.problem_mark.column)),
                                     context: context == nil ? nil : (Int(parser.context_mark.line), Int(parser.context_mark.column)),
                                     lines: lines) {
            notes.append(.init(hint, at: at))
        }
        diagnostics.append(.error(at, Messages.yamlSyntax(problem), notes: notes))
        fatal = true
    }

    private func lineAndColumn(ofByte offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var line = 1, column = 1
        for b in buffer.prefix(offset) {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}
