import Foundation

/// A parsed XML document as a small tree: enough to read AWS Query and REST-XML responses
/// (`GetCallerIdentityResult/Account`, `ListStacksResult/StackSummaries/member`). Namespaces
/// are ignored; element names are matched without their prefix; attributes are read past.
///
/// flow parses these itself rather than through FoundationXML: that module links libxml2 and
/// the system ICU (a 30 MB data library), which cost every start of flow a few milliseconds
/// for the few commands that talk to AWS. A document type declaration is refused (AWS never
/// sends one; refusing it rules out entity expansion), as is anything not well-formed.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    public init(name: String, text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// Parses `data`; nil when it is not well-formed XML (or has a DOCTYPE).
    public static func parse(_ data: Data) -> XMLTree? {
        var reader = Reader(bytes: [UInt8](data))
        return reader.document()
    }

    /// The first child called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows a path of child names: `tree["GetCallerIdentityResult", "Account"]`.
    public subscript(path: String...) -> XMLTree? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The first element called `name` anywhere below (depth first), this one included.
    public func find(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children { if let found = child.find(name) { return found } }
        return nil
    }

    /// A recursive-descent reader over the document's bytes (UTF-8). Text of an element that
    /// has children is trimmed, as the whitespace between them is layout; a leaf's text is kept.
    private struct Reader {
        let bytes: [UInt8]
        var at = 0
        /// Deeper nesting than this is refused rather than risking the stack.
        static let maxDepth = 256

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() -> XMLTree? {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
            guard skipMisc() else { return nil }
            guard at < bytes.count, bytes[at] == UInt8(ascii: "<"), let root = element(depth: 0) else { return nil }
            guard skipMisc(), at == bytes.count else { return nil }
            return root
        }

        /// Whitespace, comments and processing instructions (the XML declaration among them).
        mutating func skipMisc() -> Bool {
            while true {
                skipSpace()
                if has("<?") {
                    guard skip(past: "?>") else { return false }
                } else if has("<!--") {
                    guard skip(past: "-->") else { return false }
                } else {
                    return !has("<!DOCTYPE")
                }
            }
        }

        /// An element starting at `<`, through its end tag.
        mutating func element(depth: Int) -> XMLTree? {
            guard depth < Self.maxDepth else { return nil }
            at += 1
            guard let qualified = name() else { return nil }
            var node = XMLTree(name: localName(qualified))
            // Attributes: name="value" or name='value', read past.
            while true {
                skipSpace()
                guard at < bytes.count else { return nil }
                if has("/>") { at += 2; return node }
                if bytes[at] == UInt8(ascii: ">") { at += 1; break }
                guard name() != nil else { return nil }
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else { return nil }
                at += 1
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else { return nil }
                let quote = bytes[at]
                at += 1
                guard let end = bytes[at...].firstIndex(of: quote), !bytes[at..<end].contains(UInt8(ascii: "<")) else { return nil }
                at = end + 1
            }
            // Content: text, children, comments, CDATA, processing instructions, until `</name>`.
            var text: [UInt8] = []
            while at < bytes.count {
                if has("</") {
                    at += 2
                    guard let closing = name(), closing == qualified else { return nil }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ">") else { return nil }
                    at += 1
                    let decoded = String(decoding: text, as: UTF8.self)
                    node.text = node.children.isEmpty ? decoded : decoded.trimmingCharacters(in: .whitespacesAndNewlines)
                    return node
                } else if has("<!--") {
                    guard skip(past: "-->") else { return nil }
                } else if has("<![CDATA[") {
                    at += 9
                    guard let end = find("]]>") else { return nil }
                    text += bytes[at..<end]
                    at = end + 3
                } else if has("<?") {
                    guard skip(past: "?>") else { return nil }
                } else if bytes[at] == UInt8(ascii: "<") {
                    guard let child = element(depth: depth + 1) else { return nil }
                    node.children.append(child)
                } else if bytes[at] == UInt8(ascii: "&") {
                    guard let decoded = entity() else { return nil }
                    text += decoded
                } else {
                    text.append(bytes[at])
                    at += 1
                }
            }
            return nil
        }

        /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#NN;`, `&#xHH;` as UTF-8; nil for anything else.
        mutating func entity() -> [UInt8]? {
            guard let end = bytes[at...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return nil }
            let body = String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
            at = end + 1
            switch body {
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "amp": return [UInt8(ascii: "&")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                guard body.hasPrefix("#") else { return nil }
                let digits = body.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
                return Array(String(Character(scalar)).utf8)
            }
        }

        /// An XML name (letters, digits, `_`, `-`, `.`, `:` and any non-ASCII byte).
        mutating func name() -> String? {
            let start = at
            while at < bytes.count {
                let byte = bytes[at]
                let isNameByte = byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
                guard isNameByte else { break }
                at += 1
            }
            return at > start ? String(decoding: bytes[start..<at], as: UTF8.self) : nil
        }

        func localName(_ qualified: String) -> String {
            qualified.lastIndex(of: ":").map { String(qualified[qualified.index(after: $0)...]) } ?? qualified
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
        }

        func has(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            return literal.withUTF8Buffer { prefix in
                for index in 0..<count where bytes[at + index] != prefix[index] { return false }
                return true
            }
        }

        /// Where `literal` next starts, from the current position.
        func find(_ literal: StaticString) -> Int? {
            let pattern = literal.withUTF8Buffer { Array($0) }
            var index = at
            while index + pattern.count <= bytes.count {
                if bytes[index] == pattern[0], Array(bytes[index..<(index + pattern.count)]) == pattern { return index }
                index += 1
            }
            return nil
        }

        mutating func skip(past literal: StaticString) -> Bool {
            guard let start = find(literal) else { return false }
            at = start + literal.utf8CodeUnitCount
            return true
        }
    }
}
